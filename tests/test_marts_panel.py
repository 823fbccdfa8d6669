import datetime as dt
from pathlib import Path

import duckdb
import pytest

from etl import warehouse

ROOT = Path(__file__).resolve().parent.parent
D = [dt.date(2025, 1, 1) + dt.timedelta(days=i) for i in range(10)]


@pytest.fixture
def con():
    c = duckdb.connect(":memory:")
    warehouse.create_schema(c)
    c.execute("INSERT INTO meta.sources (name, prices_persist) VALUES ('changes', TRUE), ('offers', FALSE)")
    rows = [
        # a change log: A and B list prices on day 0, A changes on day 5, the log's last entry is day 7
        (D[0], "changes", "a", "neocloud", 3.0), (D[0], "changes", "b", "neocloud", 2.0),
        (D[5], "changes", "a", "neocloud", 2.5), (D[7], "changes", "c", "neocloud", 9.0),
        # snapshots: offer v seen on days 0 and 2 only, so it is gone on day 1
        (D[0], "offers", "v", "marketplace", 1.0), (D[2], "offers", "v", "marketplace", 1.5),
    ]
    c.executemany("INSERT INTO core.gpu_prices (observed_at, source, provider, segment, gpu_model, "
                  "price_usd_per_gpu_hour, price_type) VALUES (?, ?, ?, ?, 'H100 SXM', ?, 'on_demand')",
                  [list(r) for r in rows])
    warehouse.build_marts(c, only={"gpu_price_panel", "price_index_groups", "price_index"})
    return c


def index(con, segment):
    return {d: (n, carried, med) for d, n, carried, med in con.execute(
        "SELECT day, n, n_carried, median FROM marts.price_index WHERE segment = ? ORDER BY day",
        [segment]).fetchall()}


def test_list_prices_stay_in_force_until_they_change(con):
    neo = index(con, "neocloud")
    assert neo[D[3]] == (2, 2, 2.5)          # A 3.0 and B 2.0 carried from day 0
    assert neo[D[5]] == (2, 1, 2.25)         # A changed to 2.5 that day, B still 2.0
    assert neo[D[7]] == (3, 2, 2.5)          # C appears; A 2.5 and B 2.0 carried
    assert max(neo) == D[7]                  # never past the source's latest observation


def test_snapshot_offers_are_never_carried_forward(con):
    market = index(con, "marketplace")
    assert sorted(market) == [D[0], D[2]]
    assert market[D[2]] == (1, 0, 1.5)
