"""epoch_clusters: inclusion rules, supersession, joint owners, year-end periods and shares."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

import pytest
import responses

from etl import warehouse
from etl.provenance import Payload
from etl.sources import epoch_clusters as ec

WHEN = datetime(2025, 11, 1, tzinfo=UTC)
US = "United States of America"


def payload(path) -> Payload:
    return Payload(body=path.read_bytes(), url=ec.URL, fetched_at=WHEN, name=path.name)


def shares(rows, market, label):
    return {r["entity"]: round(r["share_pct"], 3) for r in rows if r["market"] == market and r["period_label"] == label}


def test_exclusions_are_counted_by_reason(fixture_path):
    kept, excluded = ec.clusters(payload(fixture_path("epoch_clusters.csv")))
    assert sorted(c.name for c in kept) == ["Alpha Cluster Phase 1", "Alpha Cluster Phase 2",
                                           "Anonymized Chinese System", "Beta Joint Cluster",
                                           "Delta Cluster", "Gamma Undated"]
    assert excluded == {"status Planned": 1, "status Decommissioned": 1, "certainty Unlikely": 1,
                        "possible duplicate": 1, "single cluster? No": 1, "no H100 equivalents": 1}


def test_periods_are_year_ends_then_snapshot(fixture_path):
    rows = list(ec.parse(payload(fixture_path("epoch_clusters.csv"))))
    labels = sorted({(r["period"], r["period_label"]) for r in rows})
    assert labels == [("2019-12-31", "end-2019"), ("2020-12-31", "end-2020"), ("2021-12-31", "end-2021"),
                      ("2022-02-15", "snapshot 2022-02-15")]


def test_owner_shares_with_supersession_and_joint_owners(fixture_path):
    rows = list(ec.parse(payload(fixture_path("epoch_clusters.csv"))))
    assert shares(rows, ec.MARKET_OWNER, "end-2019") == {"Google": 100.0}
    # Microsoft,OpenAI split 2000 H100e equally; the anonymised Chinese system has no owner.
    assert shares(rows, ec.MARKET_OWNER, "end-2020") == {
        "Google": 25.0, "Microsoft": 25.0, "OpenAI": 25.0, "Undisclosed owner (China)": 25.0}
    # Phase 2 (3000) replaces Phase 1 (1000) once operational: Google 3000 of 6000, not 4000 of 7000.
    assert shares(rows, ec.MARKET_OWNER, "end-2021") == {
        "Google": 50.0, "Microsoft": 16.667, "OpenAI": 16.667, "Undisclosed owner (China)": 16.667}
    # The snapshot adds the undated existing cluster (AIST) and Delta (Mistral AI, 4000).
    snap = shares(rows, ec.MARKET_OWNER, "snapshot 2022-02-15")
    assert snap == {"Mistral AI": 36.364, "Google": 27.273, "AIST": 9.091, "Microsoft": 9.091,
                    "OpenAI": 9.091, "Undisclosed owner (China)": 9.091}
    google = next(r for r in rows if r["entity"] == "Google" and r["period_label"] == "end-2021")
    assert google["value"] == 3000 and google["unit"] == "H100e"
    assert google["basis"] == "capacity (H100-equivalents)"
    assert "10-20%" in google["coverage"] and "existing" in google["coverage"]


def test_country_shares(fixture_path):
    rows = list(ec.parse(payload(fixture_path("epoch_clusters.csv"))))
    assert shares(rows, ec.MARKET_COUNTRY, "end-2020") == {US: 75.0, "China": 25.0}
    assert shares(rows, ec.MARKET_COUNTRY, "snapshot 2022-02-15") == {
        US: 45.455, "France": 36.364, "China": 9.091, "Japan": 9.091}


def test_rows_validate_and_sum_to_100(fixture_path):
    rows = list(ec.parse(payload(fixture_path("epoch_clusters.csv"))))
    result = warehouse.validate("epoch_clusters", rows)
    assert result.rejects == [] and len(result.rows["market_shares"]) == len(rows)
    totals = defaultdict(float)
    for r in rows:
        totals[(r["period"], r["market"])] += r["share_pct"]
    assert all(t == pytest.approx(100.0) for t in totals.values())


def test_schema_drift_raises(fixture_path):
    text = fixture_path("epoch_clusters.csv").read_text().replace("H100 equivalents", "H100e", 1)
    with pytest.raises(ValueError, match="H100 equivalents"):
        list(ec.parse(Payload(text.encode(), ec.URL, WHEN, "gpu_clusters.csv")))


def test_html_instead_of_csv_raises():
    with pytest.raises(ValueError, match="not CSV"):
        list(ec.parse(Payload(b"<html>maintenance</html>", ec.URL, WHEN, "gpu_clusters.csv")))


@responses.activate
def test_fetch_gets_the_csv(client, fixture_path):
    responses.add(responses.GET, ec.URL, body=fixture_path("epoch_clusters.csv").read_bytes())
    [p] = ec.fetch(client)
    assert [c.request.url for c in responses.calls] == [ec.URL]
    assert p.name == "gpu_clusters.csv"


@pytest.mark.captures
def test_real_capture_shares(captures):
    p = Payload.from_file(captures / "epoch" / "gpu_clusters.csv")
    kept, excluded = ec.clusters(p)
    assert len(kept) + sum(excluded.values()) == 786
    assert len(kept) == 460  # Epoch's 482 standard-analysis rows less 22 without H100 equivalents
    rows = list(ec.parse(p))
    assert warehouse.validate("epoch_clusters", rows).rejects == []
    totals = defaultdict(float)
    for r in rows:
        totals[(r["period"], r["market"])] += r["share_pct"]
    assert len(totals) == 2 * 7  # end-2019 .. end-2024 and the snapshot, two markets each
    assert all(t == pytest.approx(100.0) for t in totals.values())
    snap = [r for r in rows if r["period_label"].startswith("snapshot")]
    us = next(r for r in snap if r["market"] == ec.MARKET_COUNTRY and r["entity"] == US)
    print(f"US share of cluster capacity at {us['period']}: {us['share_pct']:.1f}% (Epoch: about 75%)")
    assert 65 <= us["share_pct"] <= 85
