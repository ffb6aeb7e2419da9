"""`make screenshot`: images/screenshot.png, a chapter page of the built site for the README."""

from __future__ import annotations

import tempfile
from pathlib import Path

import sitekit

TARGET = sitekit.ROOT / "images" / "screenshot.png"
PAGE = "image-commands/"


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        site_dir = Path(folder)
        sitekit.build(site_dir)
        with (
            sitekit.serve(site_dir) as served,
            sitekit.browser() as browser,
            sitekit.tab(browser, sitekit.View(1280, height=800)) as page,
        ):
            sitekit.visit(page, served.url + PAGE)
            page.screenshot(path=str(TARGET))
    print(f"wrote {TARGET.relative_to(sitekit.ROOT)}")


if __name__ == "__main__":
    main()
