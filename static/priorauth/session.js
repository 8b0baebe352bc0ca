// The idle sign-out warning. The server ends a session SESSION_IDLE_SECONDS after its
// last request; <body data-session-idle-seconds> says how long that is. A couple of
// minutes before, a notice (a role="status" region, never a dialog) offers "Stay
// signed in", which POSTs to data-session-renew-url: any request restarts the clock.
"use strict";

(() => {
  const body = document.body;
  const idleSeconds = Number(body.dataset.sessionIdleSeconds);
  const renewUrl = body.dataset.sessionRenewUrl;
  const notice = document.getElementById("session-notice");
  if (!idleSeconds || !renewUrl || !notice) {
    return;
  }
  const warnBefore = Math.min(120, Math.floor(idleSeconds / 3));
  let timers = [];

  const say = (text, control) => {
    const paragraph = document.createElement("p");
    paragraph.textContent = text;
    notice.replaceChildren(paragraph);
    if (control) {
      notice.append(control);
    }
  };

  const csrfToken = () => {
    const field = document.querySelector("form.signout input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  };

  const ended = () => {
    const link = document.createElement("a");
    const here = window.location.pathname + window.location.search;
    link.href = `${body.dataset.sessionLoginUrl}?next=${encodeURIComponent(here)}`;
    link.textContent = "Sign in again";
    notice.classList.add("ended");
    say("Your session has ended because of inactivity. Text you typed here is kept.", link);
  };

  const renew = async () => {
    let response;
    try {
      response = await fetch(renewUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken() },
      });
    } catch {
      say("Could not reach the server. Check the connection and try again.", button());
      return;
    }
    if (response.status === 204) {
      start();
      say("You are still signed in.");
    } else {
      ended();
    }
  };

  const button = () => {
    const stay = document.createElement("button");
    stay.type = "button";
    stay.textContent = "Stay signed in";
    stay.addEventListener("click", renew);
    return stay;
  };

  const warn = () => {
    const minutes = Math.max(1, Math.round(warnBefore / 60));
    const when = minutes === 1 ? "about a minute" : `about ${minutes} minutes`;
    say(`You will be signed out in ${when} because of inactivity.`, button());
  };

  const start = () => {
    timers.forEach(clearTimeout);
    notice.classList.remove("ended");
    timers = [
      setTimeout(warn, (idleSeconds - warnBefore) * 1000),
      setTimeout(ended, idleSeconds * 1000),
    ];
  };

  start();
})();
