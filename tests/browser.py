"""Helpers to serve the app on a free localhost port and drive Debian's Chromium through Playwright."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("COMPUTEWATCH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync"]


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(app: Path, env: dict[str, str], port: int | None = None, timeout: float = 60.0):
    """Run `streamlit run app` on localhost; yield (base URL, process); stop it after."""
    port = port or free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(app),
         "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                raise RuntimeError(f"{app.name} did not start on {base}: {err[-2000:]}")
            time.sleep(0.3)
        yield base, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextlib.contextmanager
def serve(env: dict[str, str], port: int | None = None, timeout: float = 60.0):
    """Run the dashboard (dashboard/app.py) on localhost; yield its base URL; stop it after."""
    with streamlit_server(ROOT / "dashboard" / "app.py", env, port, timeout) as (base, _proc):
        yield base


@contextlib.contextmanager
def served_demo():
    """Serve the app on a throwaway warehouse: the seed plus, when present, the replayed captures."""
    import tempfile

    from etl import pipeline

    captures = ROOT.parent / "shared" / "captures"
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["COMPUTEWATCH_DATA_DIR"] = tmp
        pipeline.run(mode="offline", log=open(os.devnull, "w"))
        if captures.is_dir():
            pipeline.run(mode="replay", replay_dir=captures, log=open(os.devnull, "w"))
        with serve({"COMPUTEWATCH_DATA_DIR": tmp}) as base:
            yield base


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


# The paint signal a long page mounts while it waits to draw the rest below its first chart
# (dashboard.ui.rest_of_page): a page is drawn whole once it is gone.
REST_PENDING = '[class*="st-key-cw_first_paint_"]'
# Idle: no script run going, and no page waiting to draw its rest.
_IDLE = f"!document.querySelector('[data-testid=\"stStatusWidget\"]') && !document.querySelector('{REST_PENDING}')"
IDLE_JS = f"() => {_IDLE}"


def wait_rendered(page, timeout_ms: int = 60000) -> None:
    """Wait until Streamlit has finished the script run (no running indicator) and the DOM settled."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    done = (f"() => {_IDLE} && "
            "!document.querySelector('[data-testid=\"stSkeleton\"]') && "
            "document.querySelectorAll('[data-testid=\"stMain\"] *').length > 20")
    page.wait_for_function(done, timeout=timeout_ms)
    page.wait_for_timeout(1500)  # plotly draws asynchronously after the script run ends
    page.wait_for_function(done, timeout=timeout_ms)
