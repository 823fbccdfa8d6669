"""Pure Plotly builders shared by every page: one palette, one look (DataFrame in, Figure out; no st.*)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

# One palette everywhere: centralised supply in blues, decentralised in oranges (colour-blind safe pair).
SEGMENT_COLORS = {
    "hyperscaler": "#1f4e9c",
    "neocloud": "#5b8fd6",
    "marketplace": "#d95f02",
    "depin": "#f2a541",
}
BLOCK_COLORS = {"centralised": "#1f4e9c", "decentralised": "#d95f02"}
NEUTRAL = "#6b7280"
ACCENT = "#0f766e"  # "your choice" (a scenario, a selection): neither centralised nor decentralised
COST_UP = "#b91c1c"  # a cost that people bear
# Other series (companies, indicators) never use the segment blues and oranges, so colour always
# means the same thing: blue = centralised, orange = decentralised.
SERIES = ["#1b9e77", "#7570b3", "#e7298a", "#66a61e", "#a6761d", "#666666", "#17becf", "#8c564b",
          "#bcbd22", "#9467bd"]
FONT = "Inter, Segoe UI, Helvetica, Arial, sans-serif"


# A line of more points than this draws without markers: at a marker's size they would overlap into a
# smear (more points than pixels to show them apart), and every marker is one more SVG node to draw.
MARKERS_UP_TO = 150


def line_mode(n_points: int) -> str:
    """"lines+markers" for a line of up to MARKERS_UP_TO points, else "lines"."""
    return "lines+markers" if n_points <= MARKERS_UP_TO else "lines"


def color_for(name: str, i: int = 0) -> str:
    """Segment or block colour when `name` is one, else the i-th series colour."""
    return SEGMENT_COLORS.get(name) or BLOCK_COLORS.get(name) or SERIES[i % len(SERIES)]


# The house template, validated once. Assigning a template by name validates and deep-copies all of it
# (every trace type's defaults) into each figure: 60-70% of style()'s time, and style() was a third of
# building a figure (a slider press on Scenarios builds five). Plotly shares its default template the same
# way (BaseFigure._initialize_layout_template); nothing here ever changes a template after.
#
# Only the part of plotly_white that can apply to a ComputeWatch chart is kept: a template's `data` entry
# styles traces of that type only, and its polar, ternary, 3D scene and geo entries style subplots no chart
# has. The whole template was 7.2 KB in every figure (more than half of most figures' JSON), deep-copied by
# st.plotly_chart on every rerun, sent, parsed and merged by the browser for every chart; this one is 2.0 KB.
TRACE_TYPES = frozenset({"bar", "scatter", "waterfall"})  # every trace type a chart draws (a test greps for them)
_UNUSED_SUBPLOTS = ("polar", "ternary", "scene", "geo")
_FULL_TEMPLATE = pio.templates["plotly_white"]


def _house_template(full: go.layout.Template, trace_types: frozenset[str]) -> go.layout.Template:
    spec = full.to_plotly_json()
    return go.layout.Template(
        layout={k: v for k, v in spec["layout"].items() if k not in _UNUSED_SUBPLOTS},
        data={k: v for k, v in spec["data"].items() if k in trace_types})


TEMPLATE = _house_template(_FULL_TEMPLATE, TRACE_TYPES)


def _template(fig: go.Figure) -> None:
    layout = fig.layout
    layout._validate = False
    try:  # a figure with another trace type gets the whole template, so it is drawn as before
        layout.template = TEMPLATE if {t.type for t in fig.data} <= TRACE_TYPES else _FULL_TEMPLATE
    finally:
        layout._validate = fig._validate


def _house(*, title: str | None = None, y_title: str | None = None, x_title: str | None = None,
           height: int = 420, log_y: bool = False, legend_title: str | None = None) -> dict:
    """The house layout as plain dicts: {"layout": ..., "xaxis": ..., "yaxis": ...} (every axis gets its own)."""
    return {
        "layout": {
            # title at the very top of the figure, legend in its own row between title and plot
            "title": {"text": title, "x": 0, "xanchor": "left", "y": 0.99, "yanchor": "top", "yref": "container",
                      "font": {"size": 16}} if title else None,
            "font": {"family": FONT, "size": 13},
            "height": height,
            "margin": {"l": 60, "r": 20, "t": 90 if title else 40, "b": 50},
            "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "title": legend_title},
            "hovermode": "x unified",
        },
        "yaxis": {"title": y_title, "gridcolor": "#e5e7eb", "zeroline": False, "type": "log" if log_y else None},
        "xaxis": {"title": x_title, "gridcolor": "#f3f4f6"},
    }


def style(fig: go.Figure, *, title: str | None = None, y_title: str | None = None,
          x_title: str | None = None, height: int = 420, log_y: bool = False,
          legend_title: str | None = None) -> go.Figure:
    """The house layout: white background, light grid, legend on top, readable titles."""
    house = _house(title=title, y_title=y_title, x_title=x_title, height=height, log_y=log_y,
                   legend_title=legend_title)
    _template(fig)
    fig.update_layout(house["layout"])
    fig.update_yaxes(house["yaxis"])
    fig.update_xaxes(house["xaxis"])
    return fig


def build(data: list[dict], layout: dict | None = None, **house) -> go.Figure:
    """The figure style() would give, from plain trace dicts and `layout` overrides, validated in one pass.

    `house` takes style()'s keywords. A dict in `layout` is merged over the house one (margin={"r": 80}
    keeps the other margins), and every x and y axis in it (xaxis2, ... too) gets the house axis style
    beneath its own keys, as style()'s update_xaxes / update_yaxes give every axis.

    Each add_trace / update_* call on a Figure runs Plotly's property machinery again: the Scenarios
    page's six figures took 103 ms to build that way, 54 ms of it the comparison's small multiples,
    on every slider press (each press is a new input, so the figure cache misses); from dicts, 26 ms."""
    base = _house(**house)
    spec = dict(base["layout"], xaxis={}, yaxis={})
    for key, value in (layout or {}).items():
        spec[key] = {**spec[key], **value} if isinstance(value, dict) and isinstance(spec.get(key), dict) else value
    for key, value in spec.items():
        if key.startswith(("xaxis", "yaxis")):
            spec[key] = {**base[key[:5]], **value}
    fig = go.Figure(data=data, layout=spec)
    _template(fig)
    return fig


def lines(df: pd.DataFrame, *, x: str, y: str, series: str, title: str | None = None,
          y_title: str | None = None, log_y: bool = False, markers: bool = True,
          band: tuple[str, str] | None = None, hover: str | None = None) -> go.Figure:
    """One line per value of `series`; optional shaded band from two columns (e.g. p25-p75)."""
    fig = go.Figure()
    for i, (name, part) in enumerate(df.sort_values(x).groupby(series, sort=True)):
        colour = color_for(str(name), i)
        if band:
            lo, hi = band
            fig.add_trace(go.Scatter(
                x=list(part[x]) + list(part[x])[::-1], y=list(part[hi]) + list(part[lo])[::-1],
                fill="toself", fillcolor=_alpha(colour, 0.15), line={"width": 0}, hoverinfo="skip",
                showlegend=False, name=f"{name} band"))
        fig.add_trace(go.Scatter(
            x=part[x], y=part[y], name=str(name), mode="lines+markers" if markers else "lines",
            line={"color": colour, "width": 2}, marker={"size": 5},
            hovertemplate=hover or f"%{{y:,.4g}}<extra>{name}</extra>"))
    return style(fig, title=title, y_title=y_title, log_y=log_y)


def _alpha(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def empty(message: str) -> go.Figure:
    """A figure that says why it is empty instead of showing blank axes."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, font={"size": 14, "color": NEUTRAL},
                       xref="paper", yref="paper", x=0.5, y=0.5)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return style(fig, height=260)
