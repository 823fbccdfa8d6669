"""Screenshots of every page in headless Chromium, on the seed plus the replayed captures, for review."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import chromium_available, launch, served_demo, wait_rendered  # noqa: E402

PAGES = ["", "demand", "prices", "concentration", "scenarios", "sources", "methodology"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(ROOT / "bench" / "out"), help="folder for the PNGs")
    parser.add_argument("--width", type=int, default=1400)
    # Streamlit scrolls inside its main container, so a tall viewport is what captures a whole page
    parser.add_argument("--height", type=int, default=4400)
    args = parser.parse_args()
    if not chromium_available():
        sys.exit("needs Debian chromium at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with served_demo() as base, sync_playwright() as p:
            browser = launch(p)
            for path in PAGES:
                page = browser.new_page(viewport={"width": args.width, "height": args.height})
                page.goto(f"{base}/{path}")
                wait_rendered(page)
                target = out / f"{path or 'overview'}.png"
                page.screenshot(path=str(target), full_page=True)
                print(f"{target}  charts={page.locator('.js-plotly-plot').count()}  "
                      f"errors={page.locator('[data-testid=stException]').count()}")
                page.close()
            browser.close()


if __name__ == "__main__":
    main()
