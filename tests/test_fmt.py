"""Every dashboard formatter on hand-picked values, including the edges (missing, signed, thresholds)."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from dashboard import fmt


def test_price_has_two_decimals_and_says_na_when_missing():
    assert fmt.price(2.9) == "$2.90" and fmt.price(1234.5) == "$1,234.50"
    assert fmt.price(None) == fmt.price(math.nan) == "n/a"


def test_money_keeps_three_decimals_below_a_dollar_and_signs_differences():
    assert fmt.money(0.0442) == "$0.044" and fmt.money(1.256) == "$1.26"
    assert fmt.money(-0.02) == "-$0.020"
    assert fmt.money(0.022, signed=True) == "+$0.022" and fmt.money(0.0, signed=True) == "$0.000"


def test_money_per_year_switches_from_millions_to_billions():
    assert fmt.money_per_year(0.0959) == "$95.9m" and fmt.money_per_year(1.5) == "$1.50bn"
    assert fmt.money_per_year(-0.5, signed=True) == "-$500.0m"
    assert fmt.millions_per_year(0.0959) == "$96m"


def test_usd_bn_drops_the_decimal_from_100bn():
    assert fmt.usd_bn(62.31) == "$62.3bn" and fmt.usd_bn(128.4) == "$128bn"


def test_in_unit_formats_a_scenario_output_by_its_unit():
    assert fmt.in_unit(0.0959, "USD bn per year") == "$95.9m"
    assert fmt.in_unit(0.044, "USD per user-month") == "$0.044"
    assert fmt.in_unit(1.1, "%") == "+1.1%" and fmt.in_unit(6.6, "% of compute per query") == "6.6%"
    assert fmt.in_unit(-0.4, "%", signed=True) == "-0.4 pp"


def test_pct_change_factor_and_relative():
    assert fmt.pct(0.12) == "+12%" and fmt.pct(0.12, signed=False) == "12%"
    assert fmt.pct(None) == fmt.pct(math.inf) == "n/a"
    assert (fmt.change(0.12), fmt.change(-0.04), fmt.change(0.001), fmt.change(None)) == (
        "up 12%", "down 4%", "unchanged", "n/a")
    assert fmt.factor(0.6411) == "0.64x" and fmt.factor(0.6411, "×") == "0.64×" and fmt.factor(None) == "n/a"
    assert fmt.relative(0.64) == "-36%"


def test_compact_numbers():
    assert [fmt.compact(v) for v in (950, 1234, 5_802_361, 9.9e8, 2.5e9)] == ["950", "1.2k", "5.8M", "990M", "2.5bn"]


def test_number_range_collapses_when_both_ends_look_the_same():
    assert fmt.number_range(1450.2, 1936.4) == "1,450 to 1,936"
    assert fmt.number_range(1450.2, 1450.4) == "1,450"
    assert fmt.number_range(64.2, 79.4, "{:.0f}", "%") == "64% to 79%"
    assert fmt.number_range(5.16, 5.24, "{:.1f}") == "5.2"


def test_duration_day_and_cadence():
    assert (fmt.duration(0.5), fmt.duration(2.5), fmt.duration(math.inf), fmt.duration(math.nan)) == (
        "6.0 months", "2.5 years", "never (not growing)", "n/a")
    assert fmt.day(dt.date(2026, 3, 4)) == fmt.day(pd.Timestamp("2026-03-04 12:00")) == "2026-03-04"
    assert fmt.day(None) == fmt.day(pd.NaT) == fmt.day(math.nan) == "never"
    assert fmt.cadence(168) == "7 d" and fmt.cadence(6) == "6 h"
