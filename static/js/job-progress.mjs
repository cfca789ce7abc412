// Keeps a background job's progress bar up to date (a committee report being built, a spreadsheet being checked).
// Without JavaScript, the page has a refresh link instead. When the job has finished, the page reloads to show
// the result.
const POLL_EVERY_MS = 1500;

for (const container of document.querySelectorAll('[data-module="job-progress"]')) {
  const url = container.dataset.progressUrl;
  const bar = container.querySelector("progress");
  const percent = container.querySelector("[data-progress-percent]");
  const message = container.querySelector("[data-progress-message]");

  const poll = async () => {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) {
        const state = await response.json();
        bar.value = state.progress;
        bar.textContent = `${state.progress}%`;
        percent.textContent = `${state.progress}%`;
        message.textContent = state.message || state.status_label;
        if (state.finished) {
          window.location.reload();
          return;
        }
      }
    } catch {
      // A network blip: try again at the next tick.
    }
    window.setTimeout(poll, POLL_EVERY_MS);
  };
  window.setTimeout(poll, POLL_EVERY_MS);
}
