/* Tells the editor and review pages when a colleague saved Staging after the page was opened.

   Non-blocking, as a notice rather than a lock: the page keeps working, and a save on the
   older revision is merged or shown as a conflict by the server anyway. It asks
   `data-watch-url` (Staging's revision and who saved it) every 20 seconds while the page is
   visible, and at once when the window gets the focus back. Without JavaScript nothing is
   shown, and nothing is lost either. */
(function () {
  "use strict";
  var box = document.querySelector("[data-staging-watch]");
  if (!box || !window.fetch) {
    return;
  }
  var seen = parseInt(box.getAttribute("data-revision"), 10);
  var me = box.getAttribute("data-me");
  var shown = false;
  var INTERVAL = 20000;

  function show(state) {
    var who = state.updated_by && state.updated_by !== me ? state.updated_by : "Someone";
    if (state.updated_by === me) {
      who = "You (in another tab)";
    }
    var when = state.updated_at ? new Date(state.updated_at) : null;
    box.querySelector("[data-watch-who]").textContent = who;
    box.querySelector("[data-watch-when]").textContent = when
      ? when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
      : "just now";
    if (state.changes_url) {
      box.querySelector("[data-watch-changes]").setAttribute("href", state.changes_url);
    }
    box.hidden = false;
    shown = true;
  }

  function check() {
    if (shown || document.visibilityState === "hidden") {
      return;
    }
    fetch(box.getAttribute("data-watch-url") + "?since=" + seen, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (state) {
        if (state && state.revision > seen) {
          show(state);
        }
      })
      .catch(function () {
        /* Offline or signed out: try again at the next tick. */
      });
  }

  window.setInterval(check, INTERVAL);
  window.addEventListener("focus", check);
  document.addEventListener("visibilitychange", check);
})();
