"""Items 9 and 17 in Chromium: a crafted link cannot put a link or an image on the page; a served
dashboard shows a refresh under way and then the newly published data without a reload."""

import os
import shutil
import time
from pathlib import Path
from urllib.parse import quote

import duckdb
import pytest

from tests.browser import chromium_available, serve, wait_rendered

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="Debian chromium not installed (.ci/run installs it)"),
]


@pytest.fixture(scope="module")
def server(_seeded_file):
    with serve({"COMPUTEWATCH_DB": _seeded_file}) as base:
        yield base


class PixelServer:
    """Counts GET requests: an <img> the page renders from a crafted link would request it."""

    def __init__(self):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.hits = []
        hits = self.hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/gif")
                self.end_headers()
                self.wfile.write(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/pixel.gif"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def pixel():
    p = PixelServer()
    yield p
    p.close()


def crafted(pixel_url: str) -> str:
    """A value that closes a markdown code span, then adds a link and an image."""
    return f"x` [Log in again](https://phish.example/login) ![x]({pixel_url}) `y"


CASES = {
    "bad value": lambda v: f"sources?src_segment={quote(v)}",
    "unknown name": lambda v: f"sources?{quote(v)}=1",
    "scenario pin": lambda v: f"scenarios?pin_users={quote(v)}",
    "model version": lambda v: f"scenarios?model_version={quote(v)}",
    "pinned snapshot": lambda v: f"scenarios?pin_hhi=1000&snapshot={quote(v)}",
    "old-model link": lambda v: f"scenarios?sc_v=1&sc_pin_users=700&sc_snap={quote(v)}",
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_crafted_url_is_shown_as_plain_text_never_as_a_link_or_an_image(server, browser, pixel, case):
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    page.goto(f"{server}/{CASES[case](crafted(pixel.url))}")
    wait_rendered(page)
    page.wait_for_timeout(1000)
    assert page.locator('a[href*="phish.example"]').count() == 0
    assert page.locator(f'img[src*="{pixel.url.split("/pixel")[0]}"]').count() == 0
    assert pixel.hits == [], "the page requested an image named in the link"
    assert "phish.example" in page.inner_text("body")  # shown, as text, for the user to see
    page.close()


def test_a_served_dashboard_shows_the_refresh_then_the_new_data(browser, _seeded_file, tmp_path):
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(_seeded_file, db)
    lock = Path(f"{db}.lock")
    lock.write_text(f"pid {os.getpid()} since 2026-12-01 09:00:00 UTC")
    newer = tmp_path / "newer.duckdb"
    shutil.copy(_seeded_file, newer)
    con = duckdb.connect(str(newer))
    con.execute("UPDATE meta.snapshot SET id = 'published-during-the-visit'")
    con.close()
    with serve({"COMPUTEWATCH_DB": str(db)}) as base:
        page = browser.new_page(viewport={"width": 1400, "height": 1200})
        page.goto(f"{base}/sources")
        wait_rendered(page)
        sidebar = page.locator('[data-testid="stSidebar"]')
        assert "refresh from the live sources is under way" in sidebar.inner_text()
        os.replace(newer, db)  # what the ETL's publish does
        lock.write_text("")  # and the run ends
        deadline = time.monotonic() + 60
        text = sidebar.inner_text()
        while time.monotonic() < deadline and ("published-during-the-visit" not in text or "under way" in text):
            page.wait_for_timeout(500)  # no user action: the page follows the publish by itself
            text = sidebar.inner_text()
        assert "published-during-the-visit" in text and "under way" not in text
        page.close()
