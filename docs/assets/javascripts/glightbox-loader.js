// Lightbox for pictures (hooks/lightbox.py wraps each in `a.glightbox`). The vendored glightbox
// is fetched when a reader first clicks a picture, not with the page; from then on it binds
// the pictures itself, again after every instant navigation (Material's `document$`).
(() => {
  const scripts = new URL(".", document.currentScript.src);
  let loading = null;
  let lightbox = null;
  const load = () =>
    (loading ??= new Promise((resolve, reject) => {
      const styles = document.createElement("link");
      styles.rel = "stylesheet";
      styles.href = new URL("../stylesheets/glightbox.min.css", scripts).href;
      const script = document.createElement("script");
      script.src = new URL("glightbox.min.js", scripts).href;
      script.onload = resolve;
      script.onerror = () => {
        loading = null; // the next click tries again
        reject(new Error(`cannot load ${script.src}`));
      };
      document.head.append(styles, script);
    }));
  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element && event.target.closest("a.glightbox");
    if (!link || lightbox) return;
    event.preventDefault();
    load().then(
      () => {
        lightbox = GLightbox({ touchNavigation: true, zoomable: true, draggable: true });
        lightbox.openAt([...document.querySelectorAll("a.glightbox")].indexOf(link));
      },
      () => location.assign(link.href), // without the lightbox the picture still opens
    );
  });
  document$.subscribe(() => lightbox?.reload());
})();
