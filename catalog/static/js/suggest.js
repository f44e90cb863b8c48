/* Suggestions while typing, for a box whose page could not list every name (the app filter of a
   catalog with thousands of apps): when the box's datalist came empty, ask the server for the
   first names that start with what was typed. Without script the box still takes a typed name. */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("input[data-suggest]"), function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list || list.options.length || !window.fetch) { return; }
    var timer = null;
    var asked = "";
    var pending = null;
    function show(names) {
      list.textContent = "";
      names.forEach(function (name) {
        var option = document.createElement("option");
        option.value = name;
        list.appendChild(option);
      });
    }
    function ask() {
      var text = input.value.trim();
      if (text.length < 2 || text === asked) { return; }
      asked = text;
      if (pending && window.AbortController) { pending.abort(); }
      pending = window.AbortController ? new AbortController() : null;
      fetch(input.getAttribute("data-suggest") + "?q=" + encodeURIComponent(text),
            {headers: {"Accept": "application/json"}, signal: pending ? pending.signal : undefined})
        .then(function (answer) { return answer.ok ? answer.json() : {items: []}; })
        .then(function (body) { show(body.items || []); })
        .catch(function () { /* a newer question replaced this one, or the network failed */ });
    }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 200);
    });
  });
}());
