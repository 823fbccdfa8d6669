"""The columnar load path (vast.parse_columns -> validate of columns -> load from Arrow) against the row path."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from etl import pipeline, sources, warehouse
from etl.provenance import Payload
from etl.sources import vast
from etl.warehouse import CORE
from tests.test_validate_columns import fuzz_rows

AT = datetime(2026, 3, 1, 12, tzinfo=UTC)

# Offers of every odd kind the parser meets: missing and ill-typed fields, repeated machines (larger,
# equal and smaller slices), a zero-GPU offer, an absurd and a non-positive price, bids, places.
ODD_OFFERS = [
    {"id": 1, "gpu_name": "H100 SXM", "gpu_ram": 81559, "num_gpus": 2, "dph_total": 4.2, "machine_id": 7, "host_id": 3,
     "geolocation": "Texas, US", "is_bid": False, "rented": None, "reliability2": 0.99, "start_date": 1.77e9},
    {"id": 2, "gpu_name": "H100 SXM", "gpu_ram": 81559, "num_gpus": 8, "dph_total": 16.0, "machine_id": 7, "host_id": 3,
     "geolocation": "Texas, US", "is_bid": True, "rented": True, "gpu_frac": 1.0},
    {"id": 3, "gpu_name": "H100 SXM", "gpu_ram": 81559, "num_gpus": 8, "dph_total": 15.0, "machine_id": 7},
    {"id": 4, "gpu_name": "A100 PCIE", "gpu_ram": 40960, "num_gpus": 0, "dph_total": 1.0, "machine_id": 8,
     "geolocation": "France, FR"},
    {"id": 5, "gpu_name": "A100 PCIE", "gpu_ram": 81920, "num_gpus": 1, "dph_total": 900.0, "machine_id": ""},
    {"id": "a6", "gpu_name": "RTX 4090", "num_gpus": "2", "dph_total": 3, "geolocation": 7},
    {"id": 7, "gpu_name": None, "num_gpus": 1, "dph_total": -1.0, "geolocation": ["no", "place"], "machine_id": 9},
    {"id": 8, "gpu_name": "RTX 4090", "num_gpus": True, "dph_total": 0.4, "geolocation": ", US", "machine_id": 9,
     "is_bid": 1, "rented": 0, "reliability2": "high"},
    {"gpu_name": "Tesla V100", "gpu_ram": 16384, "num_gpus": 1.5, "dph_total": "0.2", "machine_id": 10},
    {"id": 10, "gpu_name": "H200", "num_gpus": 4, "dph_total": 10, "machine_id": 11, "geolocation": "Quebec, CA"},
    {"id": 10, "gpu_name": "H200", "num_gpus": 4, "dph_total": 10, "machine_id": 11, "geolocation": "Quebec, CA"},
    {"id": 11, "gpu_name": "H100 SXM", "num_gpus": 1, "dph_total": 0.0},
]


def payload(offers, name="h100-sxm.json", url="test", at=AT) -> Payload:
    return Payload(json.dumps({"offers": offers}).encode(), url, at, name)


def column_rows(pairs) -> list[dict]:
    """The rows (table, columns) pairs stand for."""
    out = []
    for table, columns in pairs:
        n = len(next(iter(columns.values()), ()))
        out += [{"table": table, **{k: v[i] for k, v in columns.items()}} for i in range(n)]
    return out


def payloads(fixture_path) -> list[Payload]:
    return [Payload.from_file(fixture_path("vast_offers.json")), payload(ODD_OFFERS),
            payload(ODD_OFFERS[:3], "h200.json", url=vast.SEARCH_URL + '?q={"limit": 3}'), payload([], "b200.json")]


def test_parse_columns_stand_for_exactly_the_rows_parse_makes(fixture_path):
    for p in payloads(fixture_path):
        # repr tells 1 from 1.0 and True, and shows NaN: the same values of the same types, keys in order
        assert repr(column_rows(vast.parse_columns(p))) == repr(list(vast.parse(p)))
    assert len(list(vast.parse(payload(ODD_OFFERS)))) == len(ODD_OFFERS) + 8  # 8 machines


def test_parse_columns_of_a_payload_only_the_json_module_reads():
    body = b'{"offers": [{"id": 1, "gpu_name": "H100 SXM", "num_gpus": 1, "dph_total": 2.5, "reliability2": NaN}]}'
    p = Payload(body, "x", AT, "a.json")
    got, want = column_rows(vast.parse_columns(p)), list(vast.parse(p))
    assert repr(got) == repr(want) and math.isnan(got[0]["reliability"])


@pytest.mark.parametrize("body", [
    b'{"offers": [{"id": 1, "gpu_name": ["H100"], "num_gpus": 1, "dph_total": 1.0}]}',  # unhashable name
    b'{"offers": [{"id": 1, "gpu_name": "H100 SXM", "gpu_ram": {"mb": 1}, "num_gpus": 1}]}',  # unhashable memory
    b'{"offers": [{"id": 1, "num_gpus": 1, "dph_total": ' + b"9" * 400 + b'}, {"gpu_name": [1]}]}',  # overflow first
    b'{"error": "rate_limited", "msg": "slow down"}',
    b'[1, 2]',
    b'not json',
])
def test_parse_columns_fails_as_parse_does(body):
    p = Payload(body, "x", AT, "a.json")
    with pytest.raises(Exception) as row_error:
        list(vast.parse(p))
    with pytest.raises(type(row_error.value)) as column_error:
        vast.parse_columns(p)
    assert str(column_error.value) == str(row_error.value)


def pairs_and_rows(rows: list[dict]) -> list:
    """`rows` with each run of rows of one table and key sequence ("table" first) as a (table, columns)
    pair, the other rows left as dicts: a mixed input standing for the same rows."""
    out, run = [], []

    def flush():
        if len(run) > 1:
            out.append((run[0]["table"], {k: [r[k] for r in run] for k in list(run[0])[1:]}))
        else:
            out.extend(run)
        run.clear()

    for row in rows:
        keys = list(row)
        if keys[:1] != ["table"]:
            flush()
            out.append(row)
            continue
        if run and list(run[0]) != keys:
            flush()
        run.append(row)
    flush()
    return out


def assert_same(a: warehouse.Validated, b: warehouse.Validated) -> None:
    for table in CORE:
        assert a.frames[table].equals(b.frames[table]), table
    assert a.rejects == b.rejects
    assert a.duplicates == b.duplicates


@pytest.mark.parametrize("seed", range(4))
def test_validate_of_columns_is_validate_of_rows(seed):
    rows = fuzz_rows(3000, seed)
    mixed = pairs_and_rows(rows)
    assert any(type(i) is tuple for i in mixed) and any(type(i) is dict for i in mixed)
    assert [r for i in mixed for r in (column_rows([i]) if type(i) is tuple else [i])] == rows  # the same rows
    default = "marketplace" if seed % 2 else None
    by_rows = warehouse.validate("src", rows, default_segment=default)
    assert_same(warehouse.validate("src", mixed, default_segment=default), by_rows)
    assert len(by_rows.rejects) > 100 and by_rows.duplicates > 10


def test_validated_vast_payloads_are_the_same_by_columns_and_by_rows(fixture_path):
    ps = payloads(fixture_path)
    module = sources.get("vast")
    by_rows = warehouse.validate("vast", pipeline.parse_all(module, ps), default_segment="marketplace")
    by_columns = warehouse.validate("vast", pipeline.parse_for_validation(module, ps), default_segment="marketplace")
    assert_same(by_columns, by_rows)
    reasons = {reason for _, reason, _ in by_rows.rejects}
    assert {"missing price_usd_per_gpu_hour", "missing gpu_model", "non-positive price 0.0",
            "bad value: could not convert string to float: 'high'"} <= reasons
    assert any(r.startswith("absurd price 900.0") for r in reasons)
    assert by_rows.duplicates >= 1  # offer 10 listed twice


def test_columns_of_unequal_length_are_refused():
    with pytest.raises(ValueError, match="differ in length"):
        warehouse.validate("s", [("supply", {"observed_at": [AT], "network": ["a", "b"]})])


def test_schema_drift_in_columns_names_the_first_offending_row():
    ok = {"table": "supply", "observed_at": AT, "network": "n", "segment": "depin"}
    items = [ok, ("supply", {"observed_at": [AT], "colour": ["red"]}), {"table": "nope"}]
    with pytest.raises(warehouse.SchemaDrift, match=r"supply row has unknown columns \['colour'\]"):
        warehouse.validate("s", items)
    with pytest.raises(warehouse.SchemaDrift, match="row for unknown table 'nope'"):
        warehouse.validate("s", [ok, items[2], items[1]])


# --------------------------------------------------------------------------- load from Arrow

def warehouse_at(path):
    con = duckdb.connect(str(path))
    warehouse.create_schema(con)
    return con


def contents(con) -> dict[str, list]:
    return {t: sorted(con.execute(f"SELECT * FROM core.{t}").fetchall(), key=repr) for t in CORE}


def snapshots(fixture_path) -> list[warehouse.Validated]:
    module = sources.get("vast")
    later = AT + timedelta(hours=6)
    batches = [payloads(fixture_path), [payload(ODD_OFFERS, at=later)], [payload(ODD_OFFERS[:4])]]  # AT again, fewer
    return [warehouse.validate("vast", pipeline.parse_for_validation(module, b), default_segment="marketplace")
            for b in batches]


@pytest.mark.parametrize("mode", ["append", "replace"])
def test_load_writes_what_staging_then_applying_writes(tmp_path, fixture_path, mode):
    import dataclasses

    source = dataclasses.replace(sources.SOURCES["vast"], load=mode)
    direct, staged = warehouse_at(tmp_path / "a.duckdb"), warehouse_at(tmp_path / "b.duckdb")
    for data in snapshots(fixture_path):
        written = warehouse.load(direct, source, data)
        assert written == warehouse.apply_staged(staged, source, warehouse.stage(staged, [data])) == data.n_rows
    assert contents(direct) == contents(staged)
    assert direct.execute("SELECT count(*) FROM core.gpu_prices").fetchone()[0] > 0


def test_a_value_that_fails_the_casts_fails_before_anything_is_deleted(tmp_path, fixture_path):
    source = sources.SOURCES["vast"]
    con = warehouse_at(tmp_path / "w.duckdb")
    warehouse.load(con, source, snapshots(fixture_path)[0])
    before = contents(con)
    bad = [{"table": "gpu_prices", "observed_at": AT, "provider": "vast", "gpu_model": "H100 SXM",
            "price_usd_per_gpu_hour": 2.0, "price_type": "on_demand", "gpu_count": n} for n in (2, 2**31)]
    data = warehouse.validate("vast", bad, default_segment="marketplace")
    assert data.n_rows == 2
    with pytest.raises(duckdb.ConversionException, match="out of range"):
        warehouse.load(con, source, data)
    assert contents(con) == before  # the snapshot's earlier rows were not deleted
    fits = warehouse.validate("vast", [{**bad[0], "gpu_count": 2**31 - 1}], default_segment="marketplace")
    assert warehouse.load(con, source, fits) == 1


def test_load_after_a_result_the_caller_left_unread(tmp_path, fixture_path):
    # DuckDB 2 refuses register() while a result is unfinished: a caller's fetchone() must not break a load
    source = sources.SOURCES["vast"]
    con = warehouse_at(tmp_path / "w.duckdb")
    first, *later = snapshots(fixture_path)
    con.execute("SELECT * FROM range(5000)").fetchone()  # left unread, as `count(*)...fetchone()` leaves it
    assert warehouse.load(con, source, first) == first.n_rows
    con.execute("SELECT * FROM range(5000)").fetchone()
    assert warehouse.apply_staged(con, source, warehouse.stage(con, later)) > 0
