/* The deployment form's "Sumber kode": once an app is chosen, offer only the region's copies of
   that app and preselect the first; without script the server already filters after a choice. */
(function () {
  "use strict";
  var app = document.getElementById("f-app");
  var source = document.getElementById("f-fork_id");
  if (!app || !source) { return; }
  function follow() {
    var first = null;
    Array.prototype.forEach.call(source.options, function (option) {
      var forApp = option.getAttribute("data-app");
      if (forApp === null) { return; }
      var fits = !app.value || forApp === app.value;
      option.hidden = !fits;
      option.disabled = !fits;
      if (fits && first === null) { first = option; }
    });
    var current = source.options[source.selectedIndex];
    if (current && current.disabled) { source.value = ""; }
    if (app.value && first !== null && source.value === "") { source.value = first.value; }
  }
  app.addEventListener("change", follow);
  follow();
}());
