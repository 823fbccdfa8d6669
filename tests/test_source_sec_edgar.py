"""sec_edgar: YTD -> quarter derivation, de-duplication, fiscal labels, tag fallback, fetch policy."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
import responses

from etl import warehouse
from etl.http import FetchError
from etl.provenance import Payload
from etl.sources import sec_edgar as sec

WHEN = datetime(2025, 9, 1, tzinfo=UTC)


def payload(path, name=None) -> Payload:
    return Payload(body=path.read_bytes(), url="https://data.sec.gov/test", fetched_at=WHEN, name=name or path.name)


def rows_of(fixture_path, name):
    return list(sec.parse(payload(fixture_path(name))))


# --------------------------------------------------------------------------- worked example

def test_ytd_capex_becomes_fiscal_quarters(fixture_path):
    """Microsoft FY2024 (Jul-Jun): YTD 3M=10, 6M=25, 9M=45, FY=70 -> quarters 10, 15, 20, 25 (USD bn)."""
    rows = rows_of(fixture_path, "sec_edgar.json")
    got = [(r["period"], r["period_label"], r["value"]) for r in rows]
    assert got == [
        ("2023-07-01", "FY2024 Q1", 10.0),
        ("2023-10-01", "FY2024 Q2", 15.0),
        ("2024-01-01", "FY2024 Q3", 20.0),
        ("2024-04-01", "FY2024 Q4", 25.0),
        ("2024-07-01", "FY2025 Q1", 14.923),
    ]
    assert {r["indicator"] for r in rows} == {"hyperscaler_capex_sec"}
    assert {r["entity"] for r in rows} == {"Microsoft"}
    assert {r["unit"] for r in rows} == {"USD bn"}
    q4 = rows[3]
    assert "FY - 9M" in q4["note"] and "2024-04-01..2024-06-30" in q4["note"] and "10-K" in q4["note"]
    assert q4["ref_url"] == "https://www.sec.gov/Archives/edgar/data/789019/000095017024087843/"


def test_fact_repeated_across_filings_is_counted_once(fixture_path):
    """The 2023-07-01..09-30 fact is in the FY2024 Q1 10-Q and again (framed) in the FY2025 Q1 10-Q."""
    rows = rows_of(fixture_path, "sec_edgar.json")
    q1 = [r for r in rows if r["period"] == "2023-07-01"]
    assert len(q1) == 1
    assert "filed 2024-10-30" in q1[0]["note"]  # the latest filing wins


def test_dedupe_keeps_latest_filed_then_framed():
    def fact(val, filed, frame=None, accn="a"):
        return sec.Fact(date(2024, 1, 1), date(2024, 3, 31), val, accn, 2024, "Q1", "10-Q", filed, frame, "Revenues")

    original, restated = fact(10.0, "2024-04-30"), fact(11.0, "2025-04-30", accn="b")
    assert sec.dedupe([original, restated])[(date(2024, 1, 1), date(2024, 3, 31))].val == 11.0
    assert sec.dedupe([restated, original])[(date(2024, 1, 1), date(2024, 3, 31))].val == 11.0
    unframed, framed = fact(10.0, "2024-04-30"), fact(12.0, "2024-04-30", frame="CY2024Q1")
    assert sec.dedupe([framed, unframed])[(date(2024, 1, 1), date(2024, 3, 31))].val == 12.0


def test_revenue_uses_3_month_facts_and_derives_q4(fixture_path):
    """NVIDIA FY2024 (Jan 30 2023 - Jan 28 2024): three reported quarters, Q4 = FY - 9M = 22.103."""
    rows = rows_of(fixture_path, "sec_edgar_nvidia.json")
    got = [(r["period"], r["period_label"], r["value"]) for r in rows]
    assert got == [
        ("2023-01-30", "FY2024 Q1", 7.192),
        ("2023-05-01", "FY2024 Q2", 13.507),
        ("2023-07-31", "FY2024 Q3", 18.12),
        ("2023-10-30", "FY2024 Q4", 22.103),
    ]
    assert {r["indicator"] for r in rows} == {"company_revenue_sec"}
    assert "3-month fact" in rows[1]["note"] and "FY - 9M" in rows[3]["note"]
    assert sum(r["value"] for r in rows) == pytest.approx(60.922)  # NVIDIA's reported FY2024 revenue


def test_bundle_of_revenue_tags_prefers_first_tag(fixture_path):
    bundle = [json.loads(fixture_path("sec_edgar_coreweave.json").read_text()),
              json.loads(fixture_path("sec_edgar_coreweave_revenues.json").read_text())]
    p = Payload(json.dumps(bundle).encode(), "https://data.sec.gov/test", WHEN, "coreweave-company_revenue_sec.json")
    rows = list(sec.parse(p))
    got = [(r["period_label"], r["value"], r["note"].split("; ")[1]) for r in rows]
    assert got == [
        ("FY2024 Q1", 0.188675, "us-gaap:Revenues"),  # only the fallback tag has 2024
        ("FY2025 Q1", 0.981631, "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax"),
        ("FY2025 Q2", 1.2128, "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax"),
    ]
    assert {r["entity"] for r in rows} == {"CoreWeave"}


def test_rows_validate_without_rejects(fixture_path):
    rows = rows_of(fixture_path, "sec_edgar.json") + rows_of(fixture_path, "sec_edgar_nvidia.json")
    result = warehouse.validate("sec_edgar", rows)
    assert result.rejects == []
    assert len(result.rows["indicators"]) == 9


# --------------------------------------------------------------------------- failures

def test_schema_drift_raises_value_error():
    body = json.dumps({"cik": 789019, "tag": "PaymentsToAcquirePropertyPlantAndEquipment", "facts": {}}).encode()
    with pytest.raises(ValueError, match="not a companyconcept"):
        list(sec.parse(Payload(body, "u", WHEN, "x.json")))


def test_non_usd_unit_raises():
    body = json.dumps({"cik": 789019, "tag": "Revenues", "units": {"shares": []}}).encode()
    with pytest.raises(ValueError, match="no USD unit"):
        list(sec.parse(Payload(body, "u", WHEN, "x.json")))


def test_html_body_is_not_json():
    with pytest.raises(ValueError, match="not JSON"):
        list(sec.parse(Payload(b"<html>Request Rate Threshold Exceeded</html>", "u", WHEN, "x.json")))


# --------------------------------------------------------------------------- fetch

def _register_all(fixture_path):
    micro = fixture_path("sec_edgar.json").read_bytes()
    for entity, cik, _indicator, tags in sec.CONCEPTS:
        for tag in tags:
            url = sec.BASE.format(cik=cik, tag=tag)
            if entity == "NVIDIA" and tag == "Revenues":
                responses.add(responses.GET, url, status=404, body="Not Found")
            elif entity == "NVIDIA":
                responses.add(responses.GET, url, body=fixture_path("sec_edgar_nvidia.json").read_bytes())
            elif entity == "CoreWeave":
                name = "sec_edgar_coreweave.json" if tag != "Revenues" else "sec_edgar_coreweave_revenues.json"
                responses.add(responses.GET, url, body=fixture_path(name).read_bytes())
            else:
                responses.add(responses.GET, url, body=micro.replace(b"789019", str(cik).encode()))


@responses.activate
def test_fetch_all_concepts_with_tag_fallback_and_user_agent(client, fixture_path):
    _register_all(fixture_path)
    client.throttle(sec.SOURCE.rate_limit_per_minute)
    payloads = sec.fetch(client)
    names = [p.name for p in payloads]
    assert names == ["microsoft-PaymentsToAcquirePropertyPlantAndEquipment.json",
                     "alphabet-PaymentsToAcquirePropertyPlantAndEquipment.json",
                     "meta-PaymentsToAcquirePropertyPlantAndEquipment.json",
                     "oracle-PaymentsToAcquirePropertyPlantAndEquipment.json",
                     "amazon-PaymentsToAcquireProductiveAssets.json",
                     "nvidia-RevenueFromContractWithCustomerExcludingAssessedTax.json",
                     "coreweave-company_revenue_sec.json"]
    nvidia_calls = [c for c in responses.calls if "CIK0001045810" in c.request.url]
    assert [c.response.status_code for c in nvidia_calls] == [200, 404]
    agent = responses.calls[0].request.headers["User-Agent"]
    assert "ComputeWatch" in agent and "@" in agent  # SEC wants a descriptive agent with a contact
    assert client.slept and all(s <= 0.1 + 1e-9 for s in client.slept)  # throttled to <= 10 requests a second
    assert "CIK0000789019" in responses.calls[0].request.url  # CIK zero-padded to 10 digits
    rows = [r for p in payloads for r in sec.parse(p)]
    entities = {r["entity"] for r in rows}
    assert entities == {"Microsoft", "Alphabet", "Meta", "Oracle", "Amazon", "NVIDIA", "CoreWeave"}
    assert warehouse.validate("sec_edgar", rows).rejects == []


@responses.activate
def test_fetch_html_instead_of_json_fails(client):
    entity, cik, _, tags = sec.CONCEPTS[0]
    responses.add(responses.GET, sec.BASE.format(cik=cik, tag=tags[0]),
                  body="<html><body>Your request has been blocked</body></html>", content_type="text/html")
    with pytest.raises(FetchError, match="HTML"):
        sec.fetch(client)


@responses.activate
def test_fetch_fails_when_no_revenue_tag_exists(client, fixture_path):
    _register_all(fixture_path)
    for call in list(responses.registered()):
        if "CIK0001769628" in call.url:
            responses.replace(responses.GET, call.url, status=404, body="Not Found")
    with pytest.raises(FetchError, match="CoreWeave"):
        sec.fetch(client)


def test_source_declares_sec_limits():
    assert sec.SOURCE.rate_limit_per_minute == 600
    assert "Data Center" in sec.SOURCE.description and "seed" in sec.SOURCE.description
    assert sec.SOURCE.tables == ("indicators",)


def test_trailing_twelve_months_in_10q_is_not_a_fiscal_year(fixture_path):
    """Amazon's 10-Q cash-flow statement adds twelve-months-ended columns: they must not seed fiscal years."""
    rows = rows_of(fixture_path, "sec_edgar_amazon.json")
    got = [(r["period"], r["period_label"], r["value"]) for r in rows]
    assert got == [
        ("2023-01-01", "FY2023 Q1", 14.0),
        ("2024-01-01", "FY2024 Q1", 15.0),
        ("2024-04-01", "FY2024 Q2", 17.5),
    ]
    assert {r["entity"] for r in rows} == {"Amazon"}


# --------------------------------------------------------------------------- companyfacts and tag switches

def _facts_rows(fixture_path):
    return list(sec.parse(Payload(fixture_path("sec_edgar_companyfacts.json").read_bytes(), "u", WHEN,
                                  "companyfacts-CIK0001045810.json")))


def test_companyfacts_gives_each_metric_across_a_switch_of_tag(fixture_path):
    got = [(r["indicator"], r["period_label"], r["value"], r["note"].split("; ")[1]) for r in _facts_rows(fixture_path)]
    assert got == [
        # capex: Q1 under PaymentsToAcquirePropertyPlantAndEquipment, the YTD after it under ...ProductiveAssets
        ("company_capex_sec", "FY2021 Q1", 0.156, "us-gaap:PaymentsToAcquirePropertyPlantAndEquipment"),
        ("company_capex_sec", "FY2021 Q2", 0.217, "us-gaap:PaymentsToAcquireProductiveAssets"),  # 0.373 - 0.156
        ("company_capex_sec", "FY2021 Q3", 0.627, "us-gaap:PaymentsToAcquireProductiveAssets"),
        # revenue: RevenueFromContract... until FY2022, Revenues after; where both hold a span the first wins
        ("company_revenue_sec", "FY2022 Q1", 5.661, "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax"),
        ("company_revenue_sec", "FY2022 Q2", 6.507, "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax"),
        ("company_revenue_sec", "FY2023 Q2", 6.704, "us-gaap:Revenues"),
    ]
    assert {r["entity"] for r in _facts_rows(fixture_path)} == {"NVIDIA"}  # a non-hyperscaler's capex stays apart
    assert warehouse.validate("sec_edgar", _facts_rows(fixture_path)).rejects == []


def test_companyfacts_without_the_metrics_fails_loudly():
    body = json.dumps({"cik": 1045810, "entityName": "NVIDIA CORP", "facts": {"us-gaap": {"Assets": {}}}}).encode()
    with pytest.raises(ValueError, match="has none of"):
        list(sec.parse(Payload(body, "u", WHEN, "companyfacts-CIK0001045810.json")))


def test_companyfacts_in_another_currency_fails_loudly():
    body = json.dumps({"cik": 1045810, "facts": {"us-gaap": {"Revenues": {"units": {"EUR": []}}}}}).encode()
    with pytest.raises(ValueError, match="no USD unit"):
        list(sec.parse(Payload(body, "u", WHEN, "x.json")))


@pytest.mark.captures
@pytest.mark.parametrize("name, indicator, label, value", [
    ("companyfacts-CIK0001045810.json", "company_revenue_sec", "FY2027 Q1", 81.615),
    ("companyfacts-CIK0001652044.json", "hyperscaler_capex_sec", "FY2026 Q1", 35.674),
    ("companyfacts-CIK0001652044.json", "company_revenue_sec", "FY2026 Q1", 109.896),
    ("companyconcept_derived/nvidia-company_revenue_sec.json", "company_revenue_sec", "FY2027 Q1", 81.615),
    ("companyconcept_derived/alphabet-PaymentsToAcquirePropertyPlantAndEquipment.json", "hyperscaler_capex_sec",
     "FY2026 Q1", 35.674),
])
def test_real_answers_give_the_latest_quarter_provenance_states(captures, name, indicator, label, value):
    rows = list(sec.parse(Payload.from_file(captures / "sec_edgar" / name)))
    [row] = [r for r in rows if r["indicator"] == indicator and r["period_label"] == label]
    assert row["value"] == pytest.approx(value)
    assert warehouse.validate("sec_edgar", rows).rejects == []


@pytest.mark.captures
def test_real_nvidia_series_run_through_both_tag_switches(captures):
    rows = list(sec.parse(Payload.from_file(captures / "sec_edgar" / "companyfacts-CIK0001045810.json")))
    revenue = {r["note"].split("; ")[1] for r in rows if r["indicator"] == "company_revenue_sec"}
    capex = {r["note"].split("; ")[1] for r in rows if r["indicator"] == "company_capex_sec"}
    assert revenue == {"us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax", "us-gaap:Revenues"}
    assert capex == {"us-gaap:PaymentsToAcquirePropertyPlantAndEquipment", "us-gaap:PaymentsToAcquireProductiveAssets"}
    periods = sorted(r["period"] for r in rows if r["indicator"] == "company_revenue_sec")
    assert periods[-1] == "2026-01-26" and len(periods) == len(set(periods))
