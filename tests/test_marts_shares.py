"""marts.market_shares: the published rows as loaded plus one residual row where they leave part of the market."""

from __future__ import annotations

import duckdb

from etl import concentration as c
from etl import warehouse


def test_residual_row_only_where_the_published_shares_leave_more_than_rounding():
    con = duckdb.connect(":memory:")
    warehouse.create_schema(con)
    rows = [("2025-10-01", "cloud", "AWS", 28.0), ("2025-10-01", "cloud", "Microsoft", 21.0),
            ("2025-10-01", "cloud", "Google", 15.0),
            ("2024-12-31", "owners", "A", 60.0), ("2024-12-31", "owners", "B", 39.6)]  # 99.6%: complete
    con.executemany("INSERT INTO core.market_shares (period, market, entity, share_pct, basis, source) "
                    "VALUES (?, ?, ?, ?, 'revenue', 'seed')", [list(r) for r in rows])
    warehouse.build_marts(con, only={"market_shares"})
    got = con.execute("SELECT market, entity, share_pct, is_residual FROM marts.market_shares "
                      "WHERE is_residual").fetchall()
    assert got == [("cloud", c.RESIDUAL, 36.0, True)]
    assert con.execute("SELECT count(*) FROM marts.market_shares WHERE NOT is_residual").fetchone()[0] == 5
