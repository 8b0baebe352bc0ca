// Drafts of what a person types into fields marked data-draft-key (deny, pend and
// revoke reasons, answer notes, intake clinical notes), so that a session that ends
// while they type loses nothing: sign in again and the page puts the text back.
//
// The text is protected health information, so it lives in sessionStorage (this tab
// only, gone when the tab closes), under the signed-in user's name; signing out, or
// another user signing in in this tab, removes it. A draft is removed once the server
// confirms its form (the page after the submit shows a success message); a submit
// that ends on the login page or on an error keeps it.
"use strict";

(() => {
  const PREFIX = "priorauth-draft:";
  const SENT = "priorauth-draft-sent:";
  const body = document.body;
  const user = body.dataset.sessionUser;
  let store;
  try {
    store = window.sessionStorage;
  } catch {
    return;
  }

  const ours = (prefix) => {
    const keys = [];
    for (let i = 0; i < store.length; i += 1) {
      const key = store.key(i);
      if (key.startsWith(prefix)) {
        keys.push(key);
      }
    }
    return keys;
  };
  const forget = (keys) => keys.forEach((key) => store.removeItem(key));

  if (!user) {
    // The login page and other anonymous pages: keep drafts for the return.
    forget(ours(SENT));
    return;
  }
  const mine = `${PREFIX}${user}:`;
  const sentMine = `${SENT}${user}:`;
  forget(ours(PREFIX).filter((key) => !key.startsWith(mine)));
  forget(ours(SENT).filter((key) => !key.startsWith(sentMine)));

  const succeeded = document.querySelector(".messages .success") !== null;
  ours(sentMine).forEach((key) => {
    if (succeeded) {
      store.removeItem(mine + key.slice(sentMine.length));
    }
    store.removeItem(key);
  });

  document.querySelectorAll("[data-draft-key]").forEach((field) => {
    const key = mine + field.dataset.draftKey;
    const saved = store.getItem(key);
    if (saved !== null && field.value === field.defaultValue && saved !== field.value) {
      field.value = saved;
      const note = document.createElement("p");
      note.className = "hint draft-note";
      note.textContent = "Your unsent text was restored.";
      field.after(note);
    }
    field.addEventListener("input", () => {
      if (field.value === field.defaultValue || field.value === "") {
        store.removeItem(key);
      } else {
        store.setItem(key, field.value);
      }
    });
    if (field.form) {
      field.form.addEventListener("submit", () => {
        store.setItem(sentMine + field.dataset.draftKey, "1");
      });
    }
  });

  const signout = document.querySelector("form.signout");
  if (signout) {
    signout.addEventListener("submit", () => forget([...ours(PREFIX), ...ours(SENT)]));
  }
})();
