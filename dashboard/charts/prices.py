"""Pure Plotly builders for the GPU prices page (DataFrame in, Figure out; no st.* calls)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.charts import BLOCK_COLORS, SEGMENT_COLORS, _alpha, color_for, style

# Spot vs on-demand (and the rarer types) are told apart by bar pattern; colour is the segment.
PRICE_TYPE_PATTERNS = {"on_demand": "", "spot": "/", "reserved": "x", "contract": ".", "bid": "-",
                       "community": "+", "secure": "|"}
PRICE_TYPE_LABELS = {"on_demand": "on-demand", "spot": "spot", "reserved": "reserved", "contract": "contract",
                     "bid": "bid", "community": "community", "secure": "secure"}
# Decentralised networks in oranges and browns (one per network), matching the shared palette.
NETWORK_COLORS = ["#d95f02", "#f2a541", "#a6761d", "#e6550d", "#fdae6b", "#8c2d04"]
SERIES_ORDER = ["centralised", "hyperscaler", "neocloud", "decentralised", "marketplace", "depin"]


def _order(names) -> list[str]:
    return sorted(names, key=lambda s: (SERIES_ORDER.index(s) if s in SERIES_ORDER else 99, str(s)))


def _runs(part: pd.DataFrame, max_gap_days: int) -> list[pd.DataFrame]:
    """Split a series into runs of days at most max_gap_days apart."""
    part = part.assign(day=pd.to_datetime(part["day"])).sort_values("day").reset_index(drop=True)
    run_id = part["day"].diff().dt.days.gt(max_gap_days).cumsum()
    return [run for _, run in part.groupby(run_id)]


def index_over_time(df: pd.DataFrame, *, y_title: str, log_y: bool = False, title: str | None = None,
                    series: str = "series", max_gap_days: int = 45) -> go.Figure:
    """Daily median per series with its p25-p75 band shaded (series: block or segment).

    Marker size grows with the number of prices that day, so a day backed by one list-price change
    reads as less certain than one backed by hundreds of offers. Lines and bands stop over gaps longer
    than max_gap_days instead of bridging months without data; an isolated day shows its p25-p75 as
    a whisker.
    """
    fig = go.Figure()
    for name in _order(df[series].unique()):
        colour = color_for(str(name))
        runs = _runs(df[df[series] == name], max_gap_days)
        for run in runs:
            if len(run) > 1:
                fig.add_trace(go.Scatter(
                    x=list(run["day"]) + list(run["day"])[::-1], y=list(run["p75"]) + list(run["p25"])[::-1],
                    fill="toself", fillcolor=_alpha(colour, 0.2), line={"width": 0}, mode="lines",
                    hoverinfo="skip", legendgroup=str(name), showlegend=False, name=f"{name} p25-p75"))
        single = pd.concat([r for r in runs if len(r) == 1] or [df.iloc[:0]])
        if not single.empty:
            fig.add_trace(go.Scatter(
                x=single["day"], y=single["median"], mode="markers", marker={"size": 0.1, "color": colour},
                error_y={"type": "data", "symmetric": False, "array": single["p75"] - single["median"],
                         "arrayminus": single["median"] - single["p25"], "color": _alpha(colour, 0.5),
                         "thickness": 3, "width": 0},
                hoverinfo="skip", legendgroup=str(name), showlegend=False, name=f"{name} p25-p75"))
        joined = pd.concat([pd.concat([r, pd.DataFrame({"day": [r["day"].iloc[-1] + pd.Timedelta(days=1)]})])
                            for r in runs])  # an empty row after each run breaks the line
        # markers only on days with fresh observations (carried list prices draw the line alone),
        # sized by how many prices were observed that day
        seen = joined["n"].fillna(0) - (joined["n_carried"].fillna(0) if "n_carried" in joined else 0)
        sizes = (4 + 2 * seen.clip(upper=25) ** 0.5).where(seen > 0, 0).round(1)
        fig.add_trace(go.Scatter(
            x=joined["day"], y=joined["median"], name=f"{name}: median, p25-p75 band", legendgroup=str(name),
            mode="lines+markers", line={"color": colour, "width": 2},
            marker={"size": sizes, "color": colour, "line": {"width": 0}},
            customdata=joined[["p25", "p75", "n", "n_providers"]].to_numpy(),
            hovertemplate=(f"<b>{name}</b>: median %{{y:$,.2f}}<br>p25-p75 %{{customdata[0]:$,.2f}}"
                           "-%{customdata[1]:$,.2f}<br>%{customdata[2]} prices, %{customdata[3]} providers"
                           "<extra></extra>")))
    fig = style(fig, title=title, y_title=y_title, log_y=log_y, height=440)
    fig.update_yaxes(tickprefix="$")
    return fig


def ladder_labels(df: pd.DataFrame) -> list[str]:
    """One unique y label per row: provider, price type unless on-demand, region when set, source."""
    labels = []
    for row in df.itertuples(index=False):
        label = str(row.provider_name)
        if row.price_type != "on_demand":
            label += f" · {PRICE_TYPE_LABELS.get(row.price_type, row.price_type)}"
        if getattr(row, "region", "all") not in ("all", None):
            label += f" · {row.region}"
        labels.append(f"{label}  [{row.source}]")
    seen: dict[str, int] = {}
    unique = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        unique.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return unique


def price_ladder(df: pd.DataFrame, *, x_title: str, medians: dict[str, float | None] | None = None,
                 title: str | None = None) -> go.Figure:
    """Horizontal bars, cheapest at the top, coloured by segment, patterned by price type.

    `medians` (block -> value) draws each block's median as a dashed vertical line.
    """
    part = df.sort_values(["price", "provider_name"]).reset_index(drop=True)
    part["label"] = ladder_labels(part)
    fig = go.Figure()
    seg_rank = {s: i for i, s in enumerate(SEGMENT_COLORS)}
    type_rank = {t: i for i, t in enumerate(PRICE_TYPE_PATTERNS)}
    groups = sorted(part.groupby(["segment", "price_type"], sort=False),
                    key=lambda g: (seg_rank.get(g[0][0], 9), type_rank.get(g[0][1], 9)))
    for (segment, price_type), rows in groups:
        fig.add_trace(go.Bar(
            x=rows["price"], y=rows["label"], orientation="h",
            name=f"{segment} · {PRICE_TYPE_LABELS.get(price_type, price_type)}",
            marker={"color": SEGMENT_COLORS.get(segment, color_for(segment)),
                    "pattern": {"shape": PRICE_TYPE_PATTERNS.get(price_type, ""), "fillmode": "overlay",
                                "fgcolor": "#ffffff", "size": 6}},
            text=[f"${v:,.2f}" for v in rows["price"]], textposition="outside", cliponaxis=False,
            customdata=rows[["source", "day", "n_offers", "block"]].astype(str).to_numpy(),
            hovertemplate=("<b>%{y}</b><br>%{x:$,.2f} (%{customdata[3]})<br>as of %{customdata[1]}, "
                           "%{customdata[2]} offer(s)<extra></extra>")))
    for i, (block, value) in enumerate((medians or {}).items()):
        if value is None:
            continue
        fig.add_vline(x=value, layer="below",
                      line={"color": BLOCK_COLORS.get(block, "#6b7280"), "dash": "dash", "width": 2},
                      annotation={"text": f"{block} median ${value:,.2f}", "yref": "paper",
                                  "y": 1.0 + 0.035 * (i + 1), "showarrow": False, "xanchor": "left",
                                  "font": {"color": BLOCK_COLORS.get(block, "#6b7280"), "size": 12}})
    fig = style(fig, title=title, height=max(320, 24 * len(part) + 150))
    fig.update_yaxes(categoryorder="array", categoryarray=list(part["label"])[::-1], title=None,
                     tickfont={"size": 12})
    fig.update_xaxes(title=x_title, tickprefix="$", rangemode="tozero")
    fig.update_layout(hovermode="closest", barmode="overlay", bargap=0.25,
                      margin={"l": 10, "r": 60, "t": 90, "b": 50},
                      legend={"orientation": "h", "yanchor": "bottom", "y": 1.08, "x": 0, "title": None})
    return fig


def supply_utilisation(df: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Top: GPUs offered (solid) and in use (dashed) per network; bottom: utilisation (in use / offered)."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08, row_heights=[0.62, 0.38])
    for i, network in enumerate(sorted(df["network"].unique())):
        part = df[df["network"] == network].sort_values("day")
        segment = part["segment"].iloc[0]
        colour = (NETWORK_COLORS[i % len(NETWORK_COLORS)] if segment not in ("hyperscaler", "neocloud")
                  else SEGMENT_COLORS[segment])
        fig.add_trace(go.Scatter(x=part["day"], y=part["gpus_total"], name=f"{network}: offered",
                                 legendgroup=network, mode="lines+markers", line={"color": colour, "width": 2},
                                 hovertemplate=f"{network} offered: %{{y:,.0f}} GPUs<extra></extra>"), row=1, col=1)
        fig.add_trace(go.Scatter(x=part["day"], y=part["gpus_in_use"], name=f"{network}: in use",
                                 legendgroup=network, mode="lines+markers",
                                 line={"color": colour, "width": 2, "dash": "dash"}, marker={"symbol": "x"},
                                 hovertemplate=f"{network} in use: %{{y:,.0f}} GPUs<extra></extra>"), row=1, col=1)
        fig.add_trace(go.Scatter(x=part["day"], y=part["utilisation"], name=f"{network}: utilisation",
                                 legendgroup=network, showlegend=False, mode="lines+markers",
                                 line={"color": colour, "width": 2},
                                 hovertemplate=f"{network} utilisation: %{{y:.0%}}<extra></extra>"), row=2, col=1)
    fig = style(fig, title=title, height=520)
    fig.update_yaxes(title="GPUs", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title="in use / offered", tickformat=".0%", range=[0, 1.02], row=2, col=1)
    return fig
