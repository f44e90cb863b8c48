/* Live progress of a repository copy: polls the page's JSON and updates the bar and the outcome
   without reloading. Without script, a <noscript> refresh reloads the page instead. */
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box || !window.fetch) { return; }
  var bar = box.querySelector("progress");
  var percent = box.querySelector(".progress-percent");
  var detail = box.querySelector(".progress-text");
  var live = box.querySelector(".progress-live");
  var delay = 2000;
  if (live) { live.hidden = false; }

  function text(node, value) { if (node) { node.textContent = value; } }

  function finish(state) {
    var label = box.querySelector(".progress-label");
    if (state.state === "ready") {
      box.className = "progress flash flash-success";
      text(label, box.getAttribute("data-ready-text"));
      text(detail, "");
      if (live) {
        live.textContent = "";
        var link = document.createElement("a");
        link.href = window.location.pathname + "#kode-sumber";
        link.textContent = box.getAttribute("data-reload-text");
        link.addEventListener("click", function () { window.location.reload(); });
        live.appendChild(link);
      }
    } else {
      box.className = "progress flash flash-error";
      box.setAttribute("role", "alert");
      text(label, box.getAttribute("data-failed-text"));
      text(detail, state.error || "");
      if (live) { live.hidden = true; }
    }
  }

  function poll() {
    fetch(box.getAttribute("data-progress-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { if (!response.ok) { throw new Error(String(response.status)); } return response.json(); })
      .then(function (state) {
        if (bar) { bar.value = state.progress; bar.textContent = state.progress + "%"; }
        text(percent, state.progress + "%");
        text(detail, state.text ? "(" + state.text + ")" : "");
        if (state.done) { finish(state); return; }
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, 30000);  /* slow link or server busy: back off, keep trying */
        window.setTimeout(poll, delay);
      });
  }
  window.setTimeout(poll, 500);
}());
