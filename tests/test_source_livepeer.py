"""livepeer: protocol-day-data and usage JSON, the explorer's TypeScript history, and the 551-day capture."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
import responses

from etl import warehouse
from etl.provenance import Payload
from etl.sources import livepeer as lp

WHEN = datetime(2025, 1, 4, tzinfo=UTC)


def payload(path) -> Payload:
    return Payload(body=path.read_bytes(), url="https://explorer.livepeer.org/test", fetched_at=WHEN, name=path.name)


def table(rows):
    return {(r["period"], r["indicator"]): r["value"] for r in rows}


def test_protocol_day_data(fixture_path):
    rows = list(lp.parse(payload(fixture_path("livepeer_day_data.json"))))
    assert table(rows) == {
        ("2025-01-01", "livepeer_fees_usd"): 2534.17,
        ("2025-01-01", "livepeer_active_orchestrators"): 100,
        ("2025-01-02", "livepeer_fees_usd"): 1987.5,
        ("2025-01-02", "livepeer_active_orchestrators"): 99,
    }  # 2025-01-03 has no active orchestrators: skipped, as the explorer does
    units = {r["indicator"]: r["unit"] for r in rows}
    assert units == {"livepeer_fees_usd": "USD per day", "livepeer_active_orchestrators": "orchestrators"}
    assert {r["entity"] for r in rows} == {"Livepeer"}


def test_usage_gives_minutes_only(fixture_path):
    rows = list(lp.parse(payload(fixture_path("livepeer_usage.json"))))
    assert table(rows) == {("2025-01-01", "livepeer_minutes"): 612345.5,
                           ("2025-01-02", "livepeer_minutes"): 480012.25}
    assert rows[0]["unit"] == "minutes per day"


def test_typescript_history(fixture_path):
    rows = list(lp.parse(payload(fixture_path("livepeer_history.ts"))))
    assert table(rows) == {
        ("2022-02-15", "livepeer_fees_usd"): 1200.5,
        ("2022-02-15", "livepeer_minutes"): 100000.25,
        ("2022-02-15", "livepeer_active_orchestrators"): 45,
        ("2022-02-16", "livepeer_fees_usd"): 1500,
        ("2022-02-16", "livepeer_minutes"): 130000.5,
        ("2022-02-16", "livepeer_active_orchestrators"): 57,
    }
    assert warehouse.validate("livepeer", rows).rejects == []


def test_ts_array_to_json():
    text = 'export const x = [\n  // a comment\n  { a: "1", b: 2.5, },\n  { a: "2", c_d: 3 },\n];\n'
    assert lp.ts_array_to_json(text) == [{"a": "1", "b": 2.5}, {"a": "2", "c_d": 3}]


def test_failures():
    with pytest.raises(ValueError, match="HTML"):
        list(lp.parse(Payload(b"<!DOCTYPE html><html></html>", "u", WHEN, "x.json")))
    with pytest.raises(ValueError, match="dayData"):
        list(lp.parse(Payload(b'{"days": []}', "u", WHEN, "x.json")))
    with pytest.raises(ValueError, match="schema drift"):
        list(lp.parse(Payload(b'{"dayData": [{"day": 1, "fees": 2}]}', "u", WHEN, "x.json")))
    with pytest.raises(ValueError, match="TypeScript"):
        list(lp.parse(Payload(b"export default function () {}", "u", WHEN, "x.ts")))


@responses.activate
def test_fetch_both_routes(client, fixture_path):
    responses.add(responses.GET, lp.DAY_DATA_URL, body=fixture_path("livepeer_day_data.json").read_bytes())
    responses.add(responses.GET, lp.USAGE_URL, body=fixture_path("livepeer_usage.json").read_bytes())
    payloads = lp.fetch(client)
    assert [p.name for p in payloads] == ["protocol-day-data.json", "usage.json"]
    assert [c.request.url for c in responses.calls] == [lp.DAY_DATA_URL, lp.USAGE_URL]
    rows = [r for p in payloads for r in lp.parse(p)]
    keys = Counter((r["period"], r["indicator"]) for r in rows)
    assert max(keys.values()) == 1  # fees and orchestrators come from one route only: no duplicates
    assert len(rows) == 6
    assert warehouse.validate("livepeer", rows).rejects == []


@pytest.mark.captures
def test_real_capture_has_551_days(captures):
    rows = list(lp.parse(Payload.from_file(captures / "livepeer" / "historical-usage.ts")))
    days = {r["period"] for r in rows}
    assert len(days) == 551
    assert min(days) == "2022-02-15" and max(days) == "2023-08-20"
    assert Counter(r["indicator"] for r in rows) == {
        "livepeer_fees_usd": 551, "livepeer_minutes": 551, "livepeer_active_orchestrators": 551}
    fees = sum(r["value"] for r in rows if r["indicator"] == "livepeer_fees_usd")
    print(f"Livepeer fees 2022-02-15..2023-08-20: ${fees:,.0f} over 551 days")
    assert warehouse.validate("livepeer", rows).rejects == []
