"""Pure Plotly builders for the Scenarios page: three-way bars, difference view, waterfall, band, trend, routes."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard import fmt
from dashboard.charts import ACCENT, COST_UP, NEUTRAL, _alpha, style

RUN_COLORS = {"Default baseline": "#b8bec8", "Your baseline": NEUTRAL, "Scenario": ACCENT}
EFFECT_COLORS = {"from_assumptions": NEUTRAL, "from_levers": ACCENT}
EFFECT_LABELS = {"from_assumptions": "Your assumptions", "from_levers": "Your policy levers"}


def comparison_bars(frame: pd.DataFrame, cols: int = 3) -> go.Figure:
    """Small multiples, one per output (`output`, `unit`, `run`, `value`), three bars each."""
    outputs = list(dict.fromkeys(frame["output"]))
    rows = math.ceil(len(outputs) / cols)
    units = frame.drop_duplicates("output").set_index("output")["unit"]
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[f"{o}<br><sup>{units[o]}</sup>" for o in outputs],
                        vertical_spacing=0.2, horizontal_spacing=0.08)
    for i, output in enumerate(outputs):
        part = frame[frame["output"] == output]
        for run, value in zip(part["run"], part["value"], strict=True):
            fig.add_trace(go.Bar(
                x=[run], y=[value], name=run, legendgroup=run, showlegend=i == 0,
                marker_color=RUN_COLORS.get(run, NEUTRAL), text=[fmt.in_unit(value, units[output])], textposition="outside",
                cliponaxis=False, hovertemplate=f"{run}: %{{text}}<extra>{output}</extra>"),
                row=i // cols + 1, col=i % cols + 1)
    style(fig, height=250 * rows + 70)
    fig.update_layout(hovermode="closest", barmode="overlay", bargap=0.25, margin={"t": 90},
                      legend={"y": 1.08})
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(rangemode="tozero", zeroline=True, zerolinecolor="#9ca3af")
    for annotation in fig.layout.annotations:
        annotation.font.size = 13
    return fig


def difference_bars(frame: pd.DataFrame) -> go.Figure:
    """Scenario minus default baseline per output, in % of the baseline value, split by cause."""
    if frame[["from_assumptions", "from_levers"]].abs().max().max() < 1e-12:
        fig = go.Figure()
        fig.add_annotation(text="The scenario equals the default baseline: move a policy lever or an assumption.",
                           showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5,
                           font={"size": 14, "color": NEUTRAL})
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        return style(fig, height=220)
    labels = [f"{o}" for o in frame["output"]]
    fig = go.Figure()
    for column in ("from_assumptions", "from_levers"):
        native = [fmt.in_unit(v, u, signed=True) for v, u in zip(frame[column], frame["unit"], strict=True)]
        fig.add_trace(go.Bar(
            y=labels, x=frame[f"{column}_pct"], orientation="h", name=EFFECT_LABELS[column],
            marker_color=EFFECT_COLORS[column], customdata=native,
            hovertemplate="%{y}: %{x:+.1f}% (%{customdata})<extra>" + EFFECT_LABELS[column] + "</extra>"))
    totals = [f"{fmt.in_unit(v, u, signed=True)} ({p:+.0f}%)"
              for v, u, p in zip(frame["total"], frame["unit"], frame["total_pct"], strict=True)]
    fig.add_trace(go.Scatter(y=labels, x=frame["total_pct"], mode="markers", name="Total change",
                             marker={"symbol": "line-ns-open", "size": 18, "color": "#111827",
                                     "line": {"width": 2}},
                             customdata=totals, hovertemplate="%{y}: %{customdata}<extra>Total change</extra>"))
    for label, text in zip(labels, totals, strict=True):
        fig.add_annotation(x=1.01, xref="paper", xanchor="left", y=label, yref="y", text=text, showarrow=False,
                           font={"size": 12, "color": "#111827"})
    style(fig, x_title="change from the default baseline, % of its value", height=110 + 45 * len(frame))
    fig.update_layout(barmode="relative", hovermode="closest", margin={"r": 170})
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(zeroline=True, zerolinecolor="#6b7280", ticksuffix="%")
    return fig


def waterfall(frame: pd.DataFrame) -> go.Figure:
    """From the cost change per user-month (first row) to what each party carries (the other rows)."""
    steps, values = list(frame["step"]), list(frame["usd_per_user_month"])
    fig = go.Figure(go.Waterfall(
        x=[_wrap(step) for step in steps], y=[values[0]] + [-v for v in values[1:]], measure=["absolute"] + ["relative"] * (len(values) - 1),
        text=[f"{'-' if v < 0 else ''}${abs(v):,.4f}" for v in values], textposition="outside", cliponaxis=False,
        connector={"line": {"color": "#d1d5db"}},
        increasing={"marker": {"color": COST_UP}},
        decreasing={"marker": {"color": "#9ca3af"}},
        totals={"marker": {"color": ACCENT}},
        hovertemplate="%{x}: %{text}<extra></extra>"))
    style(fig, y_title="USD per user per month", height=420)
    fig.update_layout(hovermode="closest", showlegend=False)
    fig.update_xaxes(tickangle=0, tickfont={"size": 11})
    top, bottom = max(0.0, *values), min(0.0, *values)
    pad = 0.15 * ((top - bottom) or 1.0)
    fig.update_yaxes(tickprefix="$", range=[bottom - pad, top + pad], zeroline=True, zerolinecolor="#9ca3af")
    return fig


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
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=list(x) + list(x)[::-1],
                             y=list(frame["band_high"] * scale) + list(frame["band_low"] * scale)[::-1],
                             fill="toself", fillcolor=_alpha(colour, 0.15), line={"width": 0}, hoverinfo="skip",
                             name="Scenario, sensitivity range (10th-90th percentile)"))
    dashes = {"Default baseline": "dash", "Your baseline": "dot", "Scenario": "solid"}
    for name, dash in dashes.items():
        fig.add_trace(go.Scatter(x=x, y=frame[name] * scale, name=name, mode="lines",
                                 line={"color": RUN_COLORS[name], "width": 3 if name == "Scenario" else 2,
                                       "dash": dash},
                                 hovertemplate="%{y:,.4g}<extra>" + name + "</extra>"))
    at = frame.iloc[(x - shock).abs().argsort()[:1]]
    fig.add_trace(go.Scatter(x=at["gpu_price_change_pct"], y=at["Scenario"] * scale, mode="markers",
                             marker={"size": 11, "color": colour, "line": {"color": "white", "width": 2}},
                             name="Your scenario", hovertemplate="%{y:,.4g}<extra>Your scenario</extra>"))
    style(fig, x_title="change in the centralised GPU price, %", y_title=y_title, height=420)
    fig.update_xaxes(ticksuffix="%", zeroline=True, zerolinecolor="#9ca3af")
    fig.update_yaxes(zeroline=True, zerolinecolor="#9ca3af")
    return fig


def trend_bars(frame: pd.DataFrame) -> go.Figure:
    """Days of each inference-price trend the shock undoes (`trend`, `days_of_trend`), one bar a trend."""
    frame = frame.sort_values("days_of_trend")
    fig = go.Figure(go.Bar(
        y=[_wrap(t, 34) for t in frame["trend"]], x=frame["days_of_trend"], orientation="h", marker_color=ACCENT,
        text=[f"{d:+.0f} days" for d in frame["days_of_trend"]], textposition="outside", cliponaxis=False,
        customdata=frame["factor_per_year"], hovertemplate="%{y}: %{x:.0f} days (trend %{customdata:g}x a year)"
        "<extra></extra>"))
    style(fig, x_title="days of the trend the compute-cost change undoes (negative: adds)", height=120 + 60 * len(frame))
    fig.update_layout(hovermode="closest", showlegend=False, margin={"r": 80})
    fig.update_xaxes(zeroline=True, zerolinecolor="#6b7280")
    return fig


def routes_bars(frame: pd.DataFrame) -> go.Figure:
    """Compute cost per user-month by route (`route`, `usd_per_user_month`, `in use`), the one in use highlighted."""
    shown = frame.dropna(subset=["usd_per_user_month"])
    colours = [ACCENT if used else NEUTRAL for used in shown["in use"]]
    fig = go.Figure(go.Bar(
        x=shown["usd_per_user_month"], y=[_wrap(w, 30) for w in shown["what"]], orientation="h",
        marker_color=colours, text=[fmt.money(v) for v in shown["usd_per_user_month"]], textposition="outside",
        cliponaxis=False, hovertemplate="%{y}: %{text}<extra></extra>"))
    style(fig, x_title="USD per user per month, at centralised prices", height=120 + 60 * max(len(shown), 1))
    fig.update_layout(hovermode="closest", showlegend=False, margin={"r": 80})
    fig.update_xaxes(tickprefix="$", rangemode="tozero")
    return fig
