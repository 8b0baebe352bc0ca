// The policy impact page (web/impact.py): while the replay runs, read its status every
// two seconds and move the progress bar; when it has finished, load the page again to
// show the report. Without JavaScript the page's "Refresh" link does the same by hand.
"use strict";

(function () {
  const box = document.querySelector("[data-impact-status-url]");
  if (!box) {
    return;
  }
  const bar = box.querySelector("progress");
  const said = box.querySelector("[data-impact-progress-text]");
  const url = box.dataset.impactStatusUrl;

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((status) => {
        if (status.finished) {
          window.location.reload();
          return;
        }
        if (bar) {
          bar.value = status.percent;
        }
        if (said) {
          said.textContent =
            status.status + ": " + status.members_done + " of " + status.members_total + " members";
        }
        window.setTimeout(poll, 2000);
      })
      .catch(() => window.setTimeout(poll, 5000));
  }
  window.setTimeout(poll, 1000);
})();
