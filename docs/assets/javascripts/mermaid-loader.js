// Material draws ```mermaid blocks with the global `mermaid` and fetches it from a CDN
// when that global is missing. This stand-in keeps the site offline and light: it loads the
// vendored copy (hooks/mermaid_local.py) only when a page actually has a diagram to render.
(() => {
  const source = new URL("mermaid.min.js", document.currentScript.src).href;
  let options = {};
  let loading = null;
  const load = () =>
    (loading ??= new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = source;
      script.onload = () => {
        // The real library replaces this stand-in on `globalThis.mermaid`.
        window.mermaid.initialize(options);
        resolve(window.mermaid);
      };
      script.onerror = () => reject(new Error(`cannot load ${source}`));
      document.head.append(script);
    }));
  window.mermaid = {
    initialize(config) {
      options = config;
    },
    render: (id, text) => load().then((mermaid) => mermaid.render(id, text)),
  };
})();
