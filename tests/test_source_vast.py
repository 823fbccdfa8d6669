"""Vast.ai offers: parser on a hand-made fixture, fetch policy, and the real captures (integration)."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
import responses

from etl import config, pipeline, warehouse
from etl.provenance import Payload
from etl.sources import vast

ROOT = Path(__file__).resolve().parent.parent


def rows(path, table=None, fetched_at=datetime(2026, 3, 1, 12, tzinfo=UTC)):
    payload = Payload(body=Path(path).read_bytes(), url="test", fetched_at=fetched_at, name=Path(path).name)
    out = list(vast.parse(payload))
    return [r for r in out if table is None or r["table"] == table]


def capture_files(captures: Path) -> list[Path]:
    return sorted(p for pattern in vast.SOURCE.captures for p in captures.glob(pattern))


# --------------------------------------------------------------------------- parser (fixture)

def test_one_price_row_per_offer_priced_per_gpu_hour(fixture_path):
    prices = rows(fixture_path("vast_offers.json"), "gpu_prices")
    assert [r["offer_id"] for r in prices] == ["101", "102", "103", "104", "105"]
    assert [r["price_usd_per_gpu_hour"] for r in prices] == [2.0, 1.8, 1.5, 0.5, None]
    assert [r["gpu_count"] for r in prices] == [1, 4, 2, 1, 0]
    assert {r["provider"] for r in prices} == {"vast"}
    assert {r["segment"] for r in prices} == {"marketplace"}


def test_offer_fields_carry_over(fixture_path):
    first, rented, bid, no_geo, _ = rows(fixture_path("vast_offers.json"), "gpu_prices")
    assert (first["host_id"], first["machine_id"], first["geolocation"]) == ("1", "11", "France, FR")
    assert first["region"] == "FR" and bid["region"] == "US" and no_geo["region"] is None
    assert first["rented"] is False and rented["rented"] is True
    assert first["reliability"] == 0.99  # reliability2 only (CCIR's field) ...
    assert bid["reliability"] is None  # ... never the other `reliability` field
    assert first["start_date"] == 1772582400.5 and bid["start_date"] is None  # listing start, epoch s
    assert first["price_type"] == "on_demand" and bid["price_type"] == "bid"
    assert first["gpu_model"] == "H100 SXM" and first["gpu_model_raw"] == "H100 SXM"


def test_a100_memory_decides_40_or_80gb(fixture_path):
    prices = rows(fixture_path("vast_offers.json"), "gpu_prices")
    assert [r["gpu_model"] for r in prices if r["gpu_model_raw"] == "A100 PCIE"] == ["A100 40GB", "A100 80GB"]


def test_one_supply_row_per_machine_keeping_its_largest_offer(fixture_path):
    supply = {r["note"]: r for r in rows(fixture_path("vast_offers.json"), "supply")}
    assert sorted(supply) == ["machine 11", "machine 12", "machine 13", "machine 14"]
    assert (supply["machine 11"]["gpus_total"], supply["machine 12"]["gpus_total"]) == (4, 2)
    # offered capacity only: a rentable-offer search never sees rented GPUs, so no in-use count (not 0)
    assert {r["gpus_in_use"] for r in supply.values()} == {None}
    assert supply["machine 11"]["network"] == "Vast.ai" and supply["machine 11"]["host_id"] == "1"


def test_every_row_of_a_payload_has_its_fetch_time(fixture_path):
    at = datetime(2026, 2, 27, 15, 22, tzinfo=UTC)
    assert {r["observed_at"] for r in rows(fixture_path("vast_offers.json"), fetched_at=at)} == {at}


def test_validation_rejects_the_zero_gpu_offer_with_a_reason(fixture_path):
    data = warehouse.validate("vast", rows(fixture_path("vast_offers.json")), default_segment="marketplace")
    assert len(data.rows["gpu_prices"]) == 4 and len(data.rows["supply"]) == 4
    assert [(t, reason) for t, reason, _ in data.rejects] == [("gpu_prices", "missing price_usd_per_gpu_hour")]


@pytest.mark.parametrize("geo, code", [("France, FR", "FR"), (", US", "US"), ("Montana, US", "US"), ("US", "US"),
                                       (None, None), ("", None), ("Somewhere", None)])
def test_country_code(geo, code):
    assert vast.country_code(geo) == code


@pytest.mark.parametrize("body", [b'{"success": false, "error": "bad_request", "msg": "q must be valid JSON"}',
                                  b"[]", b"not json"])
def test_a_payload_that_is_not_an_offer_list_fails_loudly(body):
    with pytest.raises(ValueError, match="vast"):
        list(vast.parse(Payload(body, "x", datetime(2026, 1, 1, tzinfo=UTC), "h100-sxm.json")))


def test_an_empty_offer_list_is_no_rows():
    assert list(vast.parse(Payload(b'{"offers": []}', "x", datetime(2026, 1, 1, tzinfo=UTC), "a.json"))) == []


def test_decoding_only_the_fields_read_gives_the_rows_json_gives(fixture_path, monkeypatch):
    body = fixture_path("vast_offers.json").read_bytes()
    payload = Payload(body, "x", datetime(2026, 1, 1, tzinfo=UTC), "a.json")
    fast = list(vast.parse(payload))

    def refuse(body):
        raise vast.msgspec.DecodeError("forced")

    monkeypatch.setattr(vast, "_DECODE", refuse)  # the json-module path every odd payload takes
    assert fast == list(vast.parse(payload)) and len(fast) == 9


def test_a_payload_only_the_json_module_reads_still_parses():
    # NaN is not JSON to msgspec; Python's json reads it, as the parser always has
    body = b'{"offers": [{"id": 1, "gpu_name": "H100 SXM", "num_gpus": 1, "dph_total": 2.5, "reliability2": NaN}]}'
    (price,) = [r for r in vast.parse(Payload(body, "x", datetime(2026, 1, 1, tzinfo=UTC), "a.json"))
                if r["table"] == "gpu_prices"]
    assert price["price_usd_per_gpu_hour"] == 2.5 and price["reliability"] != price["reliability"]  # NaN


def test_offer_fields_of_any_type_are_judged_by_the_rules_not_the_decoder():
    body = b'{"offers": [{"id": "a1", "gpu_name": "H100 SXM", "num_gpus": "2", "dph_total": 3, "geolocation": 7}]}'
    (price, supply) = vast.parse(Payload(body, "x", datetime(2026, 1, 1, tzinfo=UTC), "a.json"))
    assert (price["offer_id"], price["gpu_count"], price["price_usd_per_gpu_hour"]) == ("a1", "2", None)
    assert price["region"] is None and price["geolocation"] == 7
    assert supply["note"] == "machine offer:a1" and supply["gpus_total"] == 0


# --------------------------------------------------------------------------- fetch

def _register(offers=b'{"offers": []}'):
    responses.add(responses.GET, vast.SEARCH_URL, body=offers, content_type="application/json")


@responses.activate
def test_fetch_queries_each_model_with_an_explicit_limit_rented_and_unrented(client):
    for _ in vast.GPU_NAMES:
        _register()
    payloads = vast.fetch(client)
    assert len(responses.calls) == len(vast.GPU_NAMES) >= 11
    queried = []
    for call in responses.calls:
        q = json.loads(call.request.params["q"])
        queried.append(q["gpu_name"]["eq"])
        assert q["rentable"] == {"eq": True} and q["limit"] == vast.LIMIT > 64
        assert "rented" not in q  # the server drops it; offers say whether they are rented
        assert "Authorization" not in call.request.headers
    assert queried == list(vast.GPU_NAMES)
    assert {"H100 SXM", "H100 PCIE", "H100 NVL", "H200", "H200 NVL", "A100 SXM4", "A100 PCIE", "L40S",
            "RTX 4090", "RTX 5090", "Tesla V100"} <= set(queried)
    assert [p.name for p in payloads][:2] == ["h100-sxm.json", "h100-pcie.json"]
    assert len({p.fetched_at for p in payloads}) == 1  # one run = one snapshot


@responses.activate
def test_fetch_keeps_to_ten_searches_a_minute(client):
    for _ in vast.GPU_NAMES:
        _register()
    assert vast.SOURCE.rate_limit_per_minute == 10
    client.throttle(vast.SOURCE.rate_limit_per_minute)  # what the pipeline does before fetch
    vast.fetch(client)
    assert client.slept == [pytest.approx(6.0)] * (len(vast.GPU_NAMES) - 1)


@responses.activate
def test_fetch_sends_the_optional_key_as_bearer(client, monkeypatch):
    monkeypatch.setenv("VAST_API_KEY", "k-123")
    assert "VAST_API_KEY" in config.API_KEY_VARS and vast.SOURCE.needs_key == "VAST_API_KEY"
    for _ in vast.GPU_NAMES:
        _register()
    vast.fetch(type(client)(config.get()))  # a recording client built after the key is set
    assert {c.request.headers["Authorization"] for c in responses.calls} == {"Bearer k-123"}


def test_capture_globs_skip_the_collector_summary(tmp_path):
    day = tmp_path / "vast" / "2026-03-01"
    day.mkdir(parents=True)
    for name in ("2026-03-01_h100-sxm.json", "collection.meta.json"):
        (day / name).write_text('{"offers": []}')
    found = [p.name for p in capture_files(tmp_path)]
    assert found == ["2026-03-01_h100-sxm.json"]


def test_cli_parse_prints_one_price_row_per_offer(fixture_path):
    out = subprocess.run([sys.executable, "-m", "etl", "parse", "vast", str(fixture_path("vast_offers.json"))],
                         capture_output=True, text=True, cwd=ROOT, check=True).stdout.splitlines()
    tables = [json.loads(line)["table"] for line in out]
    assert tables.count("gpu_prices") == 5 and tables.count("supply") == 4


# --------------------------------------------------------------------------- real captures

def _offers(path: Path) -> list[dict]:
    return json.loads(path.read_text())["offers"]


@pytest.mark.captures
def test_replaying_every_capture_makes_one_price_row_per_offer(captures):
    files = capture_files(captures)
    assert len(files) >= 54 and not any(p.name == "collection.meta.json" for p in files)
    total = 0
    for path in files:
        payload = Payload.from_file(path)
        parsed = list(vast.parse(payload))
        prices = [r for r in parsed if r["table"] == "gpu_prices"]
        assert len(prices) == len(_offers(path)), path
        assert {r["observed_at"] for r in parsed} <= {payload.fetched_at}
        assert payload.fetched_at.date().isoformat() == path.parent.name
        data = warehouse.validate("vast", parsed, default_segment="marketplace")
        assert data.rejects == [], (path, data.rejects[:2])
        total += len(prices)
    assert total == 1424


@pytest.mark.captures
def test_cli_parse_of_a_capture_prints_one_price_row_per_offer(captures):
    path = captures / "vast" / "2026-03-04" / "2026-03-04_h100-sxm.json"
    out = subprocess.run([sys.executable, "-m", "etl", "parse", "vast", str(path)],
                         capture_output=True, text=True, cwd=ROOT, check=True).stdout.splitlines()
    tables = [json.loads(line)["table"] for line in out]
    assert tables.count("gpu_prices") == len(_offers(path)) == 29
    assert tables.count("supply") == len({o["machine_id"] for o in _offers(path)})


@pytest.mark.captures
def test_replay_run_gives_the_daily_h100_sxm_median_of_the_raw_offers(captures, settings):
    # the cw method's marketplace unit is a machine (docs/METHODOLOGY.md §3.1): the median of the
    # medians of each machine's on-demand offers that day
    expected, n_offers = {}, 0
    by_day = defaultdict(lambda: defaultdict(list))
    for path in capture_files(captures):
        offers = _offers(path)
        n_offers += len(offers)
        if path.name.endswith("_h100-sxm.json"):
            for o in offers:
                if o["gpu_name"] == "H100 SXM" and not o.get("is_bid"):
                    by_day[path.parent.name][o["machine_id"]].append(o["dph_total"] / o["num_gpus"])
    expected = {day: statistics.median(statistics.median(p) for p in machines.values())
                for day, machines in by_day.items()}
    assert len(expected) == 6

    report = pipeline.run(["vast"], mode="replay", replay_dir=captures, settings=settings, log=open("/dev/null", "w"))
    assert [(r.source, r.status, r.error) for r in report.results] == [("vast", "ok", None)]
    con = duckdb.connect(settings.db_path, read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM core.gpu_prices WHERE source = 'vast'").fetchone()[0] == n_offers
        got = dict(con.execute(
            "SELECT strftime(day, '%Y-%m-%d'), median FROM marts.price_index "
            "WHERE gpu_model = 'H100 SXM' AND segment = 'marketplace' AND sources = 'vast' AND method = 'cw-1.0.0' "
            "AND geo = 'all' AND price_type = 'on_demand'").fetchall())
        machines = con.execute("SELECT count(*) FROM core.supply WHERE source = 'vast'").fetchone()[0]
    finally:
        con.close()
    assert got == pytest.approx(expected)
    assert 0 < machines < n_offers


# --------------------------------------------------------------------------- result cap (docs/METHODOLOGY.md §1.7)

def test_result_cap_is_the_query_limit_else_the_server_default():
    url = "https://console.vast.ai/api/v0/bundles/?q=" + json.dumps({"limit": 1000}) + "&order=dph_total"
    assert vast.result_cap(url) == 1000
    assert vast.result_cap("replay:vast/2026-03-04/2026-03-04_h100-sxm.json") == vast.SERVER_LIMIT == 64


def test_a_payload_with_as_many_offers_as_its_cap_is_flagged_capped(fixture_path):
    body = Path(fixture_path("vast_offers.json")).read_bytes()
    at = datetime(2026, 3, 1, tzinfo=UTC)
    capped = list(vast.parse(Payload(body=body, url="https://x/?q=" + json.dumps({"limit": 5}), fetched_at=at)))
    full = list(vast.parse(Payload(body=body, url="https://x/?q=" + json.dumps({"limit": 6}), fetched_at=at)))
    assert {r["query_capped"] for r in capped if r["table"] == "gpu_prices"} == {True}
    assert {r["query_capped"] for r in full if r["table"] == "gpu_prices"} == {False}
    assert [r["gpu_frac"] for r in full if r["table"] == "gpu_prices"] == [0.25, 1.0, 1.0, 1.0, 0.0]
