"""Item 7: every request has a total deadline, so a server dripping bytes cannot hold a run forever."""

import threading
import time

import duckdb
import pytest

from etl import config, pipeline
from etl.http import Client, FetchError
from tests.ops_support import QUIET, dripping_server, fake_source, only_seed_plus


def _request_in_thread(client, url, wait: float):
    """Run client.request(url) in a thread; (finished, error) after at most `wait` seconds."""
    outcome = {}

    def go():
        try:
            client.request(url)
        except Exception as exc:
            outcome["error"] = exc

    t0 = time.monotonic()
    thread = threading.Thread(target=go, daemon=True)
    thread.start()
    thread.join(timeout=wait)
    return not thread.is_alive(), outcome.get("error"), time.monotonic() - t0


def test_a_dripping_server_is_cut_off_at_the_deadline(settings, monkeypatch):
    monkeypatch.setenv("COMPUTEWATCH_READ_TIMEOUT", "1")
    monkeypatch.setenv("COMPUTEWATCH_REQUEST_DEADLINE", "2")
    client = Client(config.get(), retries=1, backoff=0.1)
    with dripping_server(interval=0.3) as url:
        finished, error, elapsed = _request_in_thread(client, url, wait=20)
    assert finished, "the request was still reading after 20 s: no overall deadline"
    assert isinstance(error, FetchError) and "deadline" in str(error)
    assert elapsed < 20


def test_the_deadline_is_configurable_per_source(settings, monkeypatch):
    monkeypatch.setenv("COMPUTEWATCH_REQUEST_DEADLINE", "300")
    monkeypatch.setenv("COMPUTEWATCH_DEADLINE_VAST", "45")
    s = config.get()
    assert s.deadline_for("vast") == 45.0 and s.deadline_for("akash") == 300.0


def test_a_source_behind_a_dripping_server_fails_with_the_deadline_in_meta_runs(settings, monkeypatch):
    registry = only_seed_plus(monkeypatch)
    monkeypatch.setenv("COMPUTEWATCH_READ_TIMEOUT", "1")
    monkeypatch.setenv("COMPUTEWATCH_DEADLINE_FAKEPRICES", "2")
    module = registry(fake_source())
    with dripping_server(interval=0.3) as url:
        module.fetch = lambda client: [client.request(url, name="slow.json")]
        done = {}
        thread = threading.Thread(target=lambda: done.setdefault(
            "report", pipeline.run(["fakeprices"], client=Client(config.get(), retries=0), log=QUIET)), daemon=True)
        thread.start()
        thread.join(timeout=30)
    assert "report" in done, "the run was still fetching after 30 s"
    assert done["report"].failed and "deadline" in done["report"].failed[0].error
    con = duckdb.connect(config.get().db_path, read_only=True)
    assert "deadline" in con.execute("SELECT error FROM meta.runs WHERE source = 'fakeprices'").fetchone()[0]


@pytest.mark.parametrize("value", ["0", "-1", "soon"])
def test_a_bad_deadline_setting_is_refused(settings, monkeypatch, value):
    monkeypatch.setenv("COMPUTEWATCH_REQUEST_DEADLINE", value)
    with pytest.raises(ValueError, match="COMPUTEWATCH_REQUEST_DEADLINE"):
        config.get()


def test_the_warehouse_path_alone_is_what_the_settings_say():
    from etl import config as cfg

    for env in ({}, {"COMPUTEWATCH_DATA_DIR": "/srv/cw"}, {"COMPUTEWATCH_DATA_DIR": "/srv/cw", "COMPUTEWATCH_DB": "/x/w.duckdb"}):
        assert cfg.db_path(env) == cfg.load(env).db_path
    assert cfg.db_path({"COMPUTEWATCH_DATA_DIR": "/srv/cw"}) == "/srv/cw/warehouse.duckdb"
