"""Streamlit building blocks every page uses: the chart panel (figure, data, CSV, provenance) and headlines."""

from __future__ import annotations

import re

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import fmt
from dashboard.data import sources as source_data


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
    status = source_data.status().set_index("source")
    out = []
    for name in names:
        if name not in status.index:
            out.append(f"**{name}** (unregistered source)")
            continue
        row = status.loc[name]
        as_of = fmt.day(row["last_ok_at"])
        if name == "seed":  # curated figures are as of their own sources' dates, not of the load
            dates = (data.loc[data["source"].astype(str).str.contains("seed"), "ref_date"].dropna().astype(str).str[:10]
                     if data is not None and {"source", "ref_date"} <= set(data.columns) else pd.Series(dtype=str))
            as_of = (f"figures dated {dates.min()} to {dates.max()}; each row cites its source (see Data)"
                     if not dates.empty else "each curated figure carries its own source and date "
                     "(Data & sources, Curated figures)")
        out.append(f"**{row['title']}**, {row['producer']}. Licence: {row['licence']}. As of {as_of}.")
    return out


def chart(fig: go.Figure, data: pd.DataFrame, *, key: str, sources: list[str] | None = None,
          note: str | None = None, filename: str | None = None) -> None:
    """Show a figure with its provenance caption and a Data view (table + CSV download)."""
    st.plotly_chart(fig, width="stretch", key=f"fig_{key}", config={"displaylogo": False})
    lines = provenance_lines(data, sources)
    caption = "Source: " + " · ".join(lines) if lines else "Source: not recorded"
    if note:
        caption += f"  \n{note}"
    st.caption(caption)
    with st.expander("Data", expanded=False):
        st.dataframe(data, width="stretch", hide_index=True, key=f"table_{key}")
        st.download_button(
            "Download CSV", data.to_csv(index=False).encode("utf-8"),
            file_name=filename or f"computewatch_{key}.csv", mime="text/csv", key=f"csv_{key}",
        )


def headline(column, label: str, value: str, *, help: str | None = None, delta: str | None = None,
             delta_color: str = "normal") -> None:
    column.metric(label, value, delta=delta, help=help, delta_color=delta_color)


def no_data(message: str) -> None:
    st.info(message, icon=":material/info:")
