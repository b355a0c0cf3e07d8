// Image upload is turned off (the guide has no images), but markdownx posts any file dropped
// or pasted into its editor. Catch those first, on the way down, and say so instead.
(function () {
  "use strict";

  function refuseFiles(event) {
    var editor = event.target && event.target.closest && event.target.closest(".markdownx-editor");
    var transfer = event.dataTransfer || event.clipboardData;
    if (!editor || !transfer || !transfer.files || transfer.files.length === 0) {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
    var widget = editor.closest(".markdownx");
    var note = widget && widget.nextElementSibling;
    if (note && note.classList.contains("markdown-note")) {
      note.textContent = "Images can't be added: the guide has none, and image upload is turned off.";
      note.classList.add("upload-refused");
      note.setAttribute("role", "alert");
    }
  }

  document.addEventListener("drop", refuseFiles, true);
  document.addEventListener("paste", refuseFiles, true);
})();
