// The time zone setting: suggest the browser's own zone, never choose it silently.
(function () {
  "use strict";
  var select = document.querySelector("select[data-suggest-zone]");
  var hint = document.querySelector(".zone-suggestion");
  if (!select || !hint || !window.Intl) return;
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    return;
  }
  if (!zone || zone === select.value) return;
  var offered = Array.prototype.some.call(select.options, function (option) {
    return option.value === zone;
  });
  if (!offered) return;
  var button = document.createElement("button");
  button.type = "button";
  button.className = "button-link";
  button.textContent = "Use " + zone.replace(/_/g, " ");
  button.addEventListener("click", function () {
    select.value = zone;
    select.focus();
  });
  hint.textContent = "Your browser says you are in " + zone.replace(/_/g, " ") + ". ";
  hint.appendChild(button);
  hint.hidden = false;
})();
