// The admin's link pickers (select2, for a chapter's references and a sign's strategies) add
// a search box with no name for screen readers: give each the name of its field's label.
(function () {
  "use strict";

  function labelSearchBoxes() {
    document.querySelectorAll(".select2-search__field:not([aria-label])").forEach(function (box) {
      var row = box.closest(".form-row, .fieldBox, div[class*='field-']");
      var label = row && row.querySelector("label");
      var name = label ? label.textContent.replace(/:\s*$/, "").trim() : "";
      box.setAttribute("aria-label", name ? "Search " + name.toLowerCase() : "Search");
    });
  }

  // A list's editable cells (order, published) are named by their column and their row.
  function labelListCells() {
    var table = document.getElementById("result_list");
    if (!table) {
      return;
    }
    var headers = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var item = row.querySelector("th");
      var itemName = item ? item.textContent.trim() : "";
      Array.prototype.forEach.call(row.children, function (cell, index) {
        cell.querySelectorAll("input:not([type=hidden]):not([aria-label]), select:not([aria-label])").forEach(function (field) {
          if (!field.labels || field.labels.length === 0) {
            field.setAttribute("aria-label", (headers[index] || "Value") + ": " + itemName);
          }
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    labelSearchBoxes();
    labelListCells();
    new MutationObserver(labelSearchBoxes).observe(document.body, { childList: true, subtree: true });
  });
})();
