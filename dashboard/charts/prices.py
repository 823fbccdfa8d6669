"""Pure Plotly builders for the GPU prices page (DataFrame in, Figure out; no st.* calls)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.charts import SEGMENT_COLORS, _alpha, color_for, line_mode, style

# Decentralised networks in oranges and browns (one per network), matching the shared palette.
NETWORK_COLORS = ["#d95f02", "#f2a541", "#a6761d", "#e6550d", "#fdae6b", "#8c2d04"]
SERIES_ORDER = ["centralised", "hyperscaler", "neocloud", "decentralised", "marketplace", "depin"]
STALE_COLOUR = "#9ca3af"
PUBLISHED_DASH = {"CCIR": "dot", "GPU Price Index": "dash"}


def _order(names) -> list[str]:
    return sorted(names, key=lambda s: (SERIES_ORDER.index(s) if s in SERIES_ORDER else 99, str(s)))


def _runs(part: pd.DataFrame, max_gap_days: int) -> list[pd.DataFrame]:
    """Split a series into runs of days at most max_gap_days apart."""
    part = part.assign(day=pd.to_datetime(part["day"])).sort_values("day").reset_index(drop=True)
    run_id = part["day"].diff().dt.days.gt(max_gap_days).cumsum()
    return [run for _, run in part.groupby(run_id)]


def index_over_time(df: pd.DataFrame, *, y_title: str, log_y: bool = False, title: str | None = None,
                    series: str = "series", max_gap_days: int = 45, markers: pd.DataFrame | None = None,
                    published: pd.DataFrame | None = None) -> go.Figure:
    """Daily median per series (segment) with its p25-p75 band shaded.

    Low-confidence points (below the coverage minimum, docs/METHODOLOGY.md §3.7) are drawn hollow,
    with their reason on hover. Lines and bands stop over gaps longer than max_gap_days instead of
    bridging months without data. `markers` (day, price, provider, excluded_reason) are figures kept
    out of every median, drawn as grey labelled crosses; `published` (day, value, entity, publisher)
    are published indices drawn as dashed lines beside ours.
    """
    fig = go.Figure()
    for name in _order(df[series].unique()):
        colour = color_for(str(name))
        part = df[df[series] == name]
        low = (part["low_confidence"].fillna(False).astype(bool) if "low_confidence" in part
               else pd.Series(False, index=part.index))
        # the line and band join confident points only: a day resting on one or two providers is a
        # hollow marker on its own, so the line does not zig-zag with whoever was seen that day
        confident, weak = part[~low], part[low]
        runs = _runs(confident, max_gap_days) if not confident.empty else []
        for run in runs:
            if len(run) > 1:
                fig.add_trace(go.Scatter(
                    x=list(run["day"]) + list(run["day"])[::-1], y=list(run["p75"]) + list(run["p25"])[::-1],
                    fill="toself", fillcolor=_alpha(colour, 0.2), line={"width": 0}, mode="lines",
                    hoverinfo="skip", legendgroup=str(name), showlegend=False, name=f"{name} p25-p75"))
        hover = (f"<b>{name}</b>: median %{{y:$,.2f}}<br>p25-p75 %{{customdata[0]:$,.2f}}"
                 "-%{customdata[1]:$,.2f}<br>%{customdata[2]} votes, %{customdata[3]} providers"
                 "<br>%{customdata[4]}<extra></extra>")

        def custom(frame: pd.DataFrame):
            why = frame["reason"].fillna("") if "reason" in frame else pd.Series("", index=frame.index)
            return pd.DataFrame({"p25": frame["p25"], "p75": frame["p75"], "n": frame["n"],
                                 "np": frame["n_providers"], "why": why}).to_numpy()

        if runs:
            joined = pd.concat([pd.concat([r, pd.DataFrame({"day": [r["day"].iloc[-1] + pd.Timedelta(days=1)]})])
                                for r in runs])  # an empty row after each run breaks the line
            fig.add_trace(go.Scatter(
                x=joined["day"], y=joined["median"], name=f"{name}: median, p25-p75 band", legendgroup=str(name),
                mode=line_mode(len(joined)), line={"color": colour, "width": 2},
                marker={"size": 7, "color": colour, "line": {"width": 2, "color": colour}},
                customdata=custom(joined), hovertemplate=hover))
        if not weak.empty:
            fig.add_trace(go.Scatter(
                x=pd.to_datetime(weak["day"]), y=weak["median"], name=f"{name}: low confidence (hollow)",
                legendgroup=str(name), mode="markers",
                marker={"size": 7, "color": "#ffffff", "line": {"width": 2, "color": colour}},
                customdata=custom(weak), hovertemplate=hover))
    if published is not None and not published.empty:
        for i, (entity, part) in enumerate(published.sort_values("day").groupby("entity", sort=True)):
            publisher = str(part["publisher"].iloc[0])
            seg = str(part["segment"].iloc[0]) if "segment" in part else ""
            fig.add_trace(go.Scatter(
                x=part["day"], y=part["value"], name=f"published: {entity}", mode=line_mode(len(part)),
                line={"color": color_for(seg, i + 3), "width": 1.5, "dash": PUBLISHED_DASH.get(publisher, "dash")},
                marker={"size": 5, "symbol": "diamond"},
                hovertemplate=f"<b>{entity}</b> (published): %{{y:$,.2f}}<extra></extra>"))
    if markers is not None and not markers.empty:
        fig.add_trace(go.Scatter(
            x=markers["day"], y=markers["price"], name="reference only (not in any median)", mode="markers",
            marker={"symbol": "x-thin", "size": 10, "color": "#6b7280", "line": {"width": 2, "color": "#6b7280"}},
            customdata=markers[["provider", "source", "excluded_reason"]].astype(str).to_numpy(),
            hovertemplate=("<b>%{customdata[0]}</b> [%{customdata[1]}]: %{y:$,.2f}<br>kept out: "
                           "%{customdata[2]}<extra></extra>")))
    fig = style(fig, title=title, y_title=y_title, log_y=log_y, height=460)
    fig.update_yaxes(tickprefix="$")
    return fig


def ladder_labels(df: pd.DataFrame) -> list[str]:
    """One unique y label per row: provider, 'stale' when its price is, and the source used."""
    labels = []
    for row in df.itertuples(index=False):
        label = str(row.provider_name)
        if getattr(row, "stale", False):
            label += f" · stale ({row.age_days} d)"
        labels.append(f"{label}  [{row.source}]")
    seen: dict[str, int] = {}
    unique = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        unique.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return unique


def price_ladder(df: pd.DataFrame, *, x_title: str, medians: dict[str, float | None] | None = None,
                 title: str | None = None) -> go.Figure:
    """Horizontal bars, cheapest at the top, coloured by segment; stale list prices grey and labelled.

    `medians` (segment -> headline median) draws each segment's median as a dashed vertical line.
    """
    part = df.sort_values(["price", "provider_name"]).reset_index(drop=True)
    part["label"] = ladder_labels(part)
    stale = part["stale"].astype(bool) if "stale" in part else pd.Series(False, index=part.index)
    fig = go.Figure()
    seg_rank = {s: i for i, s in enumerate(SEGMENT_COLORS)}
    for segment in sorted(part["segment"].unique(), key=lambda s: seg_rank.get(s, 9)):
        for is_stale in (False, True):
            rows = part[(part["segment"] == segment) & (stale == is_stale)]
            if rows.empty:
                continue
            colour = STALE_COLOUR if is_stale else SEGMENT_COLORS.get(segment, color_for(segment))
            fig.add_trace(go.Bar(
                x=rows["price"], y=rows["label"], orientation="h",
                name=f"{segment} · stale (> 90 days, not in headlines)" if is_stale else segment,
                marker={"color": colour, "line": {"color": SEGMENT_COLORS.get(segment, colour), "width": 1.5}},
                text=[f"${v:,.2f}" for v in rows["price"]], textposition="outside", cliponaxis=False,
                customdata=rows[["source", "day", "n_offers", "sources_seen", "price_since"]].astype(str).to_numpy(),
                hovertemplate=("<b>%{y}</b><br>%{x:$,.2f}<br>as of %{customdata[1]}, price set %{customdata[4]}, "
                               "%{customdata[2]} offer(s)<br>sources that day: %{customdata[3]}<extra></extra>")))
    for i, (segment, value) in enumerate((medians or {}).items()):
        if value is None:
            continue
        fig.add_vline(x=value, layer="below",
                      line={"color": SEGMENT_COLORS.get(segment, "#6b7280"), "dash": "dash", "width": 2},
                      annotation={"text": f"{segment} median ${value:,.2f}", "yref": "paper",
                                  "y": 1.0 + 0.035 * (i + 1), "showarrow": False, "xanchor": "left",
                                  "font": {"color": SEGMENT_COLORS.get(segment, "#6b7280"), "size": 12}})
    fig = style(fig, title=title, height=max(320, 24 * len(part) + 150 + 20 * len(medians or {})))
    fig.update_yaxes(categoryorder="array", categoryarray=list(part["label"])[::-1], title=None,
                     tickfont={"size": 12})
    fig.update_xaxes(title=x_title, tickprefix="$", rangemode="tozero")
    fig.update_layout(hovermode="closest", barmode="overlay", bargap=0.25,
                      margin={"l": 10, "r": 60, "t": 90 + 20 * len(medians or {}), "b": 50},
                      legend={"orientation": "h", "yanchor": "bottom", "y": 1.02 + 0.035 * (len(medians or {}) + 1),
                              "x": 0, "title": None})
    return fig


def supply_utilisation(df: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Top: GPUs offered (solid) per network, and in use (dashed) where the network reports it; bottom:
    utilisation (in use / offered) for those networks only. A network that reports no rented capacity
    (Vast.ai's search lists rentable offers only) gets no in-use line and no utilisation: never a 0%."""
    reported = df["gpus_in_use"].notna().any()
    fig = (make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08, row_heights=[0.62, 0.38])
           if reported else make_subplots(rows=1, cols=1))  # no network reports use: no empty panel
    for i, network in enumerate(sorted(df["network"].unique())):
        part = df[df["network"] == network].sort_values("day")
        segment = part["segment"].iloc[0]
        colour = (NETWORK_COLORS[i % len(NETWORK_COLORS)] if segment not in ("hyperscaler", "neocloud")
                  else SEGMENT_COLORS[segment])
        fig.add_trace(go.Scatter(x=part["day"], y=part["gpus_total"], name=f"{network}: offered",
                                 legendgroup=network, mode=line_mode(len(part)), line={"color": colour, "width": 2},
                                 hovertemplate=f"{network} offered: %{{y:,.0f}} GPUs<extra></extra>"), row=1, col=1)
        if part["gpus_in_use"].notna().any():
            fig.add_trace(go.Scatter(x=part["day"], y=part["gpus_in_use"], name=f"{network}: in use",
                                     legendgroup=network, mode=line_mode(len(part)),
                                     line={"color": colour, "width": 2, "dash": "dash"}, marker={"symbol": "x"},
                                     hovertemplate=f"{network} in use: %{{y:,.0f}} GPUs<extra></extra>"),
                          row=1, col=1)
            fig.add_trace(go.Scatter(x=part["day"], y=part["utilisation"], name=f"{network}: utilisation",
                                     legendgroup=network, showlegend=False, mode=line_mode(len(part)),
                                     line={"color": colour, "width": 2},
                                     hovertemplate=f"{network} utilisation: %{{y:.0%}}<extra></extra>"), row=2, col=1)
    fig = style(fig, title=title, height=520 if reported else 360)
    fig.update_layout(showlegend=True)
    fig.update_yaxes(title="GPUs offered", rangemode="tozero", row=1, col=1)
    if reported:
        fig.update_yaxes(title="in use / offered", tickformat=".0%", range=[0, 1.02], row=2, col=1)
    return fig
