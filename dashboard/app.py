"""ComputeWatch entry point: navigation over the six pages, shared sidebar, data-as-of and stale banner."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run dashboard/app.py` puts only dashboard/ on the path
    sys.path.insert(0, str(ROOT))

from dashboard import queries, state  # noqa: E402

st.set_page_config(page_title="ComputeWatch: AI compute demand and centralisation", page_icon="📊",
                   layout="wide", initial_sidebar_state="expanded")

PAGES = [
    st.Page("app_pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("app_pages/demand.py", title="Demand", icon=":material/trending_up:"),
    st.Page("app_pages/prices.py", title="GPU prices", icon=":material/payments:"),
    st.Page("app_pages/concentration.py", title="Concentration", icon=":material/donut_large:"),
    st.Page("app_pages/scenarios.py", title="Scenarios", icon=":material/tune:"),
    st.Page("app_pages/sources.py", title="Data & sources", icon=":material/database:"),
]
page = st.navigation(PAGES, position="sidebar")

state.begin()
if not queries.available():
    st.error(f"No warehouse at `{queries.db_path()}`. Build it with `make run` (from the seed, no network) "
             "or `python -m etl run --offline`.")
    st.stop()

status = queries.sources_status()
ok = status[status["last_ok_at"].notna()]
live = ok[ok["source"] != "seed"]
with st.sidebar:
    st.markdown("### ComputeWatch")
    st.caption("AI compute demand, GPU prices and market concentration, from public data.")
    if not live.empty:
        st.markdown(f"**Data as of {live['last_ok_at'].max():%Y-%m-%d %H:%M} UTC**")
    if "seed" in set(ok["source"]):
        st.caption("Curated figures: each cites its own source and date (Data & sources).")
    counts = status["status"].value_counts()
    st.caption(f"Sources: {counts.get('fresh', 0)} fresh · {counts.get('stale', 0)} stale · "
               f"{counts.get('never', 0)} not yet run")
    snapshot = queries.snapshot_id()
    if snapshot:
        st.caption(f"Warehouse snapshot `{snapshot}`")

stale = status[status["status"] == "stale"]
if not stale.empty:
    names = ", ".join(stale["source"])
    st.warning(f"Stale data: {names} missed their refresh schedule or never succeeded; charts show the "
               "last good data. See Data & sources for the errors.", icon=":material/schedule:")
notices = st.empty()
page.run()
state.finish(notices)
