"""Streamlit building blocks every page uses: the chart panel (figure, data, CSV, provenance), headlines, caches."""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Callable
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import fmt
from dashboard.data import sources as source_data
from dashboard.data import warehouse


def _resolve(module: str, name: str) -> Callable:
    return getattr(importlib.import_module(module), name)


# Building a Plotly figure (its validators) is most of a page's script run, and the same inputs give
# the same figure: keep each built figure, shared read-only by every rerun and session (st.plotly_chart
# copies it before sending). Keyed by the builder, its arguments (frames hashed by content; Streamlit
# samples frames of 50,000 rows or more) and the warehouse file, so new data never meets an old entry.
@st.cache_resource(ttl=3600, max_entries=64, show_spinner=False)
def _built(module: str, name: str, args: tuple, kwargs: dict, snapshot: tuple | None) -> Any:
    return _resolve(module, name)(*args, **kwargs)


@st.cache_data(ttl=3600, max_entries=128, show_spinner=False)
def _computed(module: str, name: str, args: tuple, kwargs: dict, snapshot: tuple | None) -> Any:
    return _resolve(module, name)(*args, **kwargs)


def figure(builder: Callable[..., go.Figure], *args, **kwargs) -> go.Figure:
    """builder(*args, **kwargs) for a pure chart builder (dashboard.charts), built once per distinct input.

    The figure is shared: never change it after (ui.chart and st.plotly_chart only read it)."""
    return _built(builder.__module__, builder.__qualname__, args, kwargs, warehouse.snapshot_key())


def cached(function: Callable, *args, **kwargs) -> Any:
    """function(*args, **kwargs) for a pure model function (dashboard.model), computed once per distinct
    input; every caller gets its own copy of the result."""
    return _computed(function.__module__, function.__qualname__, args, kwargs, warehouse.snapshot_key())


def provenance_lines(data: pd.DataFrame | None, sources: list[str] | None = None) -> list[str]:
    """One line per source behind a series: title, producer, licence, and the date the data are as of.

    Sources come from `sources`, else from the frame's `source` column. For curated seed rows the
    as-of date is the newest cited figure's date (ref_date), since each row cites its own source.
    """
    names = list(sources or [])
    if not names and data is not None and "source" in data.columns:
        names = sorted({s for value in data["source"].dropna().unique() for s in re.split(r",\s*", str(value))})
    if not names:
        return []
    seed_dates = None
    if "seed" in names:  # curated figures are as of their own sources' dates, not of the load
        dates = (data.loc[data["source"].astype(str).str.contains("seed"), "ref_date"].dropna().astype(str).str[:10]
                 if data is not None and {"source", "ref_date"} <= set(data.columns) else pd.Series(dtype=str))
        seed_dates = (dates.min(), dates.max()) if not dates.empty else None
    return list(_provenance(tuple(names), seed_dates, warehouse.snapshot_key()))


@st.cache_data(ttl=3600, max_entries=256, show_spinner=False)
def _provenance(names: tuple[str, ...], seed_dates: tuple[str, str] | None, snapshot: tuple | None) -> tuple[str, ...]:
    """provenance_lines' text, once per warehouse file (`snapshot`), not once per chart and rerun."""
    status = source_data.status().set_index("source")
    out = []
    for name in names:
        if name not in status.index:
            out.append(f"**{name}** (unregistered source)")
            continue
        row = status.loc[name]
        as_of = fmt.day(row["last_ok_at"])
        if name == "seed":
            as_of = (f"figures dated {seed_dates[0]} to {seed_dates[1]}; each row cites its source (see Data)"
                     if seed_dates else "each curated figure carries its own source and date "
                     "(Data & sources, Curated figures)")
        out.append(f"**{row['title']}**, {row['producer']}. Licence: {row['licence']}. As of {as_of}.")
    return tuple(out)


# A closed expander's content is still sent and mounted: each chart's Data table cost the tab about
# 0.025 s of CPU per page and, on a 10M-row warehouse, a concentration table of 7,359 rows was 5.9 MB of
# the page. So the table is drawn when Data is opened, and then as a preview of its first rows; the
# whole table is a toggle (or the CSV, always offered) away.
TABLE_ROWS = 1_000


def chart(fig: go.Figure, data: pd.DataFrame, *, key: str, sources: list[str] | None = None,
          note: str | None = None, filename: str | None = None) -> None:
    """Show a figure with its provenance caption and a Data view (table + CSV download)."""
    st.plotly_chart(fig, width="stretch", key=f"fig_{key}", config={"displaylogo": False})
    lines = provenance_lines(data, sources)
    caption = "Source: " + " · ".join(lines) if lines else "Source: not recorded"
    if note:
        caption += f"  \n{note}"
    st.caption(caption)
    box = st.expander("Data", expanded=False, key=f"data_{key}", on_change="rerun")
    with box:
        if box.open:  # the table is drawn only once the reader opens Data (opening it reruns the page)
            shown = data
            if len(data) > TABLE_ROWS and not st.toggle(f"Show all {len(data):,} rows", key=f"all_{key}"):
                shown = data.head(TABLE_ROWS)
                st.caption(f"The first {TABLE_ROWS:,} of {len(data):,} rows; the CSV has every row.")
            st.dataframe(shown, width="stretch", hide_index=True, key=f"table_{key}")
        csv_download(data, filename or f"computewatch_{key}.csv", key=f"csv_{key}")


def csv_download(frame: pd.DataFrame | Callable[[], pd.DataFrame], file_name: str, *, key: str,
                 label: str = "Download CSV", where=st) -> None:
    """A button that downloads `frame` as CSV, written when clicked: a CSV written on every rerun cost the
    server the conversion and the browser a file fetch on every page load, for a button rarely pressed.
    `frame` may be a function that makes it, so a frame made only for the download is made on click too."""
    def body() -> bytes:
        return (frame() if callable(frame) else frame).to_csv(index=False).encode("utf-8")
    where.download_button(label, body, file_name=file_name, mime="text/csv", key=key)


def forget_frames(namespace: dict) -> None:
    """Drop every DataFrame and Series from a page script's globals, as the page's last line.

    Streamlit keeps a page's fragments, to rerun them alone, and with them the script's globals, for the
    session's life (and server.disconnectedSessionTTL after its tab closed): a page with fragments would
    otherwise keep every frame it read and derived (Concentration: about 24 MB a session on a 10M-row
    warehouse). A fragment's own frames are its locals, made when it reruns."""
    for name in [k for k, v in namespace.items() if isinstance(v, pd.DataFrame | pd.Series)]:
        del namespace[name]


# Progressive drawing. A page's charts are drawn in one batch when their messages arrive (Plotly draws
# every chart before the browser paints any), so a page with nine charts showed its first after all nine:
# 1.8x the floor app's time on Concentration at 10M rows, against 1.3x when only the part above the fold
# is drawn first (bench/browser.py). So the longer pages draw down to their first chart, and the rest in
# a second run that the browser asks for once it has painted that chart (or after FALLBACK_MS at most).
PAINTED = "_cw_painted"   # session state: the pages whose first chart this session's browser has drawn
PAINTED_EVERYWHERE = "*"  # in PAINTED: draw every page whole at once (tests without a browser)
FALLBACK_MS = 2000
_FIRST_PAINT_JS = """
export default function(component) {
  const { setTriggerValue, data } = component;
  let done = false;
  const fire = () => { if (!done) { done = true; setTriggerValue("painted", true); } };
  const drawn = () => Array.from(document.querySelectorAll('.js-plotly-plot'))
    .some(el => el._fullData && el.querySelector('.main-svg'));
  // after the frame that shows the chart: requestAnimationFrame runs before that paint, the timeout after it
  const tick = () => { if (done) return; if (drawn()) requestAnimationFrame(() => setTimeout(fire, 0));
                       else requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  const timer = setTimeout(fire, data.fallback_ms);
  return () => clearTimeout(timer);
}
"""


@functools.cache
def _first_paint() -> Callable:
    return st.components.v2.component("computewatch.first_paint", js=_FIRST_PAINT_JS)


def rest_of_page(page: str, namespace: dict, *, after_chart: bool = True) -> None:
    """Return when the rest of `page` (below its first chart) is to be drawn in this run. Else mount the
    signal that asks for it once the browser has painted that chart, drop the page's frames from its
    globals (`namespace`; see forget_frames) and stop this run (st.stop).

    `after_chart` False (the part above drew no chart): nothing to wait for, the page is drawn whole."""
    painted = st.session_state.setdefault(PAINTED, set())
    if not after_chart or page in painted or PAINTED_EVERYWHERE in painted:
        return

    def _painted() -> None:
        st.session_state.setdefault(PAINTED, set()).add(page)

    _first_paint()(key=f"cw_first_paint_{page}", data={"fallback_ms": FALLBACK_MS}, height=0,
                   on_painted_change=_painted)
    st.caption(":grey[Drawing the rest of the page...]")
    # The stopped run's globals can sit in reference cycles (the page's functions hold them) until Python's
    # collector gets to them, and with them the page's frames: a Concentration load peaked 6 MB higher.
    forget_frames(namespace)
    st.stop()


def headline(column, label: str, value: str, *, help: str | None = None, delta: str | None = None,
             delta_color: str = "normal") -> None:
    column.metric(label, value, delta=delta, help=help, delta_color=delta_color)


def no_data(message: str) -> None:
    st.info(message, icon=":material/info:")
