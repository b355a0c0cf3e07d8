// Small enhancements for reading; every page works without them.
(function () {
  "use strict";

  // A link to a question (#its-slug) opens its answer.
  function openTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (target && target.tagName === "DETAILS") {
      target.open = true;
    }
  }

  // A printed FAQ shows every answer.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (details) {
      details.open = true;
    });
  });
  window.addEventListener("hashchange", openTarget);
  openTarget();
})();
