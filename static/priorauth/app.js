// Buttons that only act in the browser (no inline handlers: the CSP forbids them).
//   data-action="print"  prints the page (the determination notice)
//   data-action="back"   goes back one page (the "Not done" page)
"use strict";

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-action]");
  if (!button) {
    return;
  }
  if (button.dataset.action === "print") {
    window.print();
  } else if (button.dataset.action === "back") {
    window.history.back();
  }
});

// A form marked data-focus-first-error, shown again with errors: the first field at fault
// has the focus (a screen reader reads its label, then its error: aria-describedby). The
// error summary's links put the focus on their field too, not only scroll to it.
function firstFieldAtFault(form) {
  return form.querySelector("[aria-invalid='true'], .has-error input, .has-error select, .has-error textarea");
}

document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-focus-first-error]")) {
    const first = firstFieldAtFault(form);
    if (first) {
      first.focus();
      return;
    }
  }
});

document.addEventListener("click", (event) => {
  const link = event.target.closest(".error-summary a[href^='#']");
  const field = link && document.getElementById(link.getAttribute("href").slice(1));
  if (field) {
    event.preventDefault();
    field.scrollIntoView({ block: "center" });
    field.focus();
  }
});
