// Buttons that only act in the browser (no inline handlers: the CSP forbids them).
//   data-action="print"           prints the page (the determination notice)
//   data-action="back"            goes back one page (the "Not done" page)
//   data-action="fill"            a link that fills the field data-fill-target with
//                                 data-fill-text (without JavaScript the link asks the
//                                 server for the page with it filled)
//   data-action="confirm-dialog"  in a confirmation <dialog>: submit its form, confirmed
//   data-action="close-dialog"    in a confirmation <dialog>: close it, nothing sent
"use strict";

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-action]");
  if (!button) {
    return;
  }
  const action = button.dataset.action;
  if (action === "print") {
    window.print();
  } else if (action === "back") {
    window.history.back();
  } else if (action === "fill") {
    const field = document.getElementById(button.dataset.fillTarget);
    if (field) {
      event.preventDefault();
      field.value = button.dataset.fillText;
      field.dispatchEvent(new Event("input", { bubbles: true })); // the draft keeps it
      field.focus();
    }
  } else if (action === "confirm-dialog") {
    const dialog = button.closest("dialog");
    const form = document.getElementById(dialog.dataset.form);
    form.elements.confirmed.value = "1";
    // The dialog named who holds the case, so confirming it is taking it over.
    if (form.elements.take_over && dialog.querySelector(".take-over")) {
      form.elements.take_over.value = "1";
    }
    dialog.close();
    form.requestSubmit(); // a submit event again: drafts.js marks its text as sent
  } else if (action === "close-dialog") {
    button.closest("dialog").close();
  }
});

// A decision form marked data-confirm="<dialog id>" asks in that dialog before it is sent:
// the dialog shows what approving under the chosen criterion creates, or quotes the text
// the member will be told. Without <dialog> support (or JavaScript) the form is sent
// unconfirmed and the server answers with the same confirmation as a page. A form whose
// required field (data-confirm-needs) is empty is sent as it is: the server refuses it
// beside the field.
// Captured before the form's own listeners (drafts.js), so a submit that only opens the
// dialog is not taken for a sent form.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (!form || form.elements.confirmed.value === "1") {
    return;
  }
  const dialog = document.getElementById(form.dataset.confirm);
  if (!dialog || typeof dialog.showModal !== "function") {
    return;
  }
  const needs = form.dataset.confirmNeeds && form.elements[form.dataset.confirmNeeds];
  if (needs && !needs.value.trim()) {
    return;
  }
  event.preventDefault();
  event.stopImmediatePropagation();
  const criterion = form.elements.criterion_number;
  dialog.querySelectorAll("[data-when-criterion]").forEach((line) => {
    line.hidden = !criterion || line.dataset.whenCriterion !== criterion.value;
  });
  dialog.querySelectorAll("[data-echo]").forEach((quote) => {
    quote.textContent = form.elements[quote.dataset.echo].value.trim();
  });
  dialog.showModal();
}, true);

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
