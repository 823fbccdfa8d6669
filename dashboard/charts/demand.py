"""Pure Plotly builders for the Demand page (DataFrame in, Figure out; no st.* calls), in the house style."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.charts import NEUTRAL, SERIES, _alpha, color_for, style

# Blues and oranges mean centralised / decentralised supply everywhere, so models use series colours.
NOTABLE, FRONTIER = SERIES[0], SERIES[2]
TOTAL = "#111827"


def _legend_below(fig: go.Figure, gap: int = 40) -> go.Figure:
    """Long, finding-style titles and long series names: the legend goes under the plot, not over the title.
    `gap` (px) leaves room for the x tick labels (more when they are rotated)."""
    height, top, bottom = fig.layout.height or 420, 70, gap + 60
    plot = height - top - bottom  # legend y is a fraction of the plot area, not of the figure
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -gap / plot, "x": 0, "xanchor": "left"},
                      margin={"b": bottom, "t": top})
    return fig


def _colours(labels) -> dict[str, str]:
    return {label: SERIES[i % len(SERIES)] for i, label in enumerate(dict.fromkeys(labels))}


def explorer(frame: pd.DataFrame, *, indexed: bool, log_y: bool, title: str) -> go.Figure:
    """Explorer lines: one per series. Indexed: one axis (=100 at each series' base). Absolute: one
    panel per unit, so no axis ever mixes units."""
    colours = _colours(frame["label"])
    y = "index" if indexed else "value"
    units = list(dict.fromkeys(frame["unit"])) if not indexed else ["Index"]
    rows = len(units)
    fig = make_subplots(rows=rows, cols=1, shared_xaxes=True, vertical_spacing=0.06 if rows > 1 else 0.0)
    for label, part in frame.groupby("label", sort=False):
        row = 1 if indexed else units.index(part["unit"].iloc[0]) + 1
        base = f" (=100 at {pd.Timestamp(part['base_date'].iloc[0]):%Y-%m-%d})" if indexed else ""
        fig.add_trace(go.Scatter(
            x=part["period"], y=part[y], name=f"{label}{base}", mode="lines+markers",
            line={"color": colours[label], "width": 2}, marker={"size": 5},
            customdata=part[["value", "unit"]].values,
            hovertemplate="%{y:,.4g}" + (" (%{customdata[0]:,.4g} %{customdata[1]})" if indexed else " %{customdata[1]}")
            + f"<extra>{label}</extra>"), row=row, col=1)
    style(fig, title=title, height=max(420, 300 * rows + 120))
    scale = ", log scale" if log_y else ""
    for i, unit in enumerate(units, start=1):
        text = "Index (=100 at base date)" if indexed else unit
        values = frame[y] if indexed else frame.loc[frame["unit"] == unit, y]
        positive = values[values > 0]
        decades = log_y and not positive.empty and positive.max() / positive.min() >= 100
        fig.update_yaxes(title=f"{text}{scale}", type="log" if log_y else "linear", row=i, col=1,
                         gridcolor="#e5e7eb", dtick=1 if decades else None)
    return _legend_below(fig)


def training_compute(points: pd.DataFrame, fits: list, *, title: str) -> go.Figure:
    """Notable models' training compute (log y) with fitted trends and their 95% confidence bands.

    points: period, model, flop, organization, frontier (bool). fits: dashboard.model.demand.Fit
    (name, colour, band: frame of period, fit, low, high; label: legend text; dash)."""
    fig = go.Figure()
    for frontier, name, colour, size in ((False, "Other notable models", NOTABLE, 6), (True, "Frontier models", FRONTIER, 8)):
        part = points[points["frontier"] == frontier]
        if part.empty:
            continue
        fig.add_trace(go.Scatter(
            x=part["period"], y=part["flop"], name=name, mode="markers",
            marker={"color": _alpha(colour, 0.55) if not frontier else colour, "size": size,
                    "line": {"width": 0.5, "color": "white"}},
            customdata=part[["model", "organization"]].fillna("").values,
            hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<br>%{x|%Y-%m-%d}: %{y:.3g} FLOP<extra></extra>"))
    for f in fits:
        band = f.band
        fig.add_trace(go.Scatter(
            x=list(band["period"]) + list(band["period"])[::-1], y=list(band["high"]) + list(band["low"])[::-1],
            fill="toself", fillcolor=_alpha(f.colour, 0.18), line={"width": 0}, hoverinfo="skip",
            showlegend=False, name=f"{f.name} 95% CI"))
        fig.add_trace(go.Scatter(
            x=band["period"], y=band["fit"], name=f.label, mode="lines",
            line={"color": f.colour, "width": 3, "dash": "dash" if f.dash else "solid"},
            hovertemplate="trend: %{y:.3g} FLOP<extra>" + f.name + "</extra>"))
    style(fig, title=title, y_title="Training compute (FLOP, log scale)", log_y=True, height=520)
    fig.update_yaxes(exponentformat="power")
    fig.update_layout(hovermode="closest")
    return _legend_below(fig)


def quarterly_with_growth(bars: pd.DataFrame, growth: pd.DataFrame | None, *, x: str, stack: str | None,
                          title: str, y_title: str, growth_name: str, total: pd.DataFrame | None = None) -> go.Figure:
    """Bars by quarter (stacked by `stack` when given), an optional total marker, and year-on-year growth
    (%) as a line on a second axis. growth: x, yoy (fraction). total: x, total, basis."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    order = list(dict.fromkeys(sorted(set(bars[x]) | set(total[x] if total is not None else []))))
    groups = bars.groupby(stack, sort=True) if stack else [(None, bars)]
    for i, (name, part) in enumerate(groups):
        colour = color_for(str(name), i) if name else SERIES[0]
        fig.add_trace(go.Bar(x=part[x], y=part["value"], name=str(name) if name else "Quarterly value",
                             marker_color=colour, hovertemplate="$%{y:,.1f}bn<extra>" + str(name or "") + "</extra>"),
                      secondary_y=False)
    if total is not None and not total.empty:
        fig.add_trace(go.Scatter(
            x=total[x], y=total["total"], name="Big-4 total", mode="markers+text" if len(total) <= 8 else "markers",
            text=[f"${v:,.0f}bn" for v in total["total"]],
            textposition="top center", marker={"symbol": "line-ew-open", "size": 26, "color": TOTAL, "line": {"width": 3}},
            customdata=total[["basis"]].values, hovertemplate="$%{y:,.1f}bn (%{customdata[0]})<extra>Big-4 total</extra>"),
            secondary_y=False)
    if growth is not None and growth["yoy"].notna().any():
        g = growth.sort_values(x, key=lambda col: col.map(order.index))  # gaps stay gaps (connectgaps off)
        labelled = g["yoy"].notna().sum() <= 6
        fig.add_trace(go.Scatter(
            x=g[x], y=100 * g["yoy"], name=growth_name, mode="lines+markers+text" if labelled else "lines+markers",
            text=["" if pd.isna(v) else f"{100 * v:+.0f}%" for v in g["yoy"]], textposition="top center",
            connectgaps=False, line={"color": NEUTRAL, "width": 2, "dash": "dot"}, marker={"size": 7},
            hovertemplate="%{y:+.0f}% year on year<extra></extra>"), secondary_y=True)
    fig.update_layout(barmode="stack")
    style(fig, title=title, height=520 if len(order) > 8 else 480)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=order, title=None,
                     tickangle=-45 if len(order) > 8 else 0)
    fig.update_yaxes(title=y_title, secondary_y=False)
    fig.update_yaxes(title="Growth year on year (%)", secondary_y=True, showgrid=False, rangemode="tozero",
                     ticksuffix="%", tickmode="auto", tickformat=",.0f")
    return _legend_below(fig, gap=95 if len(order) > 8 else 35)


def bars(frame: pd.DataFrame, *, x: str, y: str, title: str, x_title: str, scale: float = 1.0,
         suffix: str = "") -> go.Figure:
    """Horizontal bars, largest on top, labelled with value / scale + suffix (e.g. scale 1e6, 'M')."""
    part = frame.sort_values(x)
    fig = go.Figure(go.Bar(
        x=part[x] / scale, y=part[y], orientation="h", marker_color=SERIES[1], cliponaxis=False,
        text=[f"{v / scale:,.0f}{suffix}" for v in part[x]], textposition="outside",
        hovertemplate="%{y}: %{x:,.4g}" + suffix + "<extra></extra>"))
    style(fig, title=title, height=max(260, 30 * len(part) + 120))
    fig.update_xaxes(title=x_title)
    fig.update_layout(hovermode="closest", showlegend=False, margin={"r": 60})
    return fig


def users(weekly: pd.DataFrame, monthly: pd.DataFrame, *, title: str) -> go.Figure:
    """ChatGPT users: weekly active users (company statements) as a line, monthly-user estimates as separate,
    unconnected hollow markers. Two different measures: never joined or summed."""
    fig = go.Figure()
    if not weekly.empty:
        fig.add_trace(go.Scatter(
            x=weekly["period"], y=weekly["value"], name="Weekly active users (OpenAI statements)",
            mode="lines+markers+text", text=[f"{v:,.0f}M" for v in weekly["value"]], textposition="top left",
            line={"color": SERIES[0], "width": 3}, marker={"size": 8},
            hovertemplate="%{x|%b %Y}: %{y:,.0f}M weekly active users<extra></extra>"))
    if not monthly.empty:
        fig.add_trace(go.Scatter(
            x=monthly["period"], y=monthly["value"], name="Monthly users (third-party estimates; a different measure)",
            mode="markers+text", text=[f"{v:,.1f}M" for v in monthly["value"]], textposition="top center",
            marker={"color": SERIES[1], "size": 11, "symbol": "diamond-open", "line": {"width": 2}},
            hovertemplate="%{x|%b %Y}: %{y:,.1f}M monthly users (estimate)<extra></extra>"))
    style(fig, title=title, y_title="Users (millions)", height=440)
    fig.update_yaxes(rangemode="tozero")
    fig.update_layout(hovermode="closest")
    return _legend_below(fig)


def panels(frame: pd.DataFrame, *, facet: str, title: str, smooth_days: int = 0, height_per: int = 230,
           colour: str | None = None) -> go.Figure:
    """Small multiples: one panel per value of `facet` (each with its own unit on its y axis), one line
    per entity. Daily series get a rolling mean over `smooth_days` on top of the faint daily values.
    `colour` fixes one colour for every line (e.g. the decentralised orange for DePIN networks)."""
    facets, colour_fixed = list(dict.fromkeys(frame[facet])), colour
    fig = make_subplots(rows=len(facets), cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=facets)
    for r, name in enumerate(facets, start=1):
        part = frame[frame[facet] == name]
        unit = part["unit"].iloc[0]
        for i, (entity, p) in enumerate(part.sort_values("period").groupby("entity", sort=True)):
            colour = colour_fixed or SERIES[(r - 1 + i) % len(SERIES)]
            if smooth_days:
                fig.add_trace(go.Scatter(x=p["period"], y=p["value"], mode="lines", showlegend=False,
                                         line={"color": _alpha(colour, 0.25), "width": 1}, hoverinfo="skip"),
                              row=r, col=1)
                shown = p.set_index("period")["value"].rolling(f"{smooth_days}D").mean()
                fig.add_trace(go.Scatter(x=shown.index, y=shown.values, mode="lines", name=f"{entity} ({smooth_days}-day mean)",
                                         line={"color": colour, "width": 2}, showlegend=len(part["entity"].unique()) > 1,
                                         hovertemplate=f"%{{y:,.4g}} {unit}<extra>{entity}, {smooth_days}-day mean</extra>"),
                              row=r, col=1)
            else:
                fig.add_trace(go.Scatter(x=p["period"], y=p["value"], mode="lines+markers", name=str(entity),
                                         line={"color": colour, "width": 2}, marker={"size": 4},
                                         showlegend=len(part["entity"].unique()) > 1,
                                         hovertemplate=f"%{{y:,.4g}} {unit}<extra>{entity}</extra>"),
                              row=r, col=1)
    style(fig, title=title, height=max(320, height_per * len(facets) + 110))
    for r, name in enumerate(facets, start=1):
        unit = frame.loc[frame[facet] == name, "unit"].iloc[0]
        fig.update_yaxes(title=unit, row=r, col=1, rangemode="tozero")
    fig.update_annotations(font={"size": 13}, xanchor="left", x=0)
    return _legend_below(fig)
