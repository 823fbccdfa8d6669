"""Shared fixtures: isolated data dirs, a no-sleep HTTP client, fixture and capture paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl import config
from etl.http import Client

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
CAPTURES = ROOT.parent / "shared" / "captures"


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
