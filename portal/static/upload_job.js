// The upload job page: poll the status JSON every second, show progress, reload when the job is done.
(function () {
  "use strict";
  var box = document.getElementById("job-progress");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = box.querySelector("progress");
  var text = box.querySelector(".message");

  function tick() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { window.location.reload(); return null; }
        return response.json();
      })
      .then(function (status) {
        if (!status) { return; }
        if (status.finished) { window.location.reload(); return; }
        text.textContent = status.message;
        if (status.total) { bar.max = status.total; bar.value = status.done; }
        window.setTimeout(tick, 1000);
      })
      .catch(function () { window.setTimeout(tick, 3000); });
  }
  window.setTimeout(tick, 1000);
})();
