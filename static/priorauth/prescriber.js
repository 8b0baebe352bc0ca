// The intake form names the prescriber as soon as an NPI is typed: an input marked
// data-prescriber-lookup="URL-prefix" asks the directory (GET prefix + NPI + "/") and
// says who it is, or that the directory does not list them. Without JavaScript the next
// step shows the same (progressive enhancement); the request never depends on it.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const input = document.querySelector("input[data-prescriber-lookup]");
  if (!input) {
    return;
  }
  const output = document.createElement("p");
  output.className = "hint prescriber-found";
  output.id = `${input.id}_prescriber`;
  output.setAttribute("aria-live", "polite");
  input.closest(".field").appendChild(output);
  input.setAttribute(
    "aria-describedby",
    [input.getAttribute("aria-describedby"), output.id].filter(Boolean).join(" "),
  );
  let asked = "";

  const describe = (p) =>
    [p.credential ? `${p.name}, ${p.credential}` : p.name, p.specialty, p.phone && `phone ${phone(p.phone)}`]
      .filter(Boolean)
      .join(" · ");
  const phone = (d) => `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`;

  const look = async () => {
    const npi = input.value.trim();
    if (npi === asked) {
      return;
    }
    asked = npi;
    if (!/^[0-9]{10}$/.test(npi)) {
      output.textContent = "";
      return;
    }
    try {
      const answer = await fetch(`${input.dataset.prescriberLookup}${npi}/`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (npi !== asked) {
        return; // typed on meanwhile
      }
      const body = await answer.json();
      if (answer.ok) {
        output.textContent = `Prescriber: ${describe(body)}`;
      } else if (answer.status === 404) {
        output.textContent = `NPI ${npi} is not in the prescriber directory; the request can still be sent.`;
      } else {
        output.textContent = (body.npi || [body.detail || ""]).join(" ");
      }
    } catch (error) {
      output.textContent = ""; // offline: the next step names the prescriber
    }
  };
  input.addEventListener("input", look);
  look();
});
