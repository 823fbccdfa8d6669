"""Data & sources: every source's provenance, freshness, last run, errors and rejected records.

Widgets -> dashboard.data.sources -> dashboard.model.sources.
"""

import streamlit as st

from dashboard import ui
from dashboard.data import sources as data
from dashboard.model import sources as model

st.title("Data & sources")
st.caption("Where every number comes from, how fresh it is, and what the last run of each source "
           "did. Sources that fail keep their last good data in place; their error is shown here.")

status = data.status()
c1, c2, c3, c4 = st.columns(4)
counts = model.freshness_counts(status)
c1.metric("Sources", len(status))
c2.metric("Fresh", counts.fresh)
c3.metric("Stale", counts.stale)
c4.metric("Not yet run", counts.never)

tab_sources, tab_providers, tab_runs, tab_rejects, tab_unknown, tab_seed = st.tabs(
    ["Sources", "Providers by source", "Run history", "Rejected records", "Unknown GPU names", "Curated figures"])

with tab_sources:
    segment = st.segmented_control("Segment", model.SEGMENTS, default="all", key="src_segment", bind="query-params")
    shown = model.of_segment(status, segment)
    table = model.status_table(shown)
    st.dataframe(
        table, hide_index=True, width="stretch",
        column_config={
            "licence_url": st.column_config.LinkColumn("licence link", display_text="terms"),
            "url": st.column_config.LinkColumn("home", display_text="open"),
            "rows_loaded": st.column_config.NumberColumn("rows (last run)", format="%d"),
            "rows_rejected": st.column_config.NumberColumn("rejected", format="%d"),
            "last_ok": "last success (UTC)",
            "status": st.column_config.TextColumn("freshness", help="fresh: last success within the cadence; "
                                                  "stale: older, or tried and never succeeded; never: not yet run"),
        },
    )
    ui.csv_download(table, "computewatch_sources.csv", key="csv_sources")
    for _, row in shown.iterrows():
        with st.expander(f"{row['title']} · `{row['source']}`"):
            st.markdown(f"**Producer:** {row['producer']}  \n**Licence:** [{row['licence']}]({row['licence_url']})  \n"
                        f"**Citation:** {row['citation']}  \n**Cadence:** every {row['cadence_hours']} h  \n"
                        f"**Status:** {row['status']}; last run {row['last_status'] or '-'}")
            if row["description"]:
                st.caption(row["description"])
            if row["last_error"]:
                st.error(row["last_error"])

with tab_providers:
    st.caption("The same provider arrives through several sources (its own API, a catalogue, aggregators). Every "
               "row stays in the warehouse with its source; the price index counts each provider once per day, "
               "from the source ranked first: the provider's own API, then a single-provider catalogue, then an "
               "aggregator (docs/METHODOLOGY.md §3.1). `used_now`: the source of the provider's newest price; "
               "`cells_won`: day x GPU x price-type cells the source won / reported.")
    coverage_rows = data.provider_sources()
    coverage = model.provider_coverage(coverage_rows)
    if coverage.empty:
        st.info("No GPU prices in the warehouse yet.")
    else:
        st.dataframe(coverage, hide_index=True, width="stretch", key="src_providers",
                     column_config={"n_sources": st.column_config.NumberColumn("sources", format="%d"),
                                    "sources": "sources (kind), by precedence", "used_now": "used now"})
        ui.csv_download(coverage_rows, "computewatch_provider_sources.csv", key="csv_providers")

with tab_runs:
    runs = data.runs()
    failed = model.failed_runs(runs)
    if failed:
        st.warning(f"{failed} failed run(s) in the history below.")
    st.dataframe(runs, hide_index=True, width="stretch")
    ui.csv_download(runs, "computewatch_runs.csv", key="csv_runs")

with tab_rejects:
    rejects = data.rejects()
    if rejects.empty:
        st.success("The latest run of every source rejected nothing.")
    else:
        st.markdown(f"**{len(rejects):,} records** rejected by the latest runs, by reason:")
        st.dataframe(model.rejects_by_reason(rejects), hide_index=True, width="stretch")
        pick = st.selectbox("Show records of source", sorted(rejects["source"].unique()), key="rej_source")
        st.dataframe(model.rejects_of(rejects, pick), hide_index=True, width="stretch")
        ui.csv_download(rejects, "computewatch_rejects.csv", key="csv_rejects")

with tab_unknown:
    unknown = data.unknown_gpu_models()
    st.caption("GPU names that no alias in data/seed/gpu_models.csv maps to a canonical model. They are kept "
               "as given (never dropped); add an alias to merge them with their canonical name.")
    if unknown.empty:
        st.success("Every GPU name seen maps to a canonical model.")
    else:
        st.dataframe(unknown, hide_index=True, width="stretch")

with tab_seed:
    st.caption("The curated figures the dashboard ships with: every row names its source URL, the date of "
               "that source and a confidence grade (primary / secondary / tertiary / uncertain).")
    seed = data.curated_figures()
    st.dataframe(seed, hide_index=True, width="stretch",
                 column_config={"ref_url": st.column_config.LinkColumn("source URL")})
    ui.csv_download(seed, "computewatch_seed_figures.csv", key="csv_seed")
