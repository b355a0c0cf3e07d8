// Small enhancements for reading; every page works without them.
(function () {
  "use strict";

  // A link to a question (#its-slug) opens its answer. A mistyped link ("#%E0%A4%A")
  // is not an id: it opens nothing rather than failing.
  function openTarget() {
    var id;
    try {
      id = decodeURIComponent(window.location.hash.slice(1));
    } catch (error) {
      return;
    }
    var target = id && document.getElementById(id);
    if (target && target.tagName === "DETAILS") {
      target.open = true;
    }
  }

  // A printed page shows every answer, and each link's full address (the page gives most;
  // links written inside the guide's text get theirs here).
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (details) {
      details.open = true;
    });
    document.querySelectorAll('main a[href^="/"]:not([data-print-url])').forEach(function (link) {
      link.setAttribute("data-print-url", link.href);
    });
  });
  window.addEventListener("hashchange", openTarget);
  openTarget();
})();
