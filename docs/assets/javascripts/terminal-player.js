// "▶ 터미널로 보기" beside a badge (hooks/recordings.py) plays the block's terminal recording from
// the last test run. Nothing of it loads with the page: the first click fetches the vendored
// asciinema-player (script and styles), each opening fetches its recording. The player opens
// between the badge and the block; Space, the arrows and the other keys are the player's own,
// Esc (or the control again, or 닫기) closes it and gives focus back to the control.
(() => {
  const scripts = new URL(".", document.currentScript.src);
  const root = new URL("../../", scripts); // recordings/ sits at the site's root
  const open = new Map(); // control -> {panel, player}
  let loading = null;
  let count = 0;

  // The player's own words (asciinema-player 3.18's tooltips, button labels and shortcut help),
  // in Korean. The player writes some of them again as it plays (Play/Pause), so the panel is
  // watched and each English word it writes is replaced as it appears.
  const KOREAN = new Map([
    ["Keyboard shortcuts (?)", "단축키 (?)"],
    ["Fullscreen (f)", "전체 화면 (f)"],
    ["Mute (m)", "소리 끄기 (m)"],
    ["Unmute (m)", "소리 켜기 (m)"],
    ["Show keyboard shortcuts", "단축키 보기"],
    ["Toggle fullscreen mode", "전체 화면 켜기/끄기"],
    ["Mute / unmute", "소리 끄기/켜기"],
    ["Play", "재생"],
    ["Pause", "멈춤"],
    ["Keyboard shortcuts", "단축키"],
    [" - toggle fullscreen mode", " - 전체 화면 켜기/끄기"],
    [" - toggle keystroke overlay", " - 누른 키 표시 켜기/끄기"],
    [" - show this help popup", " - 이 도움말 보기"],
    [" - pause / resume", " - 멈춤/다시 재생"],
    [" - rewind / fast-forward by 5 seconds", " - 5초 뒤로/앞으로"],
    [" - rewind / fast-forward by 10%", " - 10% 뒤로/앞으로"],
    [" - jump to the previous / next marker", " - 이전/다음 표시로 이동"],
    [" - jump to 0%, 10%, 20% ... 90%", " - 0%, 10%, 20% … 90% 위치로 이동"],
    [" - step back / forward, a frame at a time (when paused)", " - 멈춘 상태에서 한 프레임씩 뒤로/앞으로"],
    [" - mute / unmute audio", " - 소리 끄기/켜기"],
  ]);
  const LABELS = ["aria-label", "title"];
  // The terminal's own text is the recording's: a line reading "Play" stays as it was.
  const TERMINAL = ".ap-term";
  const translate = (node) => {
    if ((node.nodeType === Node.TEXT_NODE ? node.parentElement : node)?.closest?.(TERMINAL)) return;
    if (node.nodeType === Node.TEXT_NODE) {
      const korean = KOREAN.get(node.data);
      if (korean !== undefined) node.data = korean;
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    for (const element of [node, ...node.querySelectorAll(`*:not(${TERMINAL}, ${TERMINAL} *)`)]) {
      for (const name of LABELS) {
        const korean = KOREAN.get(element.getAttribute(name));
        if (korean !== undefined) element.setAttribute(name, korean);
      }
      for (const child of element.childNodes) {
        if (child.nodeType === Node.TEXT_NODE) translate(child);
      }
    }
  };
  const inKorean = (screen) => {
    const watcher = new MutationObserver((changes) => {
      for (const change of changes) {
        if (change.type === "childList") change.addedNodes.forEach(translate);
        else translate(change.target);
      }
    });
    watcher.observe(screen, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
      attributeFilter: LABELS,
    });
    translate(screen);
    return watcher;
  };

  const fetched = (element) =>
    new Promise((resolve, reject) => {
      element.onload = resolve;
      element.onerror = () => reject(new Error(`cannot load ${element.src || element.href}`));
    });
  const load = () =>
    (loading ??= (() => {
      const styles = document.createElement("link");
      styles.rel = "stylesheet";
      styles.href = new URL("../stylesheets/asciinema-player.css", scripts).href;
      const script = document.createElement("script");
      script.src = new URL("asciinema-player.min.js", scripts).href;
      // The player measures its font when it mounts: its styles must be in first.
      const both = Promise.all([fetched(styles), fetched(script)]);
      document.head.append(styles, script);
      return both.then(
        () => window.AsciinemaPlayer,
        (error) => {
          loading = null; // the next click tries again
          styles.remove();
          script.remove();
          throw error;
        },
      );
    })());

  const close = (control) => {
    const opened = open.get(control);
    if (!opened) return;
    open.delete(control);
    opened.watcher?.disconnect();
    opened.player?.dispose();
    opened.panel.remove();
    control.setAttribute("aria-expanded", "false");
    control.removeAttribute("aria-controls");
    control.focus();
  };

  const show = (control) => {
    const { recording, engine, date } = control.dataset;
    const panel = document.createElement("div");
    panel.className = "terminal-player";
    panel.id = `terminal-player-${++count}`;
    panel.setAttribute("role", "region");
    panel.setAttribute("aria-label", `터미널 실행 화면 · ${engine} · ${date}`);
    const about = document.createElement("p");
    about.className = "terminal-player__about";
    about.textContent = `${engine}에서 ${date}에 테스트한 실행 화면 · 스페이스: 재생/멈춤, 화살표: 앞뒤로, Esc: 닫기`;
    const shut = document.createElement("button");
    shut.type = "button";
    shut.className = "terminal-player__close";
    shut.textContent = "닫기";
    shut.addEventListener("click", () => close(control));
    const screen = document.createElement("div");
    screen.className = "terminal-player__screen";
    screen.setAttribute("role", "status");
    screen.textContent = "불러오는 중…";
    const bar = document.createElement("div");
    bar.className = "terminal-player__bar";
    bar.append(about, shut);
    panel.append(bar, screen);
    // Before the player's own handler (delegated to the document) sees it; its help overlay,
    // when open, takes the first Esc.
    panel.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || panel.querySelector(".ap-overlay-help")) return;
      event.preventDefault();
      event.stopPropagation();
      close(control);
    });
    control.closest(".test-badge").after(panel);
    control.setAttribute("aria-expanded", "true");
    control.setAttribute("aria-controls", panel.id);
    const opened = { panel, player: null, watcher: null };
    open.set(control, opened);
    load().then(
      (AsciinemaPlayer) => {
        if (open.get(control) !== opened) return; // closed while loading
        screen.textContent = "";
        screen.removeAttribute("role");
        opened.player = AsciinemaPlayer.create(new URL(recording, root).href, screen, {
          autoPlay: true,
          fit: "width",
          idleTimeLimit: 2,
          theme: "docs", // .asciinema-player-theme-docs in badges.css: Material's light/dark
        });
        opened.watcher = inKorean(screen);
        opened.player.el.focus();
      },
      () => {
        screen.textContent = "재생기를 불러오지 못했습니다. 잠시 뒤에 다시 눌러 주세요.";
      },
    );
  };

  document.addEventListener("click", (event) => {
    const control = event.target instanceof Element && event.target.closest(".test-badge__play");
    if (!control) return;
    if (open.has(control)) close(control);
    else show(control);
  });
  // Instant navigation replaces the page: a player left on the old one is stopped.
  document$.subscribe(() => {
    for (const [control, opened] of open) {
      if (!opened.panel.isConnected) {
        opened.watcher?.disconnect();
        opened.player?.dispose();
        open.delete(control);
      }
    }
  });
})();
