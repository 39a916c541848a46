// kemitraan-assess serve: the few lines of script the pages use (they work without it).
(function () {
  // progress of a report job: poll while it runs, reload when it ends
  var job = document.querySelector("[data-job]");
  if (job && (job.dataset.status === "queued" || job.dataset.status === "running")) {
    var bar = job.querySelector("[data-job-bar]"), count = job.querySelector("[data-job-count]");
    var poll = function () {
      fetch("/jobs/" + job.dataset.job + "/progress.json", {credentials: "same-origin"})
        .then(function (r) { return r.json(); })
        .then(function (s) {
          if (s.total) { bar.max = s.total; }
          bar.value = s.done;
          count.textContent = s.done + " / " + (s.total || "?");
          if (s.status !== "queued" && s.status !== "running") { location.reload(); } else { setTimeout(poll, 1000); }
        })
        .catch(function () { setTimeout(poll, 3000); });
    };
    setTimeout(poll, 1000);
  }
  // a form is sent once: its button is disabled while the next page loads (a second
  // click on a slow upload would otherwise send the file again), enabled again when the
  // page is shown from the back/forward cache
  document.addEventListener("submit", function (e) {
    var buttons = e.target.querySelectorAll("button[type=submit], button:not([type])");
    setTimeout(function () { buttons.forEach(function (b) { b.disabled = true; b.setAttribute("aria-busy", "true"); }); }, 0);
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("button[aria-busy]").forEach(function (b) { b.disabled = false; b.removeAttribute("aria-busy"); });
  });
  // drag and drop onto the upload form (the plain file input stays)
  var zone = document.querySelector("[data-dropzone]");
  if (zone) {
    var input = zone.querySelector("input[type=file]");
    var hint = zone.querySelector(".drop-hint");
    if (hint) { hint.hidden = false; }
    ["dragenter", "dragover"].forEach(function (ev) {
      zone.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.add("dragging"); });
    });
    ["dragleave", "drop"].forEach(function (ev) {
      zone.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.remove("dragging"); });
    });
    zone.addEventListener("drop", function (e) {
      if (e.dataTransfer && e.dataTransfer.files.length) { input.files = e.dataTransfer.files; zone.submit(); }
    });
  }
})();
