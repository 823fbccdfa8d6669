"""Item 15: offline rebuilds parse each archived snapshot once (so their time stays flat as snapshots
accumulate), and `etl prune --older-than 90d` removes only snapshots a rebuild no longer needs."""

import json
import os
from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from etl import archive, pipeline
from etl.__main__ import main
from etl.provenance import Payload
from tests.ops_support import QUIET, fake_source, filings_body, indicator_source, only_seed_plus


@pytest.fixture
def registry(monkeypatch):
    return only_seed_plus(monkeypatch)


def core_tables(db: str) -> dict:
    con = duckdb.connect(db, read_only=True)
    try:
        return {t: sorted(map(repr, con.execute(f"SELECT * FROM core.{t}").fetchall()))
                for t in ("gpu_prices", "indicators", "market_shares", "supply")}
    finally:
        con.close()


def counting(module):
    """Wrap module.parse to count the payloads it is given."""
    calls = {"n": 0}
    parse = module.parse

    def counted(payload):
        calls["n"] += 1
        return parse(payload)

    module.parse = counted
    return calls


def offers_payload(at: str, price: float, fetched: datetime) -> Payload:
    body = {"at": at if "T" in at else f"{at}T12:00:00Z", "offers": [{"id": 1, "n": 1, "dph": price}, {"id": 2, "n": 2, "dph": 4.0}]}
    return Payload(json.dumps(body).encode(), "https://example.test/prices.json", fetched, "prices.json")


def test_a_second_offline_rebuild_parses_no_archived_snapshot_again(settings, registry):
    module = registry(fake_source())
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(12):
        fetched = start + timedelta(hours=6 * i)
        archive.write_snapshot(settings.raw_dir, "fakeprices",
                               [offers_payload(fetched.isoformat(), 2.0 + i, fetched)],
                               fetched)
    calls = counting(module)
    pipeline.run(mode="offline", log=QUIET)
    first = core_tables(settings.db_path)
    assert calls["n"] == 12 and sum("'fakeprices'" in r for r in first["gpu_prices"]) == 24
    calls["n"] = 0
    pipeline.run(mode="offline", log=QUIET)
    assert calls["n"] == 0  # every snapshot came from its parse cache
    assert core_tables(settings.db_path) == first


def test_the_parse_cache_misses_when_the_reference_data_change(settings, registry, tmp_path, monkeypatch):
    import shutil

    from etl import config

    seed = tmp_path / "seedcopy"
    shutil.copytree(config.ROOT / "data" / "seed", seed)
    monkeypatch.setenv("COMPUTEWATCH_SEED_DIR", str(seed))
    module = registry(fake_source())
    fetched = datetime(2026, 1, 1, tzinfo=UTC)
    archive.write_snapshot(settings.raw_dir, "fakeprices", [offers_payload("2026-01-01", 2.0, fetched)], fetched)
    calls = counting(module)
    pipeline.run(mode="offline", log=QUIET)
    with open(seed / "gpu_models.csv", "a") as fh:  # a new alias can change what a parser makes
        fh.write("\n")
    pipeline.run(mode="offline", log=QUIET)
    assert calls["n"] == 2


def _old(days: int) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) - timedelta(days=days)


def test_prune_removes_only_snapshots_a_rebuild_does_not_need(settings, registry, capsys):
    registry(fake_source())
    registry(indicator_source())
    raw = settings.raw_dir
    # a replace source: three old snapshots; a rebuild loads the newest only
    edgar = [archive.write_snapshot(raw, "fakeedgar", [Payload(json.dumps(filings_body(k)).encode(),
                                                               "https://example.test/f", _old(d), "filings.json")],
                                    _old(d)) for k, d in ((1, 300), (2, 200), (3, 120))]
    # an append source: day A twice (the later reloads it whole), day B once, and a broken snapshot
    a1 = archive.write_snapshot(raw, "fakeprices", [offers_payload("2025-06-01", 2.0, _old(200))], _old(200))
    a2 = archive.write_snapshot(raw, "fakeprices", [offers_payload("2025-06-01", 2.5, _old(190))], _old(190))
    b = archive.write_snapshot(raw, "fakeprices", [offers_payload("2025-06-02", 3.0, _old(180))], _old(180))
    bad = archive.write_snapshot(raw, "fakeprices", [Payload(b"<html>", "https://example.test/p", _old(170),
                                                             "prices.json")], _old(170))
    recent = archive.write_snapshot(raw, "fakeprices", [offers_payload("2025-06-01", 9.0, _old(10))], _old(10))
    leftover = raw / "fakeprices" / ".incomplete-2025-01-01T000000-1-abc"
    leftover.mkdir()
    (leftover / "prices.json").write_bytes(b"{half")

    pipeline.run(mode="offline", log=QUIET)
    before = core_tables(settings.db_path)
    assert main(["prune", "--older-than", "90d", "--dry-run"]) == 0
    assert all(p.exists() for p in (*edgar, a1, a2, b, bad, leftover))
    assert main(["prune", "--older-than", "90d"]) == 0
    out = capsys.readouterr().out
    kept = {p for p in (*edgar, a1, a2, b, bad, recent, leftover) if p.exists()}
    assert kept == {edgar[2], b, recent}
    assert "superseded" in out and "cannot be loaded" in out and "interrupted" in out
    os.remove(settings.db_path)
    pipeline.run(mode="offline", log=QUIET)
    assert core_tables(settings.db_path) == before  # the rebuild is the same without them


def test_prune_refuses_a_malformed_age(settings, registry, capsys):
    assert main(["prune", "--older-than", "ninety days"]) == 2
    assert "90d" in capsys.readouterr().err
