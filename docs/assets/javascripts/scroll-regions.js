// A wide table scrolls sideways in the box Material wraps it in when it mounts a page
// (.md-typeset__scrollwrap); a keyboard reader can scroll that box only once it can take the
// focus (axe: scrollable-region-focusable). Runs again after every instant navigation.
(() => {
  "use strict";
  window.document$.subscribe(() => {
    for (const box of document.querySelectorAll(".md-typeset__scrollwrap")) {
      box.tabIndex = 0;
    }
  });
})();
