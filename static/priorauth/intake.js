// Intake, step 1: the criterion list follows the NDC. When the NDC changes, the page asks
// the server for that NDC's policy's criteria (GET data-criteria-url?ndc=…) and shows only
// those. Without JavaScript the list shows every policy's criteria, and the server still
// refuses a criterion of another policy than the NDC's.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-criteria-url]");
  const ndc = form && form.querySelector("[data-criteria-source]");
  const select = ndc && document.getElementById(ndc.dataset.criteriaSource);
  if (!select) {
    return;
  }
  const hint = document.getElementById(`${select.id}_helptext`);
  if (hint) {
    hint.setAttribute("aria-live", "polite");
  }
  let asked = ndc.value.trim();

  async function follow() {
    const value = ndc.value.trim();
    if (value === asked) {
      return;
    }
    asked = value;
    const url = `${form.dataset.criteriaUrl}?ndc=${encodeURIComponent(value)}`;
    const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok || value !== asked) {
      return; // signed out, or a newer NDC was typed meanwhile: leave the list as it is
    }
    show(await response.json());
  }

  function show(found) {
    const chosen = select.value;
    const other = select.querySelector("option[value='']");
    select.replaceChildren(...(other ? [other] : []));
    for (const group of found.groups) {
      const optgroup = document.createElement("optgroup");
      optgroup.label = group.label;
      for (const option of group.options) {
        optgroup.append(new Option(option.label, option.value, false, option.value === chosen));
      }
      select.append(optgroup);
    }
    if (hint) {
      hint.textContent = found.hint;
      hint.hidden = !found.hint;
    }
  }

  ndc.addEventListener("change", follow);
  ndc.addEventListener("blur", follow);
});
