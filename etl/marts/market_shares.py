"""marts.market_shares: published shares as loaded, plus etl.concentration's "Others (unpublished)" residual.

One row per entity x market x period x source (percent of the market), and, where the published shares
do not cover the market (etl.concentration.is_complete), one residual row of 100% minus their sum
(etl.concentration.residual_pct; docs/METHODOLOGY.md §1.4), marked is_residual.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from etl import concentration as c

COLUMNS = ("period", "period_label", "market", "entity", "share_pct", "share_low_pct", "share_high_pct", "basis",
           "value", "unit", "coverage", "source", "ref_url", "ref_date", "confidence", "note", "is_residual")


def residual_rows(totals: pd.DataFrame) -> pd.DataFrame:
    """The residual row of every (period, market, source) whose published total leaves part of the market."""
    rows = [
        {"period": t.period, "period_label": t.period_label, "market": t.market, "entity": c.RESIDUAL,
         "share_pct": c.residual_pct(t.total), "basis": t.basis, "coverage": t.coverage, "source": t.source,
         "ref_date": t.ref_date, "note": "residual: 100% minus the published shares", "is_residual": True}
        for t in totals.itertuples() if not c.is_complete(t.total)
    ]
    return pd.DataFrame(rows, columns=list(COLUMNS))


def build(con: duckdb.DuckDBPyConnection) -> None:
    totals = con.execute("""
        SELECT period, any_value(period_label) AS period_label, market, source, sum(share_pct) AS total,
               any_value(basis) AS basis, any_value(coverage) AS coverage, max(ref_date) AS ref_date
        FROM core.market_shares GROUP BY period, market, source
    """).df()
    con.register("residual_rows", residual_rows(totals))
    try:
        con.execute("""
            CREATE OR REPLACE TABLE marts.market_shares AS
            WITH published AS (
                SELECT period, period_label, market, entity, share_pct, share_low_pct, share_high_pct, basis, value,
                       unit, coverage, source, ref_url, ref_date, confidence, note, FALSE AS is_residual
                FROM core.market_shares
            ), residual AS (
                SELECT CAST(period AS DATE), CAST(period_label AS VARCHAR), CAST(market AS VARCHAR),
                       CAST(entity AS VARCHAR), CAST(share_pct AS DOUBLE), NULL, NULL, CAST(basis AS VARCHAR),
                       NULL, NULL, CAST(coverage AS VARCHAR), CAST(source AS VARCHAR), NULL,
                       CAST(ref_date AS VARCHAR), NULL, CAST(note AS VARCHAR), TRUE
                FROM residual_rows
            )
            SELECT * FROM published UNION ALL SELECT * FROM residual
            ORDER BY market, period, is_residual, share_pct DESC
        """)
    finally:
        con.unregister("residual_rows")
