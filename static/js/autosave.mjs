// Autosave for the pages of a bid. Progressive enhancement: without JavaScript the Save buttons do the same.
//
// A form with data-autosave-url is posted there, as the page's own fields, a few seconds after each change.
// The server saves through the same service as the buttons and answers with JSON:
//   {saved_at: "14:32", versions: {fieldName: value}, conflicts: [message], problems: {fieldName: message}}
// Versions are written back into the form's hidden fields, so the next save (by hand or automatic) does not
// look like someone else's change. Files are never sent in the background.

const DELAY_MS = 3000;

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.getAttribute("content") : "";
}

function formBody(form) {
  const body = new FormData(form);
  for (const input of form.querySelectorAll('input[type="file"]')) {
    body.delete(input.name);
  }
  body.delete("action");
  return body;
}

function setStatus(region, text) {
  if (region) {
    region.textContent = text;
  }
}

function describe(result) {
  if (result.conflicts && result.conflicts.length) {
    return result.conflicts.join(" ");
  }
  const problems = Object.keys(result.problems || {});
  if (problems.length) {
    return `Saved at ${result.saved_at}, except ${problems.length === 1 ? "one answer" : `${problems.length} answers`} we could not read. Select ‘Save and come back later’ to see why.`;
  }
  return `Saved at ${result.saved_at}`;
}

function enhance(form) {
  const url = form.dataset.autosaveUrl;
  const region = form.querySelector("[data-autosave-status]");
  let timer = null;
  let pending = null;
  let changedSinceSave = false;

  async function save() {
    timer = null;
    if (!changedSinceSave) {
      return;
    }
    changedSinceSave = false;
    pending = fetch(url, {
      method: "POST",
      body: formBody(form),
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    })
      .then(async (response) => {
        const result = await response.json().catch(() => ({}));
        if (!response.ok) {
          setStatus(region, result.error || "We could not save your answers just now. Use the Save buttons.");
          return;
        }
        for (const [name, value] of Object.entries(result.versions || {})) {
          const field = form.elements.namedItem(name);
          if (field) {
            field.value = value;
          }
        }
        setStatus(region, describe(result));
      })
      .catch(() => setStatus(region, "We could not save your answers just now. Use the Save buttons."))
      .finally(() => {
        pending = null;
      });
    return pending;
  }

  function changed(event) {
    if (event.target && event.target.type === "file") {
      return;
    }
    changedSinceSave = true;
    if (!timer) {
      timer = setTimeout(save, DELAY_MS);
    }
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);

  // A button pressed while an autosave is on its way waits for it, so that the form carries the versions the
  // autosave was given and the person's own save is not mistaken for a colleague's.
  form.addEventListener("submit", (event) => {
    if (!pending) {
      return;
    }
    event.preventDefault();
    const submitter = event.submitter;
    pending.finally(() => {
      if (timer) {
        clearTimeout(timer);
        timer = null;
      }
      form.requestSubmit(submitter);
    });
  });
}

for (const form of document.querySelectorAll("form[data-autosave-url]")) {
  enhance(form);
}
