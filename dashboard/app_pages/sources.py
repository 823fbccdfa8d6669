"""Data & sources: every source's provenance, freshness, last run, errors and rejected records."""

import json

import streamlit as st

from dashboard import queries

st.title("Data & sources")
st.caption("Where every number comes from, how fresh it is, and what the last run of each source "
           "did. Sources that fail keep their last good data in place; their error is shown here.")

status = queries.sources_status()
c1, c2, c3, c4 = st.columns(4)
c1.metric("Sources", len(status))
c2.metric("Fresh", int((status["status"] == "fresh").sum()))
c3.metric("Stale", int((status["status"] == "stale").sum()))
c4.metric("Not yet run", int((status["status"] == "never").sum()))

tab_sources, tab_runs, tab_rejects, tab_unknown, tab_seed = st.tabs(
    ["Sources", "Run history", "Rejected records", "Unknown GPU names", "Curated figures"])

with tab_sources:
    segment = st.segmented_control("Segment", ["all", "hyperscaler", "neocloud", "marketplace", "depin", "other"],
                                   default="all", key="src_segment", bind="query-params")
    shown = status
    if segment == "other":
        shown = status[status["segment"].isna()]
    elif segment and segment != "all":
        shown = status[status["segment"] == segment]
    table = shown.assign(
        last_ok=shown["last_ok_at"].dt.strftime("%Y-%m-%d %H:%M").fillna("never"),
        cadence=shown["cadence_hours"].map(lambda h: f"{h / 24:g} d" if h >= 48 else f"{h} h"),
    )[["source", "status", "last_ok", "rows_loaded", "rows_rejected", "last_status", "last_error", "cadence",
       "segment", "title", "producer", "licence", "licence_url", "citation", "url"]]
    table = table.astype({"rows_loaded": "Int64", "rows_rejected": "Int64"}).fillna(
        {"last_status": "not run", "last_error": "", "segment": "mixed / demand"})
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
    st.download_button("Download CSV", table.to_csv(index=False).encode(), "computewatch_sources.csv",
                       "text/csv", key="csv_sources")
    for _, row in shown.iterrows():
        with st.expander(f"{row['title']} · `{row['source']}`"):
            st.markdown(f"**Producer:** {row['producer']}  \n**Licence:** [{row['licence']}]({row['licence_url']})  \n"
                        f"**Citation:** {row['citation']}  \n**Cadence:** every {row['cadence_hours']} h  \n"
                        f"**Status:** {row['status']}; last run {row['last_status'] or '-'}")
            if row["description"]:
                st.caption(row["description"])
            if row["last_error"]:
                st.error(row["last_error"])

with tab_runs:
    runs = queries.sql("SELECT * FROM marts.runs LIMIT 500")
    failed = runs[runs["status"] == "failed"]
    if not failed.empty:
        st.warning(f"{len(failed)} failed run(s) in the history below.")
    st.dataframe(runs, hide_index=True, width="stretch")
    st.download_button("Download CSV", runs.to_csv(index=False).encode(), "computewatch_runs.csv", "text/csv",
                       key="csv_runs")

with tab_rejects:
    rejects = queries.sql("SELECT * FROM marts.rejects")
    if rejects.empty:
        st.success("The latest run of every source rejected nothing.")
    else:
        summary = rejects.groupby(["source", "reason"]).size().reset_index(name="records")
        st.markdown(f"**{len(rejects):,} records** rejected by the latest runs, by reason:")
        st.dataframe(summary.sort_values("records", ascending=False), hide_index=True, width="stretch")
        pick = st.selectbox("Show records of source", sorted(rejects["source"].unique()), key="rej_source")
        detail = rejects[rejects["source"] == pick].head(200)
        detail = detail.assign(record=detail["record"].map(lambda r: json.dumps(json.loads(r))[:400]))
        st.dataframe(detail, hide_index=True, width="stretch")
        st.download_button("Download CSV", rejects.to_csv(index=False).encode(), "computewatch_rejects.csv",
                           "text/csv", key="csv_rejects")

with tab_unknown:
    unknown = queries.sql("SELECT * FROM marts.unknown_gpu_models")
    st.caption("GPU names that no alias in data/seed/gpu_models.csv maps to a canonical model. They are kept "
               "as given (never dropped); add an alias to merge them with their canonical name.")
    if unknown.empty:
        st.success("Every GPU name seen maps to a canonical model.")
    else:
        st.dataframe(unknown, hide_index=True, width="stretch")

with tab_seed:
    st.caption("The curated figures the dashboard ships with: every row names its source URL, the date of "
               "that source and a confidence grade (primary / secondary / tertiary / uncertain).")
    seed = queries.sql("""
        SELECT 'indicators' AS kind, period_label AS period, indicator AS series, entity, value, unit,
               ref_url, ref_date, confidence, note FROM marts.indicators WHERE source = 'seed'
        UNION ALL
        SELECT 'market_shares', period_label, market, entity, share_pct, '%', ref_url, ref_date, confidence, note
        FROM marts.market_shares WHERE source = 'seed' AND NOT is_residual
        UNION ALL
        SELECT 'gpu_prices', strftime(day, '%Y-%m-%d'), gpu_model, provider, price_usd_per_gpu_hour,
               'USD per GPU-hour', ref_url, ref_date, confidence, note
        FROM marts.gpu_prices_daily WHERE source = 'seed'
    """)
    st.dataframe(seed, hide_index=True, width="stretch",
                 column_config={"ref_url": st.column_config.LinkColumn("source URL")})
    st.download_button("Download CSV", seed.to_csv(index=False).encode(), "computewatch_seed_figures.csv",
                       "text/csv", key="csv_seed")
