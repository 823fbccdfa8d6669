"""epoch_models: training-compute rows with filter metadata, and the log-linear growth fit."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime

import pytest
import responses

from etl import growth, warehouse
from etl.provenance import Payload
from etl.sources import epoch_models as em

WHEN = datetime(2025, 11, 1, tzinfo=UTC)


def payload(path) -> Payload:
    return Payload(body=path.read_bytes(), url=em.URL, fetched_at=WHEN, name=path.name)


def test_parse_rows_and_metadata(fixture_path):
    rows, skipped = em.model_rows(payload(fixture_path("epoch_models.csv")))
    assert skipped == 2  # one model without compute, one without a date: not errors, not rows
    assert [r["entity"] for r in rows] == ["Toy-LM 3", "Toy-LM 2", "Vision Net", "Game Player", "Perceptron"]
    top = rows[0]
    assert top["indicator"] == "training_compute_flop" and top["unit"] == "FLOP"
    assert top["period"] == "2024-06-15" and top["value"] == 6.3e24
    assert top["ref_url"] == "https://example.org/toy-lm-3"
    assert json.loads(top["note"]) == {"organization": "Example AI", "country": "United States of America",
                                       "frontier": True, "domain": "Language", "confidence": "Confident"}
    assert rows[1]["ref_url"] == "https://example.org/toy-lm-2"  # the first of several links
    vision = json.loads(rows[2]["note"])
    assert vision["frontier"] is False
    assert vision["country"] == "China,United Kingdom of Great Britain and Northern Ireland"
    assert vision["organization"] == "Lab A,Lab B"
    assert rows[4]["period"] == "1958-01-01" and rows[4]["value"] == 695000
    assert list(em.parse(payload(fixture_path("epoch_models.csv")))) == rows


def test_rows_validate_without_rejects(fixture_path):
    rows = list(em.parse(payload(fixture_path("epoch_models.csv"))))
    result = warehouse.validate("epoch_models", rows)
    assert result.rejects == [] and len(result.rows["indicators"]) == 5


def test_schema_drift_raises(fixture_path):
    text = fixture_path("epoch_models.csv").read_text().replace("Training compute (FLOP)", "Compute", 1)
    with pytest.raises(ValueError, match="Training compute"):
        list(em.parse(Payload(text.encode(), em.URL, WHEN, "notable_ai_models.csv")))


def test_html_instead_of_csv_raises():
    with pytest.raises(ValueError, match="not CSV"):
        list(em.parse(Payload(b"<!DOCTYPE html><html>Oops</html>", em.URL, WHEN, "notable_ai_models.csv")))


# --------------------------------------------------------------------------- fit_growth

def test_fit_growth_exact_4x_per_year():
    dates = ["2015-01-01", "2016-01-01", "2017-01-01", "2018-01-01", "2019-01-01"]
    flops = [1e20 * 4**i for i in range(5)]
    fit = growth.fit_growth(dates, flops)
    assert fit["growth_per_year"] == pytest.approx(4.0)
    assert fit["ci_low"] == pytest.approx(4.0) and fit["ci_high"] == pytest.approx(4.0)
    assert fit["doubling_months"] == pytest.approx(6.0)  # 4x a year = two doublings a year
    assert fit["n"] == 5 and fit["r2"] == pytest.approx(1.0)


def test_fit_growth_ci_by_hand():
    """Three points: x = 0, 1, 2 (years after 2020), y = 0, 1, 3 (log10 FLOP).

    slope = 1.5, intercept = -1/6, residuals 1/6, -1/3, 1/6: SSE = 1/6, s^2 = 1/6 (1 df),
    Sxx = 2, se = sqrt(1/12), t(0.975, 1) = 12.7062: CI of the slope 1.5 +- 3.668.
    """
    fit = growth.fit_growth(["2020-01-01", "2021-01-01", "2022-01-01"], [1.0, 10.0, 1000.0])
    half = 12.706205 * math.sqrt(1 / 12)
    assert fit["growth_per_year"] == pytest.approx(10**1.5)
    assert fit["ci_low"] == pytest.approx(10 ** (1.5 - half))
    assert fit["ci_high"] == pytest.approx(10 ** (1.5 + half))
    assert fit["r2"] == pytest.approx(1 - (1 / 6) / (14 / 3))


def test_t_quantiles_against_tables():
    for df, expected in ((1, 12.7062), (10, 2.2281), (30, 2.0423), (40, 2.0211), (60, 2.0003), (120, 1.9799)):
        assert growth.t_quantile_975(df) == pytest.approx(expected, abs=5e-4)
    assert growth.t_quantile_975(10**6) == pytest.approx(1.96, abs=1e-3)


def test_fit_growth_drops_missing_and_needs_three_points():
    with pytest.raises(ValueError, match="at least 3"):
        growth.fit_growth(["2020-01-01", None, "2021-01-01"], [1.0, 5.0, None])


# --------------------------------------------------------------------------- fetch

@responses.activate
def test_fetch_gets_the_csv(client, fixture_path):
    responses.add(responses.GET, em.URL, body=fixture_path("epoch_models.csv").read_bytes(), content_type="text/csv")
    [p] = em.fetch(client)
    assert p.name == "notable_ai_models.csv"
    assert [c.request.url for c in responses.calls] == [em.URL]
    assert len(list(em.parse(p))) == 5


# --------------------------------------------------------------------------- the real dataset

@pytest.mark.captures
def test_real_capture_growth_matches_epoch(captures):
    """Epoch: training compute of notable models grew 4.1x/yr (2024) to 4.6x/yr (later), frontier 4-5x."""
    rows, skipped = em.model_rows(Payload.from_file(captures / "epoch" / "notable_ai_models.csv"))
    assert len(rows) + skipped == 942
    assert len(rows) == 507
    fit_all = em.fit_rows(rows, since="2010-01-01")
    fit_frontier = em.fit_rows(rows, since="2010-01-01", frontier_only=True)
    for label, fit in (("all notable since 2010", fit_all), ("frontier since 2010", fit_frontier)):
        print(f"{label}: {fit['growth_per_year']:.2f}x/yr (95% CI {fit['ci_low']:.2f}-{fit['ci_high']:.2f}), "
              f"doubling {fit['doubling_months']:.1f} months, n={fit['n']}, r2={fit['r2']:.2f}")
        assert 3.5 <= fit["growth_per_year"] <= 5.5
        assert fit["ci_low"] < fit["growth_per_year"] < fit["ci_high"]
    assert fit_frontier["n"] < fit_all["n"]
    assert warehouse.validate("epoch_models", rows).rejects == []
