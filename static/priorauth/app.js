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
// has the focus, and a screen reader reads its error with it (aria-describedby).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-focus-first-error]");
  const first = form && form.querySelector("[aria-invalid='true'], .has-error input");
  if (first) {
    first.focus();
  }
});
