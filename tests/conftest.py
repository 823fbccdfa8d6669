"""Shared fixtures: isolated data dirs, a no-sleep HTTP client, fixture and capture paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from etl import config, pipeline, sources
from etl.http import Client

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
CAPTURES = ROOT.parent / "shared" / "captures"
APP = str(ROOT / "dashboard" / "app.py")


@pytest.fixture
def settings(tmp_path, monkeypatch) -> config.Settings:
    """Settings pointing every writable path into tmp_path (the real seed stays readable)."""
    monkeypatch.setenv("COMPUTEWATCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("COMPUTEWATCH_DB", raising=False)
    monkeypatch.delenv("COMPUTEWATCH_RAW_DIR", raising=False)
    return config.get()


class RecordingClient(Client):
    """A Client whose sleeps are recorded instead of slept, so retry and throttle tests are instant."""

    def __init__(self, settings=None, **kwargs):
        self.slept: list[float] = []
        self._now = 0.0
        super().__init__(settings, sleep=self._sleep, clock=lambda: self._now, **kwargs)

    def _sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self._now += seconds


@pytest.fixture
def client(settings) -> RecordingClient:
    return RecordingClient(settings)


@pytest.fixture
def mini_seed(tmp_path, monkeypatch):
    """Point the reference tables at a small hand-written seed, so a parser test does not depend on
    the evolving data/seed: mini_seed(gpu_models_csv, providers_csv) -> the folder."""

    def make(gpu_models: str, providers: str) -> Path:
        folder = tmp_path / "seed"
        folder.mkdir(exist_ok=True)
        (folder / "gpu_models.csv").write_text(gpu_models, encoding="utf-8")
        (folder / "providers.csv").write_text(providers, encoding="utf-8")
        monkeypatch.setenv("COMPUTEWATCH_SEED_DIR", str(folder))
        return folder

    return make


@pytest.fixture
def fixture_path():
    def path(name: str) -> Path:
        found = FIXTURES / name
        assert found.exists(), f"missing fixture {found}"
        return found

    return path


@pytest.fixture
def captures() -> Path:
    """The real captures beside the checkout (integration tests); CI lays them at ../shared."""
    if not CAPTURES.is_dir():
        pytest.skip("../shared/captures is not beside this checkout (integration data, not a feature)")
    return CAPTURES


_env = config.environ  # set or unset environment variables for a block (etl/config.py)


def _build(folder: Path, replay: bool) -> str:
    """A warehouse built offline from the real seed (and, with `replay`, every capture) in `folder`."""
    quiet = open(os.devnull, "w")
    with _env(COMPUTEWATCH_DATA_DIR=str(folder), COMPUTEWATCH_DB=None):
        pipeline.run(mode="offline", log=quiet)
        if replay:
            names = [n for n, source in sources.SOURCES.items() if source.captures and n != "seed"]
            report = pipeline.run(names, mode="replay", replay_dir=CAPTURES, log=quiet)
            assert report.published and not report.failed, report.failed
    return str(folder / "warehouse.duckdb")


@pytest.fixture(scope="session")
def _seeded_file(tmp_path_factory) -> str:
    return _build(tmp_path_factory.mktemp("appdata"), replay=False)


@pytest.fixture(scope="session")
def _replayed_file(tmp_path_factory) -> str:
    if not CAPTURES.is_dir():
        pytest.skip("../shared/captures is not beside this checkout (integration data, not a feature)")
    return _build(tmp_path_factory.mktemp("replaydata"), replay=True)


@pytest.fixture
def seeded_db(_seeded_file):
    """The seed-only warehouse, built once per test session; the test's pages read it.

    Tests must treat it as read-only: a test that needs other data builds its own warehouse.
    """
    with _env(COMPUTEWATCH_DB=_seeded_file):
        yield _seeded_file


@pytest.fixture
def replayed_db(_replayed_file):
    """The seed plus every source that declares captures, replayed from ../shared/captures, built once
    per test session (skips when the captures are not beside the checkout). Read-only, as seeded_db."""
    with _env(COMPUTEWATCH_DB=_replayed_file):
        yield _replayed_file


def open_page(page: str, params: dict | None = None) -> AppTest:
    """Run the app on `page` (a file stem in dashboard/app_pages) with URL query parameters."""
    at = AppTest.from_file(APP, default_timeout=90)
    from dashboard import ui

    # as if the browser had drawn each page's first chart (it asks for the rest then: ui.rest_of_page)
    at.session_state[ui.PAINTED] = {ui.PAINTED_EVERYWHERE}
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py")
    for k, v in (params or {}).items():
        at.query_params[k] = v
    return at.run()


@pytest.fixture(scope="session")
def _priced_file(_seeded_file, tmp_path_factory) -> str:
    from tests.test_model_scenarios_data import make_priced

    return make_priced(_seeded_file, tmp_path_factory)


@pytest.fixture
def priced_db(_priced_file):
    """The seed warehouse with a price index of the rebuilt schema (tests/test_model_scenarios_data.py)."""
    with _env(COMPUTEWATCH_DB=_priced_file):
        yield _priced_file


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright, one per test module (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    from tests.browser import launch

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()
