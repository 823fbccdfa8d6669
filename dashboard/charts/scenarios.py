"""Pure Plotly builders for the Scenarios page: three-way bars, difference view, waterfall, band, trend, routes."""

from __future__ import annotations

import copy
import functools
import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard import fmt
from dashboard.charts import ACCENT, COST_UP, NEUTRAL, _alpha, build

RUN_COLORS = {"Default baseline": "#b8bec8", "Your baseline": NEUTRAL, "Scenario": ACCENT}
EFFECT_COLORS = {"from_assumptions": NEUTRAL, "from_levers": ACCENT}
EFFECT_LABELS = {"from_assumptions": "Your assumptions", "from_levers": "Your policy levers"}


def comparison_bars(frame: pd.DataFrame, cols: int = 3) -> go.Figure:
    """Small multiples, one per output (`output`, `unit`, `run`, `value`), three bars each."""
    outputs = list(dict.fromkeys(frame["output"]))
    units = frame.drop_duplicates("output").set_index("output")["unit"]
    rows = math.ceil(len(outputs) / cols)
    layout = copy.deepcopy(_grid(tuple(f"{o}<br><sup>{units[o]}</sup>" for o in outputs), rows, cols))
    layout.update(hovermode="closest", barmode="overlay", bargap=0.25, legend={"y": 1.08}, margin={"t": 90})
    data = []
    runs = {}  # output -> [(run, value)], in the frame's order
    for output, run, value in zip(frame["output"], frame["run"], frame["value"], strict=True):
        runs.setdefault(output, []).append((run, value))
    for i, output in enumerate(outputs):
        axis = "" if i == 0 else str(i + 1)
        layout[f"xaxis{axis}"].update(showticklabels=False)
        layout[f"yaxis{axis}"].update(rangemode="tozero", zeroline=True, zerolinecolor="#9ca3af")
        for run, value in runs[output]:
            data.append({
                "type": "bar", "x": [run], "y": [value], "name": run, "legendgroup": run, "showlegend": i == 0,
                "marker": {"color": RUN_COLORS.get(run, NEUTRAL)}, "text": [fmt.in_unit(value, units[output])],
                "textposition": "outside", "cliponaxis": False,
                "hovertemplate": f"{run}: %{{text}}<extra>{output}</extra>", "xaxis": f"x{axis}", "yaxis": f"y{axis}"})
    return build(data, layout, height=250 * rows + 70)


@functools.lru_cache(maxsize=16)
def _grid(titles: tuple[str, ...], rows: int, cols: int) -> dict:
    """make_subplots' axes and subplot titles for a rows x cols grid (the grid is the same on every slider
    press; working it out is most of make_subplots' time). Shared: copy it before filling it in."""
    grid = make_subplots(rows=rows, cols=cols, subplot_titles=titles, vertical_spacing=0.2, horizontal_spacing=0.08)
    layout = grid.layout.to_plotly_json()
    layout.pop("template", None)
    for annotation in layout.get("annotations", ()):
        annotation["font"] = {**annotation.get("font", {}), "size": 13}
    return layout


def difference_bars(frame: pd.DataFrame) -> go.Figure:
    """Scenario minus default baseline per output, in % of the baseline value, split by cause."""
    if frame[["from_assumptions", "from_levers"]].abs().max().max() < 1e-12:
        return build([], {"xaxis": {"visible": False}, "yaxis": {"visible": False},
                          "annotations": [{"text": "The scenario equals the default baseline: move a policy lever or "
                                           "an assumption.", "showarrow": False, "xref": "paper", "yref": "paper",
                                           "x": 0.5, "y": 0.5, "font": {"size": 14, "color": NEUTRAL}}]}, height=220)
    labels = [f"{o}" for o in frame["output"]]
    data = []
    for column in ("from_assumptions", "from_levers"):
        native = [fmt.in_unit(v, u, signed=True) for v, u in zip(frame[column], frame["unit"], strict=True)]
        data.append({
            "type": "bar", "y": labels, "x": frame[f"{column}_pct"].to_numpy(), "orientation": "h",
            "name": EFFECT_LABELS[column], "marker": {"color": EFFECT_COLORS[column]}, "customdata": native,
            "hovertemplate": "%{y}: %{x:+.1f}% (%{customdata})<extra>" + EFFECT_LABELS[column] + "</extra>"})
    totals = [f"{fmt.in_unit(v, u, signed=True)} ({p:+.0f}%)"
              for v, u, p in zip(frame["total"], frame["unit"], frame["total_pct"], strict=True)]
    data.append({"type": "scatter", "y": labels, "x": frame["total_pct"].to_numpy(), "mode": "markers",
                 "name": "Total change",
                 "marker": {"symbol": "line-ns-open", "size": 18, "color": "#111827", "line": {"width": 2}},
                 "customdata": totals, "hovertemplate": "%{y}: %{customdata}<extra>Total change</extra>"})
    return build(data, {
        "barmode": "relative", "hovermode": "closest", "margin": {"r": 170},
        "annotations": [{"x": 1.01, "xref": "paper", "xanchor": "left", "y": label, "yref": "y", "text": text,
                         "showarrow": False, "font": {"size": 12, "color": "#111827"}}
                        for label, text in zip(labels, totals, strict=True)],
        "yaxis": {"autorange": "reversed"}, "xaxis": {"zeroline": True, "zerolinecolor": "#6b7280", "ticksuffix": "%"}},
        x_title="change from the default baseline, % of its value", height=110 + 45 * len(frame))


def waterfall(frame: pd.DataFrame) -> go.Figure:
    """From the cost change per user-month (first row) to what each party carries (the other rows)."""
    steps, values = list(frame["step"]), list(frame["usd_per_user_month"])
    top, bottom = max(0.0, *values), min(0.0, *values)
    pad = 0.15 * ((top - bottom) or 1.0)
    return build([{
        "type": "waterfall", "x": [_wrap(step) for step in steps], "y": [values[0]] + [-v for v in values[1:]],
        "measure": ["absolute"] + ["relative"] * (len(values) - 1),
        "text": [f"{'-' if v < 0 else ''}${abs(v):,.4f}" for v in values], "textposition": "outside",
        "cliponaxis": False, "connector": {"line": {"color": "#d1d5db"}},
        "increasing": {"marker": {"color": COST_UP}}, "decreasing": {"marker": {"color": "#9ca3af"}},
        "totals": {"marker": {"color": ACCENT}}, "hovertemplate": "%{x}: %{text}<extra></extra>"}], {
        "hovermode": "closest", "showlegend": False, "xaxis": {"tickangle": 0, "tickfont": {"size": 11}},
        "yaxis": {"tickprefix": "$", "range": [bottom - pad, top + pad], "zeroline": True, "zerolinecolor": "#9ca3af"}},
        y_title="USD per user per month", height=420)


def _wrap(text: str, width: int = 16) -> str:
    """Break a long axis label onto lines of about `width` characters."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join(lines + [line])


def band_chart(frame: pd.DataFrame, *, shock: float, y_title: str, scale: float = 1.0) -> go.Figure:
    """Three lines across GPU price changes, the scenario's sensitivity range, and a marker at its shock."""
    x = frame["gpu_price_change_pct"]
    colour = RUN_COLORS["Scenario"]
    data = [{"type": "scatter", "x": list(x) + list(x)[::-1],
             "y": list(frame["band_high"] * scale) + list(frame["band_low"] * scale)[::-1],
             "fill": "toself", "fillcolor": _alpha(colour, 0.15), "line": {"width": 0}, "hoverinfo": "skip",
             "name": "Scenario, sensitivity range (10th-90th percentile)"}]
    dashes = {"Default baseline": "dash", "Your baseline": "dot", "Scenario": "solid"}
    for name, dash in dashes.items():
        data.append({"type": "scatter", "x": x.to_numpy(), "y": (frame[name] * scale).to_numpy(), "name": name, "mode": "lines",
                     "line": {"color": RUN_COLORS[name], "width": 3 if name == "Scenario" else 2, "dash": dash},
                     "hovertemplate": "%{y:,.4g}<extra>" + name + "</extra>"})
    at = frame.iloc[(x - shock).abs().argsort()[:1]]
    data.append({"type": "scatter", "x": at["gpu_price_change_pct"].to_numpy(), "y": (at["Scenario"] * scale).to_numpy(),
                 "mode": "markers", "marker": {"size": 11, "color": colour, "line": {"color": "white", "width": 2}},
                 "name": "Your scenario", "hovertemplate": "%{y:,.4g}<extra>Your scenario</extra>"})
    return build(data, {"xaxis": {"ticksuffix": "%", "zeroline": True, "zerolinecolor": "#9ca3af"},
                        "yaxis": {"zeroline": True, "zerolinecolor": "#9ca3af"}},
                 x_title="change in the centralised GPU price, %", y_title=y_title, height=420)


def trend_bars(frame: pd.DataFrame) -> go.Figure:
    """Days of each inference-price trend the shock undoes (`trend`, `days_of_trend`), one bar a trend."""
    frame = frame.sort_values("days_of_trend")
    return build([{
        "type": "bar", "y": [_wrap(t, 34) for t in frame["trend"]], "x": frame["days_of_trend"].to_numpy(),
        "orientation": "h", "marker": {"color": ACCENT}, "text": [f"{d:+.0f} days" for d in frame["days_of_trend"]],
        "textposition": "outside", "cliponaxis": False, "customdata": frame["factor_per_year"].to_numpy(),
        "hovertemplate": "%{y}: %{x:.0f} days (trend %{customdata:g}x a year)<extra></extra>"}], {
        "hovermode": "closest", "showlegend": False, "margin": {"r": 80},
        "xaxis": {"zeroline": True, "zerolinecolor": "#6b7280"}},
        x_title="days of the trend the compute-cost change undoes (negative: adds)", height=120 + 60 * len(frame))


def routes_bars(frame: pd.DataFrame) -> go.Figure:
    """Compute cost per user-month by route (`route`, `usd_per_user_month`, `in use`), the one in use highlighted."""
    shown = frame.dropna(subset=["usd_per_user_month"])
    return build([{
        "type": "bar", "x": shown["usd_per_user_month"].to_numpy(), "y": [_wrap(w, 30) for w in shown["what"]],
        "orientation": "h", "marker": {"color": [ACCENT if used else NEUTRAL for used in shown["in use"]]},
        "text": [fmt.money(v) for v in shown["usd_per_user_month"]], "textposition": "outside", "cliponaxis": False,
        "hovertemplate": "%{y}: %{text}<extra></extra>"}], {
        "hovermode": "closest", "showlegend": False, "margin": {"r": 80},
        "xaxis": {"tickprefix": "$", "rangemode": "tozero"}},
        x_title="USD per user per month, at centralised prices", height=120 + 60 * max(len(shown), 1))
