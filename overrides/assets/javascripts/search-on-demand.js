// Search on demand. Material's bundle requests search/search_index.json (XMLHttpRequest) as
// soon as a page loads: the largest download of a first visit, which a reader who never
// searches does not need. This holds that one request back until the reader turns to search
// (focuses or opens the search box, by click, tap or the s, f and / keys) or arrives with
// ?q= or ?h= (a search link; highlighted search results), which need the index at once.
// Material waits for the index as it does for a slow network: its worker sets up when the
// index arrives and then answers the query typed so far. Inlined into the page's head
// (overrides/main.html): it runs before the bundle, so the bundle's request goes through these
// methods, and it costs no request of its own, so it does not hold back the first paint.
// (Included as a Jinja template: no double braces or brace-percent here.)
(() => {
  "use strict";
  const INDEX = /\/search\/search_index\.json$/;
  const KEYS = new Set(["s", "f", "/"]); // Material's keys that open search
  const params = new URLSearchParams(location.search);
  let wanted = params.has("q") || params.has("h");
  const held = [];
  const release = () => {
    wanted = true;
    for (const send of held.splice(0)) send();
  };

  const targets = new WeakSet();
  const { open, send } = XMLHttpRequest.prototype;
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    if (INDEX.test(new URL(String(url), location.href).pathname)) targets.add(this);
    return open.call(this, method, url, ...rest);
  };
  XMLHttpRequest.prototype.send = function (...body) {
    if (wanted || !targets.has(this)) return send.apply(this, body);
    held.push(() => send.apply(this, body));
  };

  const isSearch = (target) =>
    target instanceof Element &&
    target.closest("[data-md-component=search], label[for=__search]") !== null;
  document.addEventListener("focusin", (event) => isSearch(event.target) && release());
  document.addEventListener("pointerdown", (event) => isSearch(event.target) && release(), {
    capture: true,
  });
  document.addEventListener("change", (event) => {
    if (event.target instanceof HTMLInputElement && event.target.id === "__search") release();
  });

  // The search keys release the index themselves: a focusin comes only from Material's key
  // handler, which the bundle attaches when it has run, and a reader may press s before that
  // (on a slow phone, seconds after the page shows). Such an early key is not lost: once the
  // bundle has started (it runs before DOMContentLoaded), the search box is focused as
  // Material would have done, which opens the search. Keys typed into a field are the field's.
  let early = false;
  const typing = (element) =>
    element instanceof HTMLInputElement ||
    element instanceof HTMLTextAreaElement ||
    element instanceof HTMLSelectElement ||
    (element instanceof HTMLElement && element.isContentEditable);
  window.addEventListener(
    "keydown",
    (event) => {
      if (!KEYS.has(event.key) || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.isComposing || typing(event.target)) return;
      release();
      if (window.component$ === undefined) {
        early = true;
        event.preventDefault(); // as Material does: no scroll or find-as-you-type
      }
    },
    { capture: true },
  );
  document.addEventListener("DOMContentLoaded", () => {
    // Listeners run in order, and the bundle's own DOMContentLoaded work comes after this
    // one: a task later, the search is mounted and its focus opens the search dialog.
    setTimeout(() => {
      const query = document.querySelector("[data-md-component=search-query]");
      if (!early || !(query instanceof HTMLInputElement)) return;
      early = false;
      query.focus();
      query.select();
    });
  });
})();
