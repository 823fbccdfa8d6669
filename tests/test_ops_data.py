"""Items 2-5 and 12: no rows lost or wrong under broken seeds, shrinking replace loads, absurd values,
duplicates, and no pointless publish when nothing is due."""

import os
import shutil
from pathlib import Path

import duckdb
import pytest

from etl import pipeline, warehouse
from etl.__main__ import main
from tests.ops_support import OFFERS, QUIET, fake_source, indicator_source, only_seed_plus

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def registry(monkeypatch):
    return only_seed_plus(monkeypatch)


@pytest.fixture
def seed_copy(tmp_path, monkeypatch):
    """A copy of data/seed the test may break (the real one is never touched)."""
    folder = tmp_path / "seedcopy"
    shutil.copytree(ROOT / "data" / "seed", folder)
    monkeypatch.setenv("COMPUTEWATCH_SEED_DIR", str(folder))
    return folder


def count(db: str, sql: str, params=()) -> int:
    con = duckdb.connect(db, read_only=True)
    try:
        return con.execute(sql, list(params)).fetchone()[0]
    finally:
        con.close()


def seed_rows(db: str) -> int:
    return sum(count(db, f"SELECT count(*) FROM core.{t} WHERE source = 'seed'") for t in
               ("gpu_prices", "market_shares", "indicators"))


def last_run(db: str, source: str):
    con = duckdb.connect(db, read_only=True)
    try:
        # two runs can finish in one second (times are kept to the second): the later insert is the later run
        return con.execute("SELECT status, error FROM meta.runs WHERE source = ? ORDER BY finished_at DESC, rowid DESC LIMIT 1",
                           [source]).fetchone()
    finally:
        con.close()


# --------------------------------------------------------------------------- item 2

def _rename_column(folder: Path):
    path = folder / "market_shares.csv"
    text = path.read_text()
    path.write_text(text.replace("share_pct", "share_percent", 1))


def _random_bytes(folder: Path):
    (folder / "market_shares.csv").write_bytes(os.urandom(4000))


def _deleted(folder: Path):
    (folder / "market_shares.csv").unlink()


def _truncated(folder: Path):
    path = folder / "indicators.csv"
    body = path.read_bytes()
    path.write_bytes(body[: len(body) // 2 + 17])  # cut in the middle of a row


@pytest.mark.parametrize("breakage", [_rename_column, _random_bytes, _deleted, _truncated])
def test_a_broken_seed_file_keeps_the_last_good_seed_rows_in_an_offline_rebuild(settings, seed_copy, breakage):
    assert main(["run", "--offline"]) == 0
    good = seed_rows(settings.db_path)
    assert good > 300
    breakage(seed_copy)
    assert main(["run", "--offline"]) == 1  # the seed failed, and the run says so
    assert seed_rows(settings.db_path) == good
    status, error = last_run(settings.db_path, "seed")
    assert status == "failed" and error
    if breakage is _truncated:
        assert "truncated" in error


# --------------------------------------------------------------------------- item 3

FILINGS = {"companies": {"Amazon": [20.0, 22.0, 25.0, 27.0, 30.0], "Microsoft": [15.0, 16.0, 18.0, 20.0, 21.0]}}


def test_a_replace_load_that_would_remove_a_whole_entity_is_refused(settings, registry):
    module = registry(indicator_source())
    module.state["body"] = FILINGS
    assert [r.status for r in pipeline.run(["fakeedgar"], log=QUIET).results] == ["ok"]
    module.state["body"] = {"companies": {"Amazon": [], "Microsoft": FILINGS["companies"]["Microsoft"]}}
    report = pipeline.run(["fakeedgar"], log=QUIET)
    assert report.failed and "Amazon" in report.failed[0].error and "remove" in report.failed[0].error
    assert count(settings.db_path, "SELECT count(*) FROM core.indicators WHERE entity = 'Amazon'") == 5


def test_a_replace_load_that_drops_too_many_rows_is_refused_and_can_be_accepted(settings, registry):
    module = registry(indicator_source())
    module.state["body"] = FILINGS
    pipeline.run(["fakeedgar"], log=QUIET)
    module.state["body"] = {"companies": {k: v[:2] for k, v in FILINGS["companies"].items()}}
    report = pipeline.run(["fakeedgar"], log=QUIET)
    assert report.failed and "drop 6 of 10 rows" in report.failed[0].error
    assert count(settings.db_path, "SELECT count(*) FROM core.indicators WHERE source = 'fakeedgar'") == 10
    assert main(["run", "fakeedgar", "--accept-drops"]) == 0  # a maintainer who checked it says so
    assert count(settings.db_path, "SELECT count(*) FROM core.indicators WHERE source = 'fakeedgar'") == 4


def test_a_corrupt_archived_snapshot_of_a_replace_source_keeps_its_rows_in_an_offline_rebuild(settings, registry):
    module = registry(indicator_source())
    module.state["body"] = FILINGS
    pipeline.run(["fakeedgar"], log=QUIET)
    pipeline.run(mode="offline", log=QUIET)
    assert count(settings.db_path, "SELECT count(*) FROM core.indicators WHERE source = 'fakeedgar'") == 10
    for f in settings.raw_dir.joinpath("fakeedgar").rglob("filings.json"):
        f.write_bytes(f.read_bytes()[:20])  # bit rot / truncation on disk
    report = pipeline.run(mode="offline", log=QUIET)
    assert [r.status for r in report.results if r.source == "fakeedgar"] == ["failed"]
    assert count(settings.db_path, "SELECT count(*) FROM core.indicators WHERE source = 'fakeedgar'") == 10


# --------------------------------------------------------------------------- item 4

@pytest.mark.parametrize(("table", "row", "reason"), [
    ("indicators", {"period": "2025-01-01", "indicator": "capex", "entity": "Amazon", "value": 999_999_990.0,
                    "unit": "USD bn"}, "outside"),
    ("indicators", {"period": "2025-01-01", "indicator": "capex", "entity": "Amazon", "value": -500.0,
                    "unit": "USD bn"}, "outside"),
    ("indicators", {"period": "2025-01-01", "indicator": "x", "entity": "y", "value": -1e15, "unit": "USD bn"},
     "outside"),
    ("indicators", {"period": "2025-01-01", "indicator": "gpu_rental_price_index", "entity": "H100 SXM",
                    "value": 5000.0, "unit": "USD per GPU-hour"}, "outside"),
    ("indicators", {"period": "2025-01-01", "indicator": "gpu_rental_price_index", "entity": "H100 SXM",
                    "value": -2.0, "unit": "USD per GPU-hour"}, "outside"),
    ("indicators", {"period": "2025-01-01", "indicator": "training_compute_growth", "entity": "all",
                    "value": 50_000.0, "unit": "x per year"}, "outside"),
    ("indicators", {"period": "2025-01-01", "indicator": "users", "entity": "all", "value": -3.0,
                    "unit": "million"}, "outside"),
    ("indicators", {"period": "2025-01-01", "indicator": "users", "entity": "all", "value": 5.0,
                    "value_low": 6.0, "unit": "million"}, "value_low"),
    ("market_shares", {"period": "2025-01-01", "market": "cloud", "entity": "A", "share_pct": 30.0,
                       "share_low_pct": 40.0, "basis": "revenue"}, "share_low_pct"),
    ("market_shares", {"period": "2025-01-01", "market": "cloud", "entity": "A", "share_pct": 130.0,
                       "basis": "revenue"}, "outside 0-100"),
    ("gpu_specs", {"gpu_model": "H100 SXM", "hardware_name": "H100", "memory_gb": -80.0}, "outside"),
    ("supply", {"observed_at": "2026-01-01", "network": "n", "segment": "depin", "gpus_total": 1e12},
     "outside"),
])
def test_implausible_values_are_rejected_with_reasons(table, row, reason):
    data = warehouse.validate("t", [{"table": table, **row}])
    assert data.n_rows == 0
    assert len(data.rejects) == 1 and reason in data.rejects[0][1]


def test_plausible_seed_rows_all_pass_the_bounds(settings):
    from etl import sources

    payloads = sources.MODULES["seed"].fetch(None)
    data = warehouse.validate("seed", pipeline.parse_all(sources.MODULES["seed"], payloads))
    assert data.rejects == [] and data.n_rows > 300


def test_a_seed_with_absurd_figures_loads_the_rest_and_rejects_those(settings, seed_copy):
    path = seed_copy / "indicators.csv"
    lines = path.read_text().splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    row = dict.fromkeys(header, "")
    row.update(period_label="2025", period_start="2025-01-01", indicator="absurd", entity="World",
               value="-1e15", unit="USD bn", source_name="Test", source_url="https://example.test",
               source_date="2025-01-01", confidence="uncertain")
    path.write_text("".join(lines) + ",".join(row[c] for c in header) + "\n")
    assert main(["run", "seed"]) == 0
    assert count(settings.db_path, "SELECT count(*) FROM core.indicators WHERE indicator = 'absurd'") == 0
    assert count(settings.db_path, "SELECT count(*) FROM meta.rejects WHERE reason LIKE 'value -1e+15 outside%'") == 1


# --------------------------------------------------------------------------- item 5

def test_records_repeated_in_a_snapshot_load_once_and_the_drop_is_counted(settings, registry):
    repeated = {**OFFERS, "offers": OFFERS["offers"] + OFFERS["offers"][:1]}  # a record repeated
    module = registry(fake_source(body=repeated))
    page = module.fetch
    module.fetch = lambda client: page(client) + page(client)  # and the whole page served twice
    report = pipeline.run(["fakeprices"], log=QUIET)
    assert [r.status for r in report.results] == ["ok"]
    assert count(settings.db_path, "SELECT count(*) FROM core.gpu_prices WHERE source = 'fakeprices'") == 2
    assert count(settings.db_path, "SELECT rows_duplicate FROM meta.runs WHERE source = 'fakeprices'") == 4
    assert count(settings.db_path, "SELECT rows_loaded FROM meta.runs WHERE source = 'fakeprices'") == 2


# --------------------------------------------------------------------------- item 12

def test_run_due_with_nothing_due_publishes_nothing(settings, registry, capsys):
    registry(fake_source(body=OFFERS))
    pipeline.run(["seed", "fakeprices"], log=QUIET)
    before = os.stat(settings.db_path)
    snapshot = count(settings.db_path, "SELECT count(*) FROM meta.snapshot")
    assert main(["run", "--due"]) == 0
    after = os.stat(settings.db_path)
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert snapshot == 1 and "nothing due" in capsys.readouterr().err
    assert not warehouse.building_path(settings.db_path).exists()
