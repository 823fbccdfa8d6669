"""ComputeWatch entry point: navigation over the seven pages, shared sidebar, data-as-of and stale banner."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run dashboard/app.py` puts only dashboard/ on the path
    sys.path.insert(0, str(ROOT))

from dashboard import state  # noqa: E402
from dashboard.data import sources, warehouse  # noqa: E402
from dashboard.model import sources as sources_model  # noqa: E402

# "auto": the sidebar opens on a desktop and stays closed on a phone, where it would cover the page
st.set_page_config(page_title="ComputeWatch: AI compute demand and centralisation", page_icon="📊",
                   layout="wide", initial_sidebar_state="auto")

PAGES = [
    st.Page("app_pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("app_pages/demand.py", title="Demand", icon=":material/trending_up:"),
    st.Page("app_pages/prices.py", title="GPU prices", icon=":material/payments:"),
    st.Page("app_pages/concentration.py", title="Concentration", icon=":material/donut_large:"),
    st.Page("app_pages/scenarios.py", title="Scenarios", icon=":material/tune:"),
    st.Page("app_pages/sources.py", title="Data & sources", icon=":material/database:"),
    st.Page("app_pages/methodology.py", title="Methodology", icon=":material/menu_book:"),
]
page = st.navigation(PAGES, position="sidebar")

state.begin()
if not warehouse.available():
    st.error(f"No warehouse at `{warehouse.db_path()}`. Build it with `make run` (from the seed, no network) "
             "or `python -m etl run --offline`.")
    st.stop()
trouble = warehouse.problem()
if trouble:  # say what is wrong and what to run, instead of an error box on every page
    st.error(f"The dashboard cannot read its data. Rebuild the warehouse from the seed and the raw archive with "
             f"`{warehouse.REBUILD}` (or `python -m etl run --offline`), then reload this page.",
             icon=":material/database_off:")
    st.text(trouble)
    st.stop()

side = sources_model.sidebar(sources.status())
with st.sidebar:
    st.markdown("### ComputeWatch")
    st.caption("AI compute demand, GPU prices and market concentration, from public data.")
    if side.live_as_of is not None:
        st.markdown(f"**Data as of {side.live_as_of:%Y-%m-%d %H:%M} UTC**")
    if side.has_seed:
        st.caption("Curated figures: each cites its own source and date (Data & sources).")
    counts = side.freshness
    st.caption(f"Sources: {counts.fresh} fresh · {counts.stale} stale · {counts.never} not yet run")
    snapshot = sources.snapshot_id()
    if snapshot:
        st.caption(f"Warehouse snapshot `{snapshot}`")
    refreshing = warehouse.refresh_under_way()
    if refreshing:
        st.caption(f":material/sync: A refresh from the live sources is under way (since {refreshing}); the "
                   "pages switch to the new data when it is published.")

        shown = warehouse.snapshot_key()

        @st.fragment(run_every=20)
        def _follow_publish() -> None:
            # Rerun the app once the refresh has published a new file (or ended), to show the new data.
            if warehouse.snapshot_key() != shown or not warehouse.refresh_under_way():
                st.rerun(scope="app")

        _follow_publish()

if side.stale:
    names = ", ".join(side.stale)
    st.warning(f"Stale data: {names} missed their refresh schedule or never succeeded; charts show the "
               "last good data. See Data & sources for the errors.", icon=":material/schedule:")
notices = st.empty()
try:
    page.run()
    state.finish(notices)  # not after a page stopped early (ui.rest_of_page): its rest's widgets are not drawn
finally:
    warehouse.return_freed_memory()  # what this run freed, back to the system rather than kept per thread
