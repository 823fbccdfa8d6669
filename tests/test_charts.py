"""Every chart builder on a small hand-made frame: how many traces of which type, and the axis titles."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard.charts import (
    MARKERS_UP_TO,
    SEGMENT_COLORS,
    TEMPLATE,
    TRACE_TYPES,
    build,
    empty,
    lines,
    style,
)
from dashboard.charts import concentration as cc
from dashboard.charts import demand as dc
from dashboard.charts import prices as pc
from dashboard.charts import scenarios as sc
from dashboard.model import demand as dm
from dashboard.model import scenarios as ms

DAYS = pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-03"])


def types(fig) -> list[str]:
    return [t.type for t in fig.data]


# --------------------------------------------------------------------------- shared

def test_lines_draws_one_line_per_series_and_a_band_each_when_asked():
    frame = pd.DataFrame({"day": list(DAYS) * 2, "v": [1, 2, 3, 2, 3, 4], "lo": 0, "hi": 5, "s": ["a"] * 3 + ["b"] * 3})
    fig = lines(frame, x="day", y="v", series="s", y_title="Units", band=("lo", "hi"))
    assert types(fig) == ["scatter"] * 4 and [t.name for t in fig.data if t.fill != "toself"] == ["a", "b"]
    assert fig.layout.yaxis.title.text == "Units"


def test_style_gives_plotly_white_for_the_trace_types_charts_draw_and_leaves_the_shared_template_alone():
    before = TEMPLATE.to_plotly_json()
    fig = style(go.Figure(go.Bar(x=[1, 2], y=[3, 4])), y_title="y")
    named = go.Figure(go.Bar(x=[1, 2], y=[3, 4]))
    named.update_layout(template="plotly_white")
    full, house = named.layout.template.to_plotly_json(), fig.layout.template.to_plotly_json()
    assert house["data"] == {k: v for k, v in full["data"].items() if k in TRACE_TYPES}
    assert house["layout"] == {k: v for k, v in full["layout"].items() if k not in ("polar", "ternary", "scene", "geo")}
    assert house["layout"]["plot_bgcolor"] == "white" and "bar" in house["data"]
    # a figure of a trace type outside TRACE_TYPES gets the whole of plotly_white
    pie = style(go.Figure(go.Pie(values=[1, 2])))
    assert pie.layout.template.to_plotly_json() == full
    fig.update_layout(height=300, yaxis_title="other")  # later edits of a figure reach only that figure
    assert TEMPLATE.to_plotly_json() == before
    assert style(go.Figure()).layout.template.to_plotly_json() == before
    assert fig.layout.yaxis.title.text == "other" and fig.layout.height == 300


def test_every_trace_type_the_charts_draw_is_in_the_house_template():
    """A chart with a new trace type must add it to TRACE_TYPES, or a trace added after style() loses
    plotly_white's look for it (a figure from charts.build has its traces when the template is chosen, and
    gets the whole template for another type, as the test above shows)."""
    drawn = set()
    for path in (Path(__file__).resolve().parent.parent / "dashboard").rglob("*.py"):
        text = path.read_text()
        drawn |= {name.lower() for name in re.findall(r"\bgo\.([A-Z][A-Za-z]+)\(", text)} - {"figure"}
    assert drawn and drawn <= TRACE_TYPES, drawn - TRACE_TYPES


def _drawn(fig: go.Figure):
    """A figure's JSON without empty objects (Plotly draws {"title": {}} and no title alike)."""
    def drop(value):
        if isinstance(value, dict):
            return {k: drop(v) for k, v in value.items() if v != {}}
        return [drop(v) for v in value] if isinstance(value, list) else value
    return drop(fig.to_plotly_json())


@pytest.mark.parametrize("kwargs", [{}, {"title": "T", "y_title": "y", "x_title": "x", "log_y": True,
                                         "legend_title": "L", "height": 300}])
def test_build_draws_what_style_draws(kwargs):
    built = build([{"type": "bar", "x": [1, 2], "y": [3, 4]}], {"margin": {"r": 80}}, **kwargs)
    styled = style(go.Figure(go.Bar(x=[1, 2], y=[3, 4])), **kwargs)
    styled.update_layout(margin={"r": 80})
    assert _drawn(built) == _drawn(styled)
    assert built.layout.margin.l == 60 and built.layout.margin.r == 80  # an override keeps the other margins
    second = build([], {"xaxis2": {"anchor": "y"}}, **kwargs)  # every axis it is given gets the house axis style
    assert second.layout.xaxis2.gridcolor == second.layout.xaxis.gridcolor == "#f3f4f6"
    assert built.layout.template.to_plotly_json() == TEMPLATE.to_plotly_json()


def test_empty_figure_says_why_and_hides_its_axes():
    fig = empty("Nothing yet.")
    assert not fig.data and fig.layout.annotations[0].text == "Nothing yet."
    assert fig.layout.xaxis.visible is False


# --------------------------------------------------------------------------- prices

def test_index_over_time_has_a_band_and_a_median_line_per_segment_and_draws_low_confidence_hollow():
    frame = pd.DataFrame({"day": list(DAYS) * 2, "series": ["neocloud"] * 3 + ["marketplace"] * 3,
                          "median": [3, 3.1, 3.2, 2, 2.1, 2.2], "p25": 1.0, "p75": 4.0, "n": 5, "n_providers": 2,
                          "low_confidence": [False, True, False, False, False, False],
                          "reason": [None, "2 providers < 3", None, None, None, None]})
    fig = pc.index_over_time(frame, y_title="USD per GPU-hour")
    assert types(fig) == ["scatter"] * 5
    lines = [t for t in fig.data if t.fill != "toself"]
    assert [t.name for t in lines] == ["neocloud: median, p25-p75 band", "neocloud: low confidence (hollow)",
                                       "marketplace: median, p25-p75 band"]
    # the low-confidence day is a hollow marker (white fill, segment outline), off the line
    hollow = lines[1]
    assert hollow.mode == "markers" and hollow.marker.color == "#ffffff"
    assert hollow.marker.line.color == SEGMENT_COLORS["neocloud"] and list(hollow.y) == [3.1]
    assert 3.1 not in [v for v in lines[0].y if v == v]
    assert list(hollow.customdata[0])[-1] == "2 providers < 3"
    assert fig.layout.yaxis.title.text == "USD per GPU-hour"


def test_index_over_time_draws_a_long_daily_line_without_markers_and_a_short_one_with():
    days = pd.date_range("2025-01-01", periods=MARKERS_UP_TO + 1, freq="D")
    frame = pd.DataFrame({"day": list(days) + list(days[:3]),
                          "series": ["neocloud"] * len(days) + ["marketplace"] * 3,
                          "median": 2.0, "p25": 1.5, "p75": 2.5, "n": 5, "n_providers": 3})
    fig = pc.index_over_time(frame, y_title="USD")
    mode = {t.name: t.mode for t in fig.data if t.fill != "toself"}
    # more points than a marker's width allows to tell apart: the line alone (hover still names each day)
    assert mode == {"neocloud: median, p25-p75 band": "lines", "marketplace: median, p25-p75 band": "lines+markers"}


def test_index_over_time_adds_reference_markers_and_published_indices_as_their_own_traces():
    frame = pd.DataFrame({"day": DAYS, "series": "marketplace", "median": [2, 2.1, 2.2], "p25": 1.9, "p75": 2.3,
                          "n": 9, "n_providers": 1})
    markers = pd.DataFrame({"day": [DAYS[1]], "price": [1.85], "provider": ["akash"], "source": ["seed"],
                            "excluded_reason": ["tertiary source"]})
    published = pd.DataFrame({"day": DAYS, "value": [1.9, 1.9, 2.0], "entity": "CCIR CRI-H100", "publisher": "CCIR",
                              "segment": "marketplace"})
    fig = pc.index_over_time(frame, y_title="USD", markers=markers, published=published)
    names = [t.name for t in fig.data]
    assert "published: CCIR CRI-H100" in names and "reference only (not in any median)" in names
    ref = fig.data[names.index("reference only (not in any median)")]
    assert ref.mode == "markers" and list(ref.customdata[0]) == ["akash", "seed", "tertiary source"]


def test_price_ladder_bars_per_segment_with_stale_prices_grey_and_labelled():
    frame = pd.DataFrame({"provider_name": ["AWS", "Vast.ai", "Lambda"], "price": [4.0, 1.5, 2.5],
                          "segment": ["hyperscaler", "marketplace", "neocloud"], "stale": [False, False, True],
                          "age_days": [3, 1, 400], "source": ["aws_ec2", "vast", "cloud_gpus"], "day": DAYS,
                          "n_offers": [1, 9, 1], "sources_seen": ["aws_ec2", "vast", "cloud_gpus"],
                          "price_since": DAYS})
    fig = pc.price_ladder(frame, x_title="USD per GPU-hour", medians={"hyperscaler": 4.0, "marketplace": 1.5})
    assert types(fig) == ["bar"] * 3
    stale = [t for t in fig.data if "stale" in t.name]
    assert len(stale) == 1 and stale[0].marker.color == pc.STALE_COLOUR
    assert list(stale[0].y) == ["Lambda · stale (400 d)  [cloud_gpus]"]
    assert fig.layout.xaxis.title.text == "USD per GPU-hour"
    assert len(fig.layout.shapes) == 2  # one dashed median line per segment given
    assert list(fig.layout.yaxis.categoryarray)[-1].startswith("Vast.ai")  # cheapest on top


def test_supply_draws_in_use_and_utilisation_only_where_a_network_reports_them():
    frame = pd.DataFrame({"day": list(DAYS) * 2, "network": ["Akash"] * 3 + ["Vast.ai"] * 3,
                          "segment": ["depin"] * 3 + ["marketplace"] * 3, "gpus_total": [10, 12, 14, 50, 60, 70],
                          "gpus_in_use": [5, 6, 7, None, None, None], "utilisation": [0.5] * 3 + [None] * 3})
    fig = pc.supply_utilisation(frame)
    assert [t.name for t in fig.data] == ["Akash: offered", "Akash: in use", "Akash: utilisation", "Vast.ai: offered"]
    assert fig.layout.yaxis.title.text == "GPUs offered" and fig.layout.yaxis2.title.text == "in use / offered"
    alone = pc.supply_utilisation(frame[frame["network"] == "Vast.ai"])  # offered only: one panel, no 0% line
    assert [t.name for t in alone.data] == ["Vast.ai: offered"] and "yaxis2" not in alone.layout


# --------------------------------------------------------------------------- concentration

def concentration_rows() -> pd.DataFrame:
    return pd.DataFrame({"market": ["cloud", "cloud", "hosts"], "block": ["centralised", "centralised", "decentralised"],
                         "market_label": ["Cloud", "Cloud", "Hosts"], "period": pd.to_datetime(["2025-01-01",
                                                                                                "2025-04-01", "2025-04-01"]),
                         "period_label": ["2025Q1", "2025Q2", "2025-04-01"], "hhi": [1700.0, 1690.0, 300.0],
                         "hhi_low": [1450.0, 1440.0, 300.0], "hhi_high": [1950.0, 1940.0, 300.0],
                         "n_entities": [3, 3, 500], "bounded": [True, True, False]})


def test_hhi_over_time_has_one_line_per_market_with_error_bars_where_bounded():
    fig = cc.hhi_over_time(concentration_rows(), "us2023", hidden=("hosts",))
    assert [t.name for t in fig.data] == ["Cloud", "Hosts"]
    assert fig.data[0].error_y.array is not None and fig.data[1].error_y.array is None
    assert fig.data[1].visible == "legendonly"
    assert fig.layout.yaxis.title.text == "HHI (0 to 10,000)"
    rects = [shape for shape in fig.layout.shapes if shape.type == "rect"]
    assert len(rects) == 3 and rects[2].y0 == 1800  # the three US 2023 bands, the top one above 1,800


def test_shares_bar_groups_the_tail_and_greys_the_residual():
    shares = pd.DataFrame({"entity": ["A", "B", "C", "Others (unpublished)"], "share_pct": [40.0, 30.0, 10.0, 20.0],
                           "share_low_pct": None, "share_high_pct": None, "is_residual": [False, False, False, True]})
    fig = cc.shares_bar(shares, top=2)
    assert types(fig) == ["bar"]
    assert list(fig.data[0].y) == ["Others (unpublished)", "1 others together", "B", "A"]
    assert fig.layout.xaxis.title.text == "share of the market, %"


def test_lorenz_curve_has_the_equality_line_and_the_curve_with_its_gini():
    fig = cc.lorenz_curve([0, 0.5, 1], [0, 0.2, 1], gini=0.3, entity_word="hosts")
    assert [t.name for t in fig.data] == ["Perfect equality", "Lorenz curve (Gini 0.30)"]
    assert fig.layout.xaxis.title.text == "cumulative share of hosts (smallest first)"
    assert fig.layout.yaxis.title.text == "cumulative share of the market"


def test_merger_figure_has_before_and_after_bars_with_error_bars_for_an_interval():
    fig = cc.merger_figure((1450.0, 1936.0), (2626.0, 3112.0))
    assert types(fig) == ["bar"] and list(fig.data[0].y) == ["After merger", "Before"]
    assert list(fig.data[0].text) == ["2,626 to 3,112", "1,450 to 1,936"]
    assert fig.data[0].error_x.array is not None and fig.layout.xaxis.title.text == "HHI"


def test_entry_figure_has_a_range_band_the_curve_and_the_chosen_point():
    curve = pd.DataFrame({"share": [0, 50, 100], "hhi_low": [1450.0, 400.0, 2.0], "hhi_high": [1936.0, 500.0, 2.0]})
    fig = cc.entry_figure(curve, 50, n_entrants=50)
    assert [t.name for t in fig.data] == ["range", "spread over 50 operators", "your scenario"]
    assert fig.layout.xaxis.title.text == "decentralised supply's share of the market, %"
    assert fig.layout.yaxis.title.text == "HHI"
    # the band labels ("Moderately<br>concentrated" at 11 px) sit right of the plot: room for them there
    labels = [a for a in fig.layout.annotations if a.xref == "paper" and a.x > 1]
    assert labels and fig.layout.margin.r >= 100


# --------------------------------------------------------------------------- demand

def test_explorer_indexed_is_one_axis_and_absolute_one_panel_per_unit():
    frame = pd.DataFrame({"label": ["A"] * 3 + ["B"] * 3, "period": list(DAYS) * 2, "value": [1, 2, 3, 10, 20, 30],
                          "unit": ["USD bn"] * 3 + ["users"] * 3, "index": [100, 200, 300] * 2, "base_date": DAYS[0]})
    indexed = dc.explorer(frame, indexed=True, log_y=False, title="t")
    assert types(indexed) == ["scatter", "scatter"] and indexed.layout.yaxis.title.text == "Index (=100 at base date)"
    absolute = dc.explorer(frame, indexed=False, log_y=True, title="t")
    assert (absolute.layout.yaxis.title.text, absolute.layout.yaxis2.title.text) == ("USD bn, log scale",
                                                                                     "users, log scale")


def test_training_compute_has_points_and_a_band_and_line_per_fit():
    dates = pd.date_range("2015-01-01", "2024-01-01", freq="365D")
    models = pd.DataFrame({"period": dates, "model": [f"m{i}" for i in range(len(dates))], "organization": "x",
                           "flop": [1e20 * 4**i for i in range(len(dates))], "frontier": [i % 2 == 0 for i in range(len(dates))]})
    fits = dm.training_fits(models)
    fig = dc.training_compute(models, fits, title="t")
    assert len(fits) == 2 and len(fig.data) == 2 + 2 * len(fits)
    assert [t.name for t in fig.data[:2]] == ["Other notable models", "Frontier models"]
    assert fig.layout.yaxis.title.text == "Training compute (FLOP, log scale)"


def test_quarterly_with_growth_stacks_bars_marks_the_total_and_draws_growth_on_a_second_axis():
    stack = pd.DataFrame({"quarter": ["2025Q1", "2025Q1", "2025Q2", "2025Q2"], "entity": ["A", "B", "A", "B"],
                          "value": [1.0, 2.0, 1.5, 2.5]})
    totals = pd.DataFrame({"quarter": ["2025Q1", "2025Q2"], "total": [3.0, 4.0], "yoy": [None, 0.3],
                           "basis": "sum of 4 companies"})
    fig = dc.quarterly_with_growth(stack, totals, x="quarter", stack="entity", total=totals, title="t",
                                   y_title="USD bn per quarter", growth_name="growth")
    assert types(fig) == ["bar", "bar", "scatter", "scatter"] and fig.data[2].name == "Big-4 total"
    assert fig.layout.yaxis.title.text == "USD bn per quarter"
    assert fig.layout.yaxis2.title.text == "Growth year on year (%)"


def test_bars_users_and_panels():
    frame = pd.DataFrame({"entity": ["a", "b"], "value": [2e6, 1e6]})
    fig = dc.bars(frame, x="value", y="entity", scale=1e6, suffix="M", title="t", x_title="Downloads")
    assert types(fig) == ["bar"] and list(fig.data[0].text) == ["1M", "2M"]
    assert fig.layout.xaxis.title.text == "Downloads"
    weekly = pd.DataFrame({"period": DAYS[:2], "value": [400.0, 800.0]})
    monthly = pd.DataFrame({"period": DAYS[2:], "value": [180.5]})
    users = dc.users(weekly, monthly, title="t")
    assert len(users.data) == 2 and users.layout.yaxis.title.text == "Users (millions)"
    daily = pd.DataFrame({"label": ["x"] * 3 + ["y"] * 3, "entity": "net", "period": list(DAYS) * 2,
                          "value": [1.0, 2, 3, 4, 5, 6], "unit": ["minutes"] * 3 + ["USD"] * 3})
    panels = dc.panels(daily, facet="label", title="t", smooth_days=30)
    assert len(panels.data) == 4  # a faint daily line and its 30-day mean per panel
    assert (panels.layout.yaxis.title.text, panels.layout.yaxis2.title.text) == ("minutes", "USD")


# --------------------------------------------------------------------------- scenarios

@pytest.fixture(scope="module")
def comparison():
    from tests.test_model_scenarios import make_data

    return ms.evaluate({"gpu_price_change_pct": "60"}, make_data())


def test_comparison_bars_has_three_runs_per_output(comparison):
    frame = ms.comparison_frame(comparison)
    fig = sc.comparison_bars(frame)
    assert types(fig) == ["bar"] * len(frame)
    assert {t.name for t in fig.data} == set(ms.RUNS)


def test_difference_bars_split_the_change_by_cause_and_mark_the_total(comparison):
    fig = sc.difference_bars(ms.difference_frame(comparison))
    assert [t.name for t in fig.data] == ["Your assumptions", "Your policy levers", "Total change"]
    assert fig.layout.xaxis.title.text == "change from the default baseline, % of its value"


def test_waterfall_starts_from_the_cost_change(comparison):
    steps = ms.waterfall_frame(comparison.scenario)
    fig = sc.waterfall(steps)
    assert types(fig) == ["waterfall"] and fig.data[0].measure[0] == "absolute"
    assert fig.layout.yaxis.title.text == "USD per user per month"


def test_band_chart_has_the_band_three_runs_and_the_chosen_point(comparison):
    frame = pd.DataFrame({"gpu_price_change_pct": [0.0, 40.0, 80.0], "Default baseline": [0, 1, 2],
                          "Your baseline": [0, 1, 2], "Scenario": [0, 1.5, 3], "band_low": [0, 1, 2],
                          "band_high": [0, 2, 4]})
    fig = sc.band_chart(frame, shock=40.0, y_title="USD bn per year")
    assert [t.name for t in fig.data] == ["Scenario, sensitivity range (10th-90th percentile)", *ms.RUNS,
                                          "Your scenario"]
    assert fig.layout.yaxis.title.text == "USD bn per year"
    assert fig.layout.xaxis.title.text == "change in the centralised GPU price, %"


def test_trend_bars_one_bar_a_trend_labelled_in_days(comparison):
    fig = sc.trend_bars(comparison.trend)
    assert types(fig) == ["bar"] and len(fig.data[0].x) == len(comparison.trend)
    assert all(text.endswith("days") for text in fig.data[0].text)
    assert "days of the trend" in fig.layout.xaxis.title.text


def test_routes_bars_highlight_the_route_in_use(comparison):
    frame = ms.routes_frame(comparison)
    fig = sc.routes_bars(frame)
    colours = list(fig.data[0].marker.color)
    assert colours.count(colours[0]) == 1 and len(colours) == frame["usd_per_user_month"].notna().sum()
    assert fig.layout.xaxis.title.text == "USD per user per month, at centralised prices"


def test_hhi_over_time_draws_a_daily_series_as_a_line_with_only_its_withheld_points_hollow():
    days = pd.date_range("2025-01-01", periods=MARKERS_UP_TO + 50)
    withheld = [i in (3, 120) for i in range(len(days))]
    frame = pd.DataFrame({"period": days, "period_label": [f"{d:%Y-%m-%d}" for d in days], "market": "vast_hosts",
                          "market_label": "Vast hosts", "block": "decentralised", "hhi": 600.0, "hhi_low": 600.0,
                          "hhi_high": 600.0, "bounded": False, "n_entities": 70, "withheld": withheld,
                          "withheld_reason": ["sample capped" if w else None for w in withheld]})
    line, hollow = cc.hhi_over_time(frame).data
    assert line.mode == "lines" and len(line.x) == len(days) and len(line.text) == len(days)
    assert hollow.mode == "markers" and hollow.marker.symbol.endswith("-open") and hollow.showlegend is False
    assert [str(x)[:10] for x in hollow.x] == ["2025-01-04", "2025-05-01"]
    assert all("withheld: sample capped" in t for t in hollow.text) and hollow.legendgroup == line.legendgroup
    short = cc.hhi_over_time(frame.head(MARKERS_UP_TO)).data
    assert len(short) == 1 and short[0].mode == "lines+markers"  # few points: markers on every point, as before
