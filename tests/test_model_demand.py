"""Demand arithmetic against hand-computed cases (no Streamlit, no warehouse)."""

import dataclasses
import math

import pandas as pd
import pytest

from dashboard.model import demand as dm
from dashboard.model import demand_lifecycle as lifecycle
from etl.growth import fit_growth


def series(points: dict[str, float]) -> pd.Series:
    s = pd.Series(points, dtype=float)
    s.index = pd.to_datetime(s.index)
    return s


# --------------------------------------------------------------------------- index_to

def test_index_is_100_at_the_base_date():
    s = series({"2020-01-01": 50, "2021-01-01": 100, "2022-01-01": 200})
    assert list(dm.index_to(s, "2021-01-01")) == [50, 100, 200]
    assert list(dm.index_to(s, "2020-01-01")) == [100, 200, 400]


def test_index_base_between_observations_is_interpolated_geometrically():
    # 2020 has 366 days; 2020-07-02 is day 183, half way: sqrt(50 * 100) = 70.71
    s = series({"2020-01-01": 50, "2021-01-01": 100})
    assert dm.value_at(s, "2020-07-02") == pytest.approx(math.sqrt(50 * 100))
    assert dm.index_to(s, "2020-07-02").iloc[-1] == pytest.approx(100 / math.sqrt(5000) * 100)


def test_index_base_outside_the_series_is_an_error_not_a_guess():
    s = series({"2020-01-01": 50, "2021-01-01": 100})
    with pytest.raises(ValueError):
        dm.index_to(s, "2019-01-01")
    assert math.isnan(dm.value_at(s, "2022-01-01"))


def test_explorer_frame_falls_back_to_first_value_and_says_so():
    rows = pd.DataFrame({"label": ["A"] * 3 + ["B"] * 2, "unit": "USD bn",
                         "period": pd.to_datetime(["2020-01-01", "2021-01-01", "2022-01-01", "2021-01-01", "2022-01-01"]),
                         "value": [1, 2, 4, 10, 30]})
    frame, notes = dm.explorer_frame(rows, ["A", "B"], "2020-01-01", "2022-12-31", pd.Timestamp("2020-01-01"))
    assert list(frame.loc[frame["label"] == "A", "index"]) == [100, 200, 400]
    assert list(frame.loc[frame["label"] == "B", "index"]) == [100, 300]
    assert len(notes) == 1 and notes[0].startswith("B: no data on 2020-01-01")


# --------------------------------------------------------------------------- growth

def test_yoy_growth_matches_the_same_quarter_a_year_before():
    s = series({"2023-01-01": 10, "2023-04-01": 12, "2023-07-01": 15, "2023-10-01": 20, "2024-01-01": 25})
    g = dm.yoy_growth(s)
    assert g.loc["2024-01-01"] == pytest.approx(1.5)  # 25 / 10 - 1
    assert g.iloc[:4].isna().all()


def test_yoy_growth_does_not_pair_points_that_are_not_a_year_apart():
    s = series({"2023-01-01": 10, "2024-03-01": 30})  # 14 months: no year-on-year figure
    assert dm.yoy_growth(s).isna().all()


def test_cagr_over_two_years():
    s = series({"2021-01-01": 100, "2022-01-01": 105, "2023-01-01": 121})
    # 730 days = 1.9986 years: (121 / 100) ** (1 / 1.9986) - 1 = 0.10007
    assert dm.cagr(s) == pytest.approx(0.1, abs=2e-4)
    assert dm.cagr(s, start="2022-01-01") == pytest.approx(121 / 105 - 1, abs=2e-4)
    assert math.isnan(dm.cagr(s, start="2023-01-01"))


def test_doubling_time_of_a_series_doubling_every_six_months_is_half_a_year():
    s = series({"2020-01-01": 1, "2020-07-01": 2, "2021-01-01": 4, "2021-07-01": 8, "2022-01-01": 16})
    assert dm.doubling_time(s) == pytest.approx(0.5, abs=1e-3)
    assert dm.doubling_time(3.0) == pytest.approx(0.5)  # x4 a year
    assert dm.doubling_time(1.0) == pytest.approx(1.0)  # x2 a year
    assert dm.doubling_time(0.0) == math.inf
    assert dm.doubling_time(-0.2) == math.inf
    assert math.isnan(dm.doubling_time(math.nan))


def test_growth_table_of_an_explorer_frame():
    rows = pd.DataFrame({"label": "A", "unit": "million",
                         "period": pd.to_datetime(["2021-01-01", "2022-01-01", "2023-01-01"]), "value": [100, 200, 400]})
    frame, _ = dm.explorer_frame(rows, ["A"], None, None)
    row = dm.growth_table(frame).iloc[0]
    assert row["latest YoY growth %"] == pytest.approx(100)
    assert row["CAGR over window %"] == pytest.approx(100, abs=0.1)
    assert row["doubling time (years)"] == pytest.approx(1.0, abs=1e-3)


def test_daily_series_are_averaged_by_month():
    days = pd.date_range("2023-01-01", "2023-02-28", freq="D")
    s = pd.Series([1.0 if d.month == 1 else 3.0 for d in days], index=days)
    monthly = dm.monthly_if_daily(s)
    assert list(monthly) == [1.0, 3.0] and list(monthly.index) == list(pd.to_datetime(["2023-01-01", "2023-02-01"]))
    quarterly = series({"2023-01-01": 1, "2023-04-01": 2, "2023-07-01": 3})
    assert dm.monthly_if_daily(quarterly) is quarterly


def test_trend_band_on_exact_exponential_data_is_the_data():
    dates = pd.to_datetime(["2015-01-01", "2016-01-01", "2017-01-01", "2018-01-01"])
    values = [4.0**i for i in range(4)]
    band = dm.trend_band(dates, values, dates, t_quantile=2.0)
    # 2016 is a leap year, so fractional years are exact on 1 January: a perfect 4x a year fit
    assert list(band["fit"]) == pytest.approx(values)
    assert list(band["low"]) == pytest.approx(values) and list(band["high"]) == pytest.approx(values)


def test_trend_band_is_the_growth_fit_line_and_uses_its_t_quantile():
    dates = pd.to_datetime(["2015-01-01", "2016-01-01", "2017-01-01", "2018-01-01", "2019-01-01"])
    values = [1, 5, 12, 70, 250]
    band = dm.trend_band(dates, values, dates)
    fit = fit_growth([d.date() for d in dates], values)
    # on 1 January fractional years are whole, so the fitted line grows by the fit's factor each year
    assert band["fit"].iloc[1] / band["fit"].iloc[0] == pytest.approx(fit["growth_per_year"])
    assert list(band["high"]) == pytest.approx(list(dm.trend_band(dates, values, dates, t_quantile=3.182446)["high"]))


def test_trend_band_widens_away_from_the_centre():
    dates = pd.to_datetime(["2015-01-01", "2016-01-01", "2017-01-01", "2018-01-01", "2019-01-01"])
    band = dm.trend_band(dates, [1, 5, 12, 70, 250], dates, t_quantile=3.18)
    width = band["high"] / band["low"]
    assert width.iloc[0] > width.iloc[2] < width.iloc[-1]


# --------------------------------------------------------------------------- spending

def capex_rows(sec: bool = False) -> pd.DataFrame:
    rows = []
    for q, values in {"2024Q2": (18, 13, 8, 19), "2024Q3": (23, 13, 9, 20), "2025Q3": (36, 24, 19, 35)}.items():
        start = pd.Period(q).start_time
        for entity, v in zip(dm.BIG4, values, strict=True):
            rows.append({"indicator": "hyperscaler_capex_sec" if sec else "hyperscaler_capex", "entity": entity,
                         "period": start, "value": float(v), "ref_date": "2025-11-01"})
    rows.append({"indicator": "hyperscaler_capex", "entity": "Amazon", "period": pd.Timestamp("2025-10-01"),
                 "value": 40.0, "ref_date": "2026-02-06"})
    for q, v in {"2024Q2": 58.0, "2025Q2": 97.0, "2025Q3": 114.0, "2025Q4": 128.0}.items():
        rows.append({"indicator": "hyperscaler_capex_big4_total", "entity": "Big 4", "period": pd.Period(q).start_time,
                     "value": v, "ref_date": "2026-02-06"})
    return pd.DataFrame(rows)


def test_capex_total_uses_the_published_total_then_the_sum_of_four():
    stack, total, basis = dm.capex_quarters(capex_rows())
    by = total.set_index("quarter")
    assert by.loc["2024Q2", "total"] == 58 and by.loc["2024Q2", "basis"] == "published total"
    assert by.loc["2024Q3", "total"] == 23 + 13 + 9 + 20 and by.loc["2024Q3", "basis"] == "sum of 4 companies"
    assert by.loc["2025Q3", "yoy"] == pytest.approx(114 / 65 - 1)
    assert by.loc["2025Q4", "qoq"] == pytest.approx(128 / 114 - 1)
    assert math.isnan(by.loc["2025Q4", "yoy"])  # 2024Q4 total unknown: no guess
    assert "curated" in basis and set(stack["entity"]) == set(dm.BIG4)


def test_capex_from_sec_filings_is_not_mixed_with_curated_totals():
    rows = pd.concat([capex_rows(sec=True), capex_rows()[lambda r: r["indicator"] == "hyperscaler_capex_big4_total"]])
    stack, total, basis = dm.capex_quarters(rows)
    assert "SEC" in basis
    assert list(total["quarter"]) == ["2024Q2", "2024Q3", "2025Q3"]
    assert total.set_index("quarter").loc["2024Q2", "total"] == 18 + 13 + 8 + 19


def test_fiscal_quarters_map_to_the_calendar_quarter_of_their_middle():
    assert dm.calendar_quarter("2024-02-01") == "2024Q1"  # NVIDIA FY2025 Q1 = Feb-Apr 2024
    assert dm.calendar_quarter("2024-07-01") == "2024Q3"  # Microsoft FY2025 Q1 = Jul-Sep 2024
    assert dm.calendar_quarter("2024-06-01") == "2024Q3"  # Oracle FY2025 Q1 = Jun-Aug 2024


def test_capex_headline_words():
    s = dm.capex_summary(capex_rows())
    assert s.quarter == "2025Q4" and s.total_usd_bn == 128 and s.yoy is None
    assert s.qoq == pytest.approx(128 / 114 - 1) and s.last_yoy_quarter == "2025Q3" and s.growth == s.qoq
    assert s.as_of == "2026-02-06"
    assert dm.capex_title(s) == ("Big-4 hyperscaler capex reached $128bn in 2025Q4, up 12% on the previous quarter "
                                 "(+75% year on year in 2025Q3)")
    s = dataclasses.replace(s, yoy=0.66)
    assert dm.capex_title(s).startswith("Big-4 hyperscaler capex grew 66% year on year to $128bn in 2025Q4")


def test_nvidia_year_on_year_by_fiscal_quarter():
    rows = pd.DataFrame({"period": pd.to_datetime(["2024-11-01", "2025-08-01", "2025-11-01"]),
                         "period_label": ["FY2025 Q4", "FY2026 Q3", "FY2026 Q4"], "value": [35.58, 51.2, 62.3]})
    out, title = dm.revenue_summary(rows)
    assert out["yoy"].iloc[-1] == pytest.approx(62.3 / 35.58 - 1)
    assert title == "NVIDIA data-centre revenue was $62.3bn in FY2026 Q4, up 75% year on year"


def test_missing_fiscal_quarters_stay_visible_as_gaps():
    rows = pd.DataFrame({"period": pd.to_datetime(["2022-02-01", "2022-08-01", "2023-02-01"]),
                         "period_label": ["FY2023 Q1", "FY2023 Q3", "FY2024 Q1"], "value": [3.75, 3.8, 4.28]})
    out = dm.with_missing_quarters(rows)
    assert list(out["period_label"]) == ["FY2023 Q1", "FY2023 Q2", "FY2023 Q3", "FY2023 Q4", "FY2024 Q1"]
    assert out["value"].isna().tolist() == [False, True, False, True, False]
    assert dm.nvidia_fiscal_label("2025-11-01") == "FY2026 Q4" and dm.nvidia_fiscal_label("2024-02-01") == "FY2025 Q1"


# --------------------------------------------------------------------------- labels, headline, lifecycle

def test_series_labels_are_readable_and_do_not_repeat_the_entity():
    assert dm.series_label("chatgpt_weekly_active_users", "ChatGPT") == "ChatGPT weekly active users"
    assert dm.series_label("hyperscaler_capex", "Amazon") == "Hyperscaler capex · Amazon"
    assert dm.series_label("hyperscaler_capex_big4_total", "Big 4 (Amazon, Alphabet, Meta, Microsoft)") == \
        "Big-4 hyperscaler capex (published total)"
    assert dm.series_label("some_new_series", "X") == "Some new series · X"


def test_headline_falls_back_to_epochs_published_figure_without_model_data():
    published = pd.DataFrame([{"entity": "Notable AI models", "value": 4.6, "value_low": None, "value_high": None,
                               "period_label": "2010-present", "ref_date": "2025-01-01",
                               "ref_url": "https://epoch.ai/data-insights/compute-trend-post-2010"}])
    empty = pd.DataFrame(columns=["period", "flop", "frontier"])
    out = dm.summarise(pd.DataFrame(), empty, published)
    assert out.capex is None
    assert out.training.growth_per_year == 4.6 and out.training.n is None
    assert out.training.text == "Training compute of notable AI models grows 4.6x a year"


def test_headline_fits_model_level_data_with_a_confidence_interval():
    dates = pd.date_range("2012-01-01", "2024-01-01", freq="180D")
    models = pd.DataFrame({"period": dates, "flop": [1e18 * 4 ** dm.years_between(dates[0], d) * (1.5 if i % 2 else 0.7)
                                                     for i, d in enumerate(dates)], "frontier": [i % 3 == 0 for i in range(len(dates))]})
    out = dm.summarise(pd.DataFrame(), models, pd.DataFrame()).training
    assert out.ci_low < out.growth_per_year < out.ci_high
    assert 3.8 < out.growth_per_year < 4.2 and out.n == len(dates) and out.frontier.n > 3
    assert "(95% CI" in out.text


def test_every_lifecycle_record_is_cited():
    assert lifecycle.RECORDS
    for r in lifecycle.RECORDS:
        assert r.url.startswith("https://") and r.source and r.source_date[:4].isdigit()
        assert r.confidence in {"primary", "secondary", "tertiary", "uncertain"}
        assert r.kind in {"estimate", "reported", "gap"}
    assert {"training", "inference"} <= {r.stage for r in lifecycle.RECORDS}
    assert "fine-tuning" in lifecycle.GAPS and "No public" in lifecycle.SPLIT_STATUS
