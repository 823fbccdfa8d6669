"""The pure model modules on hand-made frames: prices, concentration and sources helpers the pages call."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from dashboard.model import concentration as mc
from dashboard.model import prices as mp
from dashboard.model import sources as ms

# the price model's ladder, headlines, method switch and published-beside rules: tests/test_marts_prices.py


def test_overview_price_window_is_five_years_to_today():
    start, end = mp.overview_window(dt.date(2026, 3, 4))
    assert end == dt.date(2026, 3, 4) and (end - start).days == 5 * 366


def history() -> pd.DataFrame:
    return pd.DataFrame({"market": "cloud", "market_label": "Cloud", "block": "centralised",
                         "period": pd.to_datetime(["2025-01-01", "2025-04-01", "2025-07-01"]),
                         "period_label": ["2025Q1", "2025Q2", "2025Q3"], "hhi": [1700.0, 1650.0, 1800.0],
                         "hhi_low": [1500.0, 1450.0, 1600.0], "hhi_high": [1900.0, 1850.0, 2000.0],
                         "in_trend": [True, False, True]})


def test_since_previous_and_the_trend_skip_what_they_should():
    move = mc.since_previous(history(), "2025Q3")
    assert move.change == 150.0 and move.first["period_label"] == "2025Q2"
    assert mc.since_previous(history(), "2025Q1") is None
    trend = mc.trend(history(), "cloud")  # 2025Q2 is not in the trend
    assert trend.change == 100.0 and trend.last["period_label"] == "2025Q3"
    assert list(mc.trend_rows(history())["period_label"]) == ["2025Q1", "2025Q3"]
    assert mc.left_out_note(mc.left_out_rows(history())) == " Not plotted, usual firms not published: Cloud 2025Q2."


def test_moves_table_reads_first_and_latest_range():
    table = mc.moves(mc.trend_rows(history()), "us2023")
    row = table.iloc[0]
    assert (row["HHI then"], row["HHI now"], row["change (midpoints)"]) == ("1,500 to 1,900", "1,600 to 2,000", 100.0)
    assert row["reading now"].startswith("Between moderately and highly concentrated")


def test_entry_curve_starts_at_todays_range_and_falls_with_entry():
    curve = mc.entry_curve((1450.0, 1936.0), 50)
    assert list(curve["share"]) == list(mc.ENTRY_GRID)
    assert curve.iloc[0][["hhi_low", "hhi_high"]].tolist() == pytest.approx([1450.0, 1936.0])
    assert curve.iloc[-1]["hhi_low"] == pytest.approx(100.0**2 / 50)  # all supply in 50 equal entrants


def test_band_words_join_labels_that_share_their_last_word():
    assert mc.band_words("moderately concentrated", "highly concentrated") == "moderately to highly concentrated"
    assert mc.band_words("unconcentrated", "moderately concentrated") == "unconcentrated to moderately concentrated"
    assert mc.band_words("high concentration", "high concentration") == "high concentration"


def status() -> pd.DataFrame:
    return pd.DataFrame({"source": ["seed", "vast", "aws_ec2"], "status": ["fresh", "stale", "never"],
                         "segment": [None, "marketplace", "hyperscaler"],
                         "last_ok_at": pd.to_datetime(["2026-03-04 10:00", "2026-03-01 09:00", None])})


def test_sources_freshness_segments_and_sidebar():
    assert ms.freshness_counts(status()) == ms.Freshness(fresh=1, stale=1, never=1)
    assert list(ms.of_segment(status(), "other")["source"]) == ["seed"]
    assert list(ms.of_segment(status(), "marketplace")["source"]) == ["vast"]
    assert len(ms.of_segment(status(), "all")) == len(ms.of_segment(status(), None)) == 3
    side = ms.sidebar(status())
    assert side.live_as_of == pd.Timestamp("2026-03-01 09:00")  # the seed is not a live source
    assert side.has_seed and side.stale == ("vast",)


def test_rejects_are_counted_by_reason_and_shown_as_compact_json():
    rejects = pd.DataFrame({"source": ["vast", "vast", "akash"], "reason": ["no price", "no price", "bad gpu"],
                            "record": [json.dumps({"a": 1, "b": "x" * 500}), "{}", '{"gpu": "?"}']})
    by_reason = ms.rejects_by_reason(rejects)
    assert by_reason.iloc[0].tolist() == ["vast", "no price", 2]
    detail = ms.rejects_of(rejects, "vast")
    assert len(detail) == 2 and len(detail["record"].iloc[0]) == 400 and detail["record"].iloc[1] == "{}"
