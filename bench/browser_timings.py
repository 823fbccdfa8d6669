"""Browser timings: seconds from navigation to a fully drawn page, per page, in headless Chromium."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import chromium_available, launch, served_demo, wait_rendered  # noqa: E402

PAGES = ["", "demand", "prices", "concentration", "scenarios", "sources"]
TITLES = {"": "Overview", "demand": "Demand", "prices": "GPU prices", "concentration": "Concentration",
          "scenarios": "Scenarios", "sources": "Data & sources"}
RUNS = 3


def main() -> None:
    if not chromium_available():
        sys.exit("needs Debian chromium at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with served_demo() as base, sync_playwright() as p:
            browser = launch(p)
            print(f"{'page':<15} {'first (cold) s':>14} {'median warm s':>14} {'charts':>7}")
            for path in PAGES:
                times, charts = [], 0
                for _ in range(RUNS):
                    page = browser.new_page(viewport={"width": 1400, "height": 1200})
                    t0 = time.perf_counter()
                    page.goto(f"{base}/{path}")
                    wait_rendered(page)
                    charts = page.locator(".js-plotly-plot").count()
                    times.append(time.perf_counter() - t0 - 1.5)  # minus wait_rendered's fixed settle time
                    page.close()
                print(f"{path or 'overview':<15} {times[0]:>14.2f} {statistics.median(times[1:]):>14.2f} {charts:>7}")
            # what a reader usually does: move between pages in one tab (Plotly and the app stay loaded)
            page = browser.new_page(viewport={"width": 1400, "height": 1200})
            page.goto(base)
            wait_rendered(page)
            print(f"\n{'in-app navigation':<20} {'s to drawn page':>16}")
            for path in PAGES[1:] + PAGES[:1]:
                t0 = time.perf_counter()
                page.get_by_role("link", name=TITLES[path], exact=True).first.click()
                page.wait_for_url(f"{base}/{path}" if path else base + "/", timeout=30000)
                wait_rendered(page)
                print(f"{path or 'overview':<20} {time.perf_counter() - t0 - 1.5:>16.2f}")
            browser.close()


if __name__ == "__main__":
    main()
