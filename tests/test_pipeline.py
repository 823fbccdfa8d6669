import dataclasses
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from etl import pipeline, warehouse
from etl.provenance import utcnow
from tests.ops_support import fake_source, only_seed_plus

ROOT = Path(__file__).resolve().parent.parent


def tables(db: str, schemas=("core", "marts")) -> dict[str, list]:
    """Every base table of the given schemas, fully sorted, for equality checks."""
    con = duckdb.connect(db, read_only=True)
    try:
        names = con.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables "
            "WHERE table_type = 'BASE TABLE' AND table_schema IN (SELECT unnest(?)) ORDER BY 1",
            [list(schemas)],
        ).fetchall()
        return {n: sorted(map(repr, con.execute(f"SELECT * FROM {n}").fetchall())) for (n,) in names}
    finally:
        con.close()


@pytest.fixture
def registry(monkeypatch):
    """Only the real seed plus the fakes a test adds."""
    return only_seed_plus(monkeypatch)


def later(seconds: float):
    """A run clock `seconds` ahead of now: archive folders are named to the second, so a second run
    stamped a few seconds later archives into a folder of its own, without sleeping."""
    return lambda: utcnow() + timedelta(seconds=seconds)


OFFERS = {"at": "2026-03-01T12:00:00Z", "offers": [{"id": 1, "n": 8, "dph": 16.0}, {"id": 2, "n": 1, "dph": 2.5},
                                                  {"id": 3, "n": 1, "dph": -1.0}, {"id": 4, "n": 2, "dph": 900.0}]}


def test_offline_run_twice_gives_identical_tables(settings, registry):
    pipeline.run(mode="offline", log=open(os.devnull, "w"))
    first = tables(settings.db_path)
    pipeline.run(mode="offline", log=open(os.devnull, "w"))
    second = tables(settings.db_path)
    assert first == second
    assert len(first["core.market_shares"]) > 0 and len(first["core.indicators"]) > 0
    assert len(first["marts.price_index"]) > 0 and len(first["marts.concentration"]) > 0


def test_run_archives_parses_validates_and_rejects_with_reasons(settings, registry):
    registry(fake_source(body=OFFERS))
    report = pipeline.run(["fakeprices"], log=open(os.devnull, "w"))
    assert [r.status for r in report.results] == ["ok"]
    con = duckdb.connect(settings.db_path, read_only=True)
    prices = sorted(con.execute("SELECT offer_id, price_usd_per_gpu_hour FROM core.gpu_prices").fetchall())
    assert prices == [("1", 2.0), ("2", 2.5)]
    reasons = sorted(r[0] for r in con.execute("SELECT reason FROM meta.rejects").fetchall())
    assert reasons[0].startswith("absurd price 450") and reasons[1].startswith("non-positive price")
    run = con.execute("SELECT status, rows_loaded, rows_rejected FROM meta.runs").fetchone()
    assert run == ("ok", 2, 2)
    # the raw payload is archived as fetched with its sha256
    folder = pipeline.archived_snapshots(settings.raw_dir, "fakeprices")[0]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest[0]["url"] == "https://example.test/prices.json"
    assert json.loads((folder / "prices.json").read_bytes()) == OFFERS
    assert manifest[0]["sha256"] == hashlib.sha256((folder / "prices.json").read_bytes()).hexdigest()
    assert con.execute("SELECT name, sha256 FROM meta.payloads").fetchall() == [("prices.json", manifest[0]["sha256"])]


def test_a_run_takes_its_times_from_its_clock(settings, registry):
    registry(fake_source(body=OFFERS))
    at = datetime(2026, 3, 1, 12, 30, 5, tzinfo=UTC)
    report = pipeline.run(["fakeprices"], log=open(os.devnull, "w"), clock=lambda: at)
    assert report.run_id.startswith("20260301T123005Z-")
    assert [f.name for f in pipeline.archived_snapshots(settings.raw_dir, "fakeprices")] == ["2026-03-01T123005"]
    con = duckdb.connect(settings.db_path, read_only=True)
    naive = at.replace(tzinfo=None)
    assert con.execute("SELECT run_id, started_at, finished_at FROM meta.runs").fetchall() == [
        (report.run_id, naive, naive)]


def test_failing_source_keeps_last_good_data_and_says_why(settings, registry):
    module = registry(fake_source(body=OFFERS))
    pipeline.run(["fakeprices"], log=open(os.devnull, "w"))
    module.state["body"] = "<html>"  # a payload that is not what it should be
    report = pipeline.run(["fakeprices"], log=open(os.devnull, "w"))
    assert report.failed and "expected an object" in report.failed[0].error
    module.state["fail"] = RuntimeError("connection refused")
    pipeline.run(["fakeprices", "seed"], log=open(os.devnull, "w"))
    con = duckdb.connect(settings.db_path, read_only=True)
    assert con.execute("SELECT count(*) FROM core.gpu_prices WHERE source = 'fakeprices'").fetchone() == (2,)
    runs = con.execute("SELECT status, error FROM meta.runs WHERE source = 'fakeprices' ORDER BY finished_at").fetchall()
    assert [r[0] for r in runs] == ["ok", "failed", "failed"]
    assert "connection refused" in runs[-1][1]
    assert con.execute("SELECT status FROM marts.freshness WHERE source = 'fakeprices'").fetchone() == ("fresh",)
    assert con.execute("SELECT status FROM meta.runs WHERE source = 'seed'").fetchone() == ("ok",)


def test_cli_run_exits_1_when_a_source_fails(settings, registry):
    registry(fake_source(fail=RuntimeError("down")))
    from etl.__main__ import main
    assert main(["run", "fakeprices"]) == 1
    assert main(["run", "seed"]) == 0


def test_offline_rebuild_replays_the_raw_archive(settings, registry):
    registry(fake_source(body=OFFERS))
    pipeline.run(["fakeprices", "seed"], log=open(os.devnull, "w"))
    before = tables(settings.db_path)
    os.remove(settings.db_path)
    pipeline.run(mode="offline", log=open(os.devnull, "w"))
    assert tables(settings.db_path)["core.gpu_prices"] == before["core.gpu_prices"]


def test_append_source_reloading_same_snapshot_is_idempotent(settings, registry):
    registry(fake_source(body=OFFERS))
    pipeline.run(["fakeprices"], log=open(os.devnull, "w"))
    pipeline.run(["fakeprices"], log=open(os.devnull, "w"))
    con = duckdb.connect(settings.db_path, read_only=True)
    assert con.execute("SELECT count(*) FROM core.gpu_prices").fetchone() == (2,)


def test_due_runs_only_sources_past_their_cadence(settings, registry):
    registry(fake_source(body=OFFERS))
    pipeline.run(["seed"], log=open(os.devnull, "w"))
    report = pipeline.run(due=True, log=open(os.devnull, "w"))
    assert [r.source for r in report.results] == ["fakeprices"]


def test_second_concurrent_run_is_refused_with_a_clear_message(settings, registry):
    with warehouse.run_lock(settings.lock_path):
        with pytest.raises(warehouse.LockedError, match="another ETL run holds"):
            pipeline.run(["seed"], log=open(os.devnull, "w"))


def test_reader_keeps_working_during_publish_then_sees_new_data(settings, registry):
    module = registry(fake_source(body=OFFERS))
    pipeline.run(["fakeprices"], log=open(os.devnull, "w"))
    reader = duckdb.connect(settings.db_path, read_only=True)
    assert reader.execute("SELECT count(*) FROM core.gpu_prices").fetchone() == (2,)
    module.state["body"] = {**OFFERS, "at": "2026-03-02T12:00:00Z"}
    pipeline.run(["fakeprices"], log=open(os.devnull, "w"))
    # the open reader still reads its (old, intact) file
    assert reader.execute("SELECT count(*) FROM core.gpu_prices").fetchone() == (2,)
    reader.close()
    reopened = duckdb.connect(settings.db_path, read_only=True)
    assert reopened.execute("SELECT count(*) FROM core.gpu_prices").fetchone() == (4,)


def _published_state(db):
    return tables(db, schemas=("core", "marts", "meta"))


@pytest.mark.parametrize("extra_delay", [0.0, 0.05, 0.15])
def test_killing_a_run_mid_build_leaves_the_published_warehouse_intact(settings, extra_delay):
    env = {**os.environ, "COMPUTEWATCH_DATA_DIR": str(settings.data_dir)}
    subprocess.run([sys.executable, "-m", "etl", "run", "--offline"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    before = _published_state(settings.db_path)
    building = warehouse.building_path(settings.db_path)
    proc = subprocess.Popen([sys.executable, "-m", "etl", "run", "--offline"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not building.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)  # kill only once the build file exists: mid-build, before publish
    time.sleep(extra_delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the run finished before the kill; nothing was tested"
    assert _published_state(settings.db_path) == before
    # and the next run cleans up the half-built file and publishes normally
    done = subprocess.run([sys.executable, "-m", "etl", "run", "--offline"], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert not warehouse.building_path(settings.db_path).exists()


def test_replayed_files_are_dated_by_path_then_declared_capture_date_then_mtime(tmp_path):
    (tmp_path / "prov" / "2026-02-27").mkdir(parents=True)
    (tmp_path / "prov" / "2026-02-27" / "a.json").write_text("{}")
    (tmp_path / "prov" / "undated.json").write_text("{}")
    (tmp_path / "prov" / "other.json").write_text("{}")
    module = fake_source()
    module.SOURCE = dataclasses.replace(module.SOURCE, captures=("prov/**/*.json",),
                                        capture_dates=(("prov/undated.json", "2025-09-17"),))
    dated = {p.name: p.fetched_at for p in pipeline.replay_payloads(module, tmp_path)}
    assert dated["a.json"].date().isoformat() == "2026-02-27"
    assert dated["undated.json"].date().isoformat() == "2025-09-17"
    assert dated["other.json"].date() == datetime.fromtimestamp(
        (tmp_path / "prov" / "other.json").stat().st_mtime, UTC).date()


def test_offline_skips_a_bad_archived_snapshot_and_keeps_the_good_ones(settings, registry):
    module = registry(fake_source(body=OFFERS))
    pipeline.run(["fakeprices", "seed"], log=open(os.devnull, "w"))
    module.state["body"] = {"at": "2026-03-02T12:00:00Z", "offers": "not a list"}  # archived, then fails
    pipeline.run(["fakeprices"], log=open(os.devnull, "w"), clock=later(5))
    report = pipeline.run(mode="offline", log=open(os.devnull, "w"))
    result = {r.source: r for r in report.results}["fakeprices"]
    assert result.status == "ok" and "skipped 1 archived snapshot" in result.error
    con = duckdb.connect(settings.db_path, read_only=True)
    assert con.execute("SELECT count(*) FROM core.gpu_prices WHERE source = 'fakeprices'").fetchone() == (2,)


def test_offline_replace_source_falls_back_to_the_newest_snapshot_that_parses(settings, registry):
    module = registry(fake_source(body=OFFERS, load="replace"))
    pipeline.run(["fakeprices", "seed"], log=open(os.devnull, "w"))
    module.state["body"] = "<html>maintenance</html>"
    pipeline.run(["fakeprices"], log=open(os.devnull, "w"), clock=later(5))
    pipeline.run(mode="offline", log=open(os.devnull, "w"))
    con = duckdb.connect(settings.db_path, read_only=True)
    assert con.execute("SELECT count(*) FROM core.gpu_prices WHERE source = 'fakeprices'").fetchone() == (2,)


def test_offline_loads_overlapping_append_snapshots_like_the_live_runs_did(settings, registry):
    registry(fake_source(body=OFFERS))
    pipeline.run(["fakeprices", "seed"], log=open(os.devnull, "w"))
    pipeline.run(["fakeprices"], log=open(os.devnull, "w"), clock=later(5))  # the same observations fetched again
    live = tables(settings.db_path)["core.gpu_prices"]
    pipeline.run(mode="offline", log=open(os.devnull, "w"))
    assert tables(settings.db_path)["core.gpu_prices"] == live
    assert sum("'fakeprices'" in row for row in live) == 2


def test_offline_run_of_named_sources_keeps_the_others(settings, registry):
    registry(fake_source(body=OFFERS))
    pipeline.run(["fakeprices", "seed"], log=open(os.devnull, "w"))
    before = tables(settings.db_path)
    pipeline.run(["fakeprices"], mode="offline", log=open(os.devnull, "w"))
    after = tables(settings.db_path)
    assert after["core.indicators"] == before["core.indicators"]
    assert after["core.gpu_prices"] == before["core.gpu_prices"]


def test_a_corrupted_archive_file_is_refused(settings, registry):
    registry(fake_source(body=OFFERS, load="replace"))
    pipeline.run(["fakeprices", "seed"], log=open(os.devnull, "w"))
    folder = pipeline.archived_snapshots(settings.raw_dir, "fakeprices")[0]
    (folder / "prices.json").write_bytes(b'{"at": "2026-03-01T12:00:00Z", "offers": []')  # truncated
    with pytest.raises(ValueError, match="does not match its manifest sha256"):
        pipeline.read_archive(folder)
    report = pipeline.run(mode="offline", log=open(os.devnull, "w"))
    assert {r.source: r.status for r in report.results}["fakeprices"] == "failed"


def test_a_source_that_never_succeeded_is_stale_not_never(settings, registry):
    registry(fake_source(fail=RuntimeError("HTTP 403")))
    pipeline.run(["fakeprices", "seed"], log=open(os.devnull, "w"))
    con = duckdb.connect(settings.db_path, read_only=True)
    status = dict(con.execute("SELECT source, status FROM marts.freshness").fetchall())
    assert status["fakeprices"] == "stale" and status["seed"] == "fresh"


def test_freshness_is_computed_in_utc_whatever_the_local_time_zone(settings, registry, monkeypatch):
    registry(fake_source(body=OFFERS))
    pipeline.run(["fakeprices"], log=open(os.devnull, "w"))
    con = duckdb.connect(settings.db_path)
    con.execute("UPDATE meta.runs SET data_as_of = (now() AT TIME ZONE 'UTC') - INTERVAL 1 HOUR")
    for zone in ("UTC", "Asia/Tokyo", "America/Los_Angeles"):
        con.execute(f"SET TimeZone = '{zone}'")
        assert con.execute("SELECT status FROM marts.freshness WHERE source = 'fakeprices'").fetchone() == ("fresh",)
