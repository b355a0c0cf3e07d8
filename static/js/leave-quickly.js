// "Leave quickly": the button, or Escape pressed twice, replaces this page with a neutral
// site. location.replace swaps the current history entry, so Back does not return here;
// earlier pages stay in the history (the privacy page explains how to clear it).
(function () {
  "use strict";
  if (window.secureBaseLeaveQuickly) return; // the include may appear more than once
  window.secureBaseLeaveQuickly = true;

  var DOUBLE_PRESS_MS = 1000;
  var lastEscape = 0;

  function target() {
    var link = document.querySelector("[data-leave-quickly]");
    return link ? link.href : null;
  }

  function leave(event) {
    var url = target();
    if (!url) return;
    if (event) event.preventDefault();
    document.body.hidden = true; // nothing stays on screen while the next page loads
    window.location.replace(url);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-leave-quickly]");
    if (link) leave(event);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !target()) return;
    var now = Date.now();
    if (now - lastEscape <= DOUBLE_PRESS_MS) {
      leave(event);
    } else {
      lastEscape = now;
    }
  });

  document.querySelectorAll("[data-leave-quickly-hint]").forEach(function (hint) {
    hint.hidden = false;
  });
})();
