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
