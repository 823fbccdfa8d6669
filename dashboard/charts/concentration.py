"""Pure Plotly builders for the Concentration page (DataFrame in, Figure out; no st.*).

HHI on the 0-10,000 scale throughout; guideline bands from etl.concentration.BANDS.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from dashboard import fmt
from dashboard.charts import (
    BLOCK_COLORS,
    NEUTRAL,
    SEGMENT_COLORS,
    _alpha,
    build,
    empty,
    line_mode,
    style,
)
from etl.concentration import BANDS

# Several markets share a block: shades of the block's colour, told apart by dash and marker too.
SHADES = {
    "centralised": [BLOCK_COLORS["centralised"], SEGMENT_COLORS["neocloud"], "#0b2e6b", "#3a78c2", "#8fb3e3",
                    "#27466f"],
    "decentralised": [BLOCK_COLORS["decentralised"], SEGMENT_COLORS["depin"], "#a34700", "#e8853d", "#c98a2b"],
}
DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
SYMBOLS = ["circle", "square", "diamond", "triangle-up", "star", "hexagon"]
BAND_FILLS = ["rgba(0,0,0,0)", "rgba(107,114,128,0.06)", "rgba(107,114,128,0.13)"]
RESIDUAL_COLOR = "#c4c8cf"


# Headline markets first, so they get the block's main colour and a solid line whatever else is loaded.
PREFERRED = ["cloud_infrastructure_synergy", "cloud_infrastructure_canalys", "ai_compute_by_owner_epoch",
             "datacenter_gpu_shipments", "ai_accelerators_revenue", "cloud_infrastructure_uk_cma",
             "inference_endpoints_openrouter", "vast_hosts|H100 SXM", "vast_hosts|H200", "vast_hosts|L40S",
             "vast_hosts", "akash_providers"]


def market_order(markets: pd.DataFrame) -> list[str]:
    """Markets (columns market, block) centralised first, headline markets first within a block."""
    pairs = markets[["market", "block"]].drop_duplicates("market")
    rank = {m: i for i, m in enumerate(PREFERRED)}
    return [m for m, _ in sorted(pairs.itertuples(index=False),
                                 key=lambda mb: (mb[1] != "centralised", rank.get(mb[0], len(rank)), mb[0]))]


def market_styles(markets: pd.DataFrame) -> dict[str, dict]:
    """Colour (shades of the block colour), dash and marker per market, in market_order()."""
    blocks = dict(markets[["market", "block"]].drop_duplicates("market").itertuples(index=False))
    out, seen = {}, {"centralised": 0, "decentralised": 0}
    for market in market_order(markets):
        b = blocks[market] if blocks[market] in SHADES else "centralised"
        i = seen[b]
        seen[b] += 1
        out[market] = {"color": SHADES[b][i % len(SHADES[b])], "dash": DASHES[i % len(DASHES)],
                       "symbol": SYMBOLS[i % len(SYMBOLS)]}
    return out


def band_layout(guidelines: str, *, axis: str = "y", top: float = 10_000, labels: bool = True,
                floor: float = 0.0, log: bool = False) -> dict:
    """The guideline's concentration bands along the HHI axis (`axis` "y" or "x") as layout `shapes`
    and `annotations` (what add_hrect / add_hline / add_annotation make, in one pass: those calls took
    most of a simulator figure's 50 ms, on every slider press)."""
    shapes, notes = [], []
    for i, band in enumerate(BANDS[guidelines]):
        hi = min(band.high, top)
        band = band._replace(low=max(band.low, floor))
        if band.low >= top:
            continue
        fill = {"type": "rect", "fillcolor": BAND_FILLS[min(i, len(BAND_FILLS) - 1)], "line": {"width": 0},
                "layer": "below"}
        rule = {"type": "line", "line": {"color": NEUTRAL, "width": 1, "dash": "dot"}, "layer": "below"}
        if axis == "y":
            across = {"xref": "x domain", "x0": 0, "x1": 1, "yref": "y"}
            shapes.append({**fill, **across, "y0": band.low, "y1": hi})
            if band.low > floor:
                shapes.append({**rule, **across, "y0": band.low, "y1": band.low})
            if labels:
                mid = (band.low * hi) ** 0.5 if log else (band.low + hi) / 2
                # outside the plot, right of it, so a label never hides a data point
                notes.append({"xref": "paper", "x": 1.005, "xanchor": "left", "y": math.log10(mid) if log else mid,
                              "yref": "y", "text": band.label.capitalize().replace(" ", "<br>", 1),
                              "showarrow": False, "align": "left", "font": {"size": 11, "color": NEUTRAL}})
        else:
            across = {"yref": "y domain", "y0": 0, "y1": 1, "xref": "x"}
            shapes.append({**fill, **across, "x0": band.low, "x1": hi})
            if band.low > 0:
                shapes.append({**rule, **across, "x0": band.low, "x1": band.low})
            if labels:
                notes.append({"yref": "paper", "y": 1, "yanchor": "bottom", "x": (band.low + hi) / 2, "xref": "x",
                              "text": band.label.capitalize(), "showarrow": False,
                              "font": {"size": 11, "color": NEUTRAL}})
    return {"shapes": shapes, "annotations": notes}


def add_bands(fig: go.Figure, guidelines: str, *, axis: str = "y", top: float = 10_000,
              labels: bool = True, floor: float = 0.0, log: bool = False) -> go.Figure:
    """Shade the guideline's concentration bands along the HHI axis (`axis` "y" or "x")."""
    bands = band_layout(guidelines, axis=axis, top=top, labels=labels, floor=floor, log=log)
    fig.update_layout(shapes=[*fig.layout.shapes, *bands["shapes"]],
                      annotations=[*fig.layout.annotations, *bands["annotations"]])
    return fig


def _errors(part: pd.DataFrame) -> dict | None:
    if not part["bounded"].fillna(False).any():
        return None
    return {"type": "data", "symmetric": False, "array": (part["hhi_high"] - part["hhi"]).tolist(),
            "arrayminus": (part["hhi"] - part["hhi_low"]).tolist(), "thickness": 1.4, "width": 4}


def hhi_over_time(df: pd.DataFrame, guidelines: str = "us2023", *, log_y: bool = False,
                  title: str | None = None, hidden: tuple[str, ...] = (), height: int = 560,
                  y_max: float = 10_000) -> go.Figure:
    """HHI per market over time: centralised lines in blues, decentralised in oranges, with the
    guideline's bands shaded and error bars where only the top firms are published (an interval).
    Markets in `hidden` start switched off (click the legend to show them)."""
    if df.empty:
        return empty("No concentration indices in the warehouse yet.")
    if "series" in df:  # one line per market and GPU model
        df = df.assign(market=df["series"])
    fig = go.Figure()
    styles = market_styles(df)
    for market in styles:
        part = df[df["market"] == market].sort_values("period")
        s = styles[market]
        label = str(part["market_label"].iloc[0])
        withheld = (part["withheld"].fillna(False).astype(bool) if "withheld" in part
                    else pd.Series(False, index=part.index))
        why = part["withheld_reason"] if "withheld_reason" in part else pd.Series(None, index=part.index)
        breaks = part["break_reason"] if "break_reason" in part else pd.Series(None, index=part.index)
        text = [f"{p}: HHI {fmt.number_range(lo, hi)} · {n} {'firms listed' if b else 'entities'}"
                + (f"<br>withheld: {r}" if w else "")
                + (f"<br>method break in the published list ({k}); the line keeps the usual firms"
                   if isinstance(k, str) else "")
                for p, lo, hi, n, b, w, r, k in zip(part["period_label"], part["hhi_low"], part["hhi_high"],
                                                    part["n_entities"], part["bounded"].fillna(False), withheld,
                                                    why, breaks, strict=True)]
        # a withheld figure (capped sample, low coverage, no verdict) is drawn hollow
        symbols = [f"{s['symbol']}-open" if w else s["symbol"] for w in withheld]
        marker = {"size": 8, "symbol": symbols, "color": s["color"], "line": {"width": 1.5, "color": s["color"]}}
        dense = line_mode(len(part)) == "lines"
        fig.add_trace(go.Scatter(
            x=part["period"], y=part["hhi"], name=label, mode="lines" if dense else "lines+markers",
            line={"color": s["color"], "width": 2, "dash": s["dash"]}, marker=None if dense else marker,
            error_y=_errors(part), text=text, legendgroup=str(part["block"].iloc[0]),
            visible="legendonly" if market in hidden else True,
            hovertemplate=f"<b>{label}</b><br>%{{text}}<extra></extra>"))
        if dense and withheld.any():
            # A daily series has more points than the axis has pixels for markers (MARKERS_UP_TO): the line
            # alone, and only its withheld points hollow on top, so the hollow ones still stand out.
            keep = withheld.to_numpy()
            fig.add_trace(go.Scatter(
                x=part["period"][keep], y=part["hhi"][keep], name=f"{label}: withheld (hollow)", mode="markers",
                marker={**marker, "symbol": f"{s['symbol']}-open"}, text=[t for t, k in zip(text, keep, strict=True) if k],
                legendgroup=str(part["block"].iloc[0]), showlegend=False,
                visible="legendonly" if market in hidden else True,
                hovertemplate=f"<b>{label}</b><br>%{{text}}<extra></extra>"))
    fig = style(fig, title=title, y_title="HHI (0 to 10,000)" + (", log scale" if log_y else ""), height=height,
                log_y=log_y)
    add_bands(fig, guidelines, labels=True, floor=100 if log_y else 0, log=log_y, top=10_000 if log_y else y_max)
    fig.update_yaxes(range=[2, 4] if log_y else [0, y_max], tickformat=",",
                     tickvals=[100, 200, 500, 1_000, 2_000, 5_000, 10_000] if log_y else None)
    fig.update_layout(hovermode="closest",
                      legend={"orientation": "h", "yanchor": "top", "y": -0.08, "x": 0, "title": None,
                              "font": {"size": 12}},
                      margin={"l": 60, "r": 110, "t": 50 if title else 20, "b": 40})
    return fig


def shares_bar(shares: pd.DataFrame, *, block: str = "centralised", top: int = 15,
               title: str | None = None) -> go.Figure:
    """Horizontal bars of entity shares (largest on top); entities beyond `top` grouped in one bar,
    the unpublished residual in grey; error bars where a range was published."""
    if shares.empty:
        return empty("No shares for this market and period.")
    listed = shares[~shares["is_residual"].astype(bool)].sort_values("share_pct", ascending=False)
    residual = shares[shares["is_residual"].astype(bool)]
    head, tail = listed.head(top), listed.iloc[top:]
    rows = [(str(r.entity), float(r.share_pct), r.share_low_pct, r.share_high_pct, BLOCK_COLORS.get(block, NEUTRAL))
            for r in head.itertuples()]
    if not tail.empty:
        rows.append((f"{len(tail)} others together", float(tail["share_pct"].sum()), None, None,
                     _alpha(BLOCK_COLORS.get(block, NEUTRAL), 0.45)))
    for r in residual.itertuples():
        rows.append((str(r.entity), float(r.share_pct), None, None, RESIDUAL_COLOR))
    rows = rows[::-1]  # plotly draws the first bar at the bottom
    lows = [(s - lo) if pd.notna(lo) else 0 for _, s, lo, _, _ in rows]
    highs = [(hi - s) if pd.notna(hi) else 0 for _, s, _, hi, _ in rows]
    fig = go.Figure(go.Bar(
        x=[s for _, s, *_ in rows], y=[n for n, *_ in rows], orientation="h",
        marker_color=[col for *_, col in rows], text=[f"{s:.1f}%" for _, s, *_ in rows],
        textposition="outside", cliponaxis=False,
        error_x={"type": "data", "symmetric": False, "array": highs, "arrayminus": lows,
                 "color": NEUTRAL, "thickness": 1.2, "width": 3} if any(highs) or any(lows) else None,
        hovertemplate="%{y}: %{x:.2f}%<extra></extra>"))
    fig = style(fig, title=title, height=max(280, 26 * len(rows) + 110))
    fig.update_xaxes(title="share of the market, %", range=[0, min(100, max(s for _, s, *_ in rows) * 1.2 + 2)])
    fig.update_yaxes(automargin=True)
    fig.update_layout(hovermode="closest", showlegend=False, margin={"l": 10, "r": 30, "t": 45 if title else 20})
    return fig


def lorenz_curve(xs: list[float], ys: list[float], *, gini: float | None, block: str = "centralised",
                 entity_word: str = "entities", title: str | None = None) -> go.Figure:
    """Lorenz curve (entities sorted smallest first) against the line of equality, Gini in the legend."""
    if len(xs) < 2:
        return empty("A Lorenz curve needs at least two entities.")
    colour = BLOCK_COLORS.get(block, NEUTRAL)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="Perfect equality",
                             line={"color": NEUTRAL, "dash": "dash", "width": 1}, hoverinfo="skip"))
    name = "Lorenz curve" + (f" (Gini {gini:.2f})" if gini is not None else "")
    fig.add_trace(go.Scatter(
        x=xs, y=ys, mode="lines+markers" if len(xs) <= 40 else "lines", name=name,
        line={"color": colour, "width": 2.5}, marker={"size": 5}, fill="tonexty", fillcolor=_alpha(colour, 0.15),
        hovertemplate=f"smallest %{{x:.0%}} of {entity_word} hold %{{y:.1%}}<extra></extra>"))
    fig = style(fig, title=title, height=380)
    fig.update_xaxes(title=f"cumulative share of {entity_word} (smallest first)", tickformat=".0%", range=[0, 1])
    fig.update_yaxes(title="cumulative share of the market", tickformat=".0%", range=[0, 1])
    fig.update_layout(hovermode="closest", margin={"t": 45 if title else 20},
                      legend={"orientation": "v", "x": 0.02, "xanchor": "left", "y": 0.98, "yanchor": "top",
                              "bgcolor": "rgba(255,255,255,0.8)"})
    return fig


def merger_figure(before: tuple[float, float], after: tuple[float, float], guidelines: str = "us2023") -> go.Figure:
    """Two bars, HHI before and after the merger (error bars when an interval), on the guideline bands."""
    labels = ["After merger", "Before"]
    ranges = [after, before]
    mids = [(lo + hi) / 2 for lo, hi in ranges]
    fig = go.Figure(go.Bar(
        x=mids, y=labels, orientation="h", marker_color=[SHADES["centralised"][2], SHADES["centralised"][4]],
        error_x={"type": "data", "symmetric": False, "array": [hi - m for (_, hi), m in zip(ranges, mids, strict=True)],
                 "arrayminus": [m - lo for (lo, _), m in zip(ranges, mids, strict=True)], "color": "#111827",
                 "thickness": 1.4, "width": 5} if any(hi - lo > 0.5 for lo, hi in ranges) else None,
        text=[fmt.number_range(lo, hi) for lo, hi in ranges], textposition="inside", insidetextanchor="start",
        textfont={"color": ["white", "#111827"]},
        hovertemplate="%{y}: %{text}<extra></extra>"))
    top = min(10_000, max(hi for _, hi in ranges) * 1.15 + 300)
    fig = style(fig, height=230)
    add_bands(fig, guidelines, axis="x", top=top, labels=True)
    fig.update_xaxes(title="HHI", range=[0, top], tickformat=",")
    fig.update_layout(hovermode="closest", showlegend=False, margin={"l": 10, "r": 20, "t": 40, "b": 45})
    fig.update_yaxes(automargin=True)
    return fig


def entry_figure(curve: pd.DataFrame, current: float, guidelines: str = "us2023", *,
                 n_entrants: int) -> go.Figure:
    """HHI as decentralised entrants' combined share grows (columns share, hhi_low, hhi_high), with the
    slider's position marked. A band where the incumbents' HHI is an interval."""
    colour = BLOCK_COLORS["decentralised"]
    data = []
    if (curve["hhi_high"] - curve["hhi_low"]).abs().max() > 0.5:
        data.append({"type": "scatter", "x": list(curve["share"]) + list(curve["share"])[::-1],
                     "y": list(curve["hhi_high"]) + list(curve["hhi_low"])[::-1], "fill": "toself",
                     "fillcolor": _alpha(colour, 0.18), "line": {"width": 0}, "hoverinfo": "skip", "name": "range",
                     "showlegend": False})
    data.append({"type": "scatter", "x": curve["share"].to_numpy(),
                 "y": ((curve["hhi_low"] + curve["hhi_high"]) / 2).to_numpy(), "mode": "lines",
                 "line": {"color": colour, "width": 2.5}, "name": f"spread over {n_entrants:,} operators",
                 "hovertemplate": "entrants hold %{x:.0f}%: HHI %{y:,.0f}<extra></extra>"})
    row = curve.iloc[(curve["share"] - current).abs().argsort().iloc[0]]
    data.append({"type": "scatter", "x": [current], "y": [(row["hhi_low"] + row["hhi_high"]) / 2], "mode": "markers",
                 "marker": {"size": 12, "color": colour, "line": {"color": "#111827", "width": 1.5}},
                 "name": "your scenario", "hoverinfo": "skip"})
    top = min(10_000, float(curve["hhi_high"].max()) * 1.15 + 300)
    return build(data, {**band_layout(guidelines, top=top), "hovermode": "closest", "showlegend": False,
                        "margin": {"t": 20, "r": 110}, "xaxis": {"range": [0, float(curve["share"].max())]},
                        "yaxis": {"range": [0, top], "tickformat": ","}},
                 height=300, x_title="decentralised supply's share of the market, %", y_title="HHI")
