// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("submit", function (ev) {
  var form = ev.target;
  var msg = form.getAttribute("data-confirm");
  if (msg && !window.confirm(msg)) { ev.preventDefault(); }
});

// Progress of a background job (sync run, attendance import, export): an element with
// data-job-status-url polls that JSON ({running, percent, message, done, total}, or the same
// under "progress"), fills its [data-job-bar] and [data-job-message], and reloads the page when
// the job has finished. data-job-format: "count" adds "(done dari total)", "percent" puts the
// percentage first; data-job-waiting is the text while the job has no message yet.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.querySelector("[data-job-status-url]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-job-status-url");
  var format = box.getAttribute("data-job-format") || "plain";
  var waiting = box.getAttribute("data-job-waiting") || "";
  var bar = box.querySelector("[data-job-bar]");
  var text = box.querySelector("[data-job-message]");
  var meter = box.querySelector("[role=progressbar]");
  function label(p) {
    var msg = p.message || waiting;
    if (format === "count") { return msg + " (" + (p.done || 0) + (p.total ? " dari " + p.total : "") + ")"; }
    if (format === "percent") { return (p.percent || 0) + "% · " + msg; }
    return msg;
  }
  function tick() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (d) {
        var p = (d.progress && typeof d.progress === "object") ? d.progress : d;
        if (bar) { bar.style.width = (p.percent || 0) + "%"; }
        if (meter) { meter.setAttribute("aria-valuenow", p.percent || 0); }
        if (text) { text.textContent = label(p); }
        if (!d.running) { window.location.reload(); } else { setTimeout(tick, 1500); }
      })
      .catch(function () { setTimeout(tick, 5000); });
  }
  setTimeout(tick, 1000);
});
