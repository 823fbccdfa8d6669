"""dashboard.data.scenarios against warehouses made for the test: the newest sourced figure wins, the price
index is read only in its rebuilt schema (method, geo, on-demand segment medians)."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from dashboard.data import scenarios as data
from dashboard.model import scenarios as ss
from tests.conftest import _env

NEW_SCHEMA = ("day DATE, gpu_model VARCHAR, segment VARCHAR, price_type VARCHAR, geo VARCHAR, method VARCHAR, "
              "n INTEGER, n_providers INTEGER, median DOUBLE, p25 DOUBLE, p75 DOUBLE, low_confidence BOOLEAN, "
              "reason VARCHAR, sources VARCHAR")  # the columns of etl/marts/prices.py
OLD_SCHEMA = "day DATE, gpu_model VARCHAR, segment VARCHAR, price_type VARCHAR, n INTEGER, median DOUBLE, sources VARCHAR"
# Rows of the rebuilt marts.price_index: only the first two may become baseline prices.
PRICE_ROWS = [
    ("2026-11-30", "H100 SXM", "neocloud", "on_demand", "all", "cw-1.0.0", 6, 6, 2.49, 2.2, 2.99, False),
    ("2026-11-30", "H100 SXM", "hyperscaler", "on_demand", "all", "cw-1.0.0", 4, 4, 6.88, 4.0, 9.8, False),
    ("2026-11-29", "H100 SXM", "neocloud", "on_demand", "all", "cw-1.0.0", 6, 6, 2.59, 2.2, 2.99, False),  # older
    ("2026-12-01", "H100 SXM", "neocloud", "on_demand", "all", "cw-1.0.0", 2, 2, 9.99, 9.0, 9.99, True),  # thin
    ("2026-11-30", "H100 SXM", "neocloud", "reserved", "all", "cw-1.0.0", 5, 5, 1.99, 1.8, 2.1, False),
    ("2026-11-30", "H100 SXM", "neocloud", "on_demand", "us", "cw-1.0.0", 3, 3, 2.10, 2.0, 2.5, False),
    ("2026-11-30", "H100 SXM", "neocloud", "on_demand", "all", "ccir-cri-1.1.1", 9, 9, 1.70, 1.5, 2.0, False),
    ("2026-11-30", "A100 80GB", "neocloud", "on_demand", "all", "cw-1.0.0", 9, 9, 1.10, 1.0, 1.2, False),
    ("2026-11-20", "H100 SXM", "marketplace", "on_demand", "all", "cw-1.0.0", 1, 1, 1.80, 1.8, 1.8, True),
    ("2026-11-10", "H100 SXM", "marketplace", "on_demand", "all", "cw-1.0.0", 1, 1, 1.50, 1.5, 1.5, True),
]
PRICE_ROWS = [row + (f"{row[7]} providers < 3" if row[11] else None, "seed") for row in PRICE_ROWS]


def using(path: str):
    """COMPUTEWATCH_DB pointed at `path` for the block."""
    return _env(COMPUTEWATCH_DB=path)


def with_price_index(source: str, target: str, rows=PRICE_ROWS, schema: str = NEW_SCHEMA) -> str:
    """A copy of the warehouse `source` whose marts.price_index is replaced by `rows` in `schema`."""
    shutil.copy(source, target)
    con = duckdb.connect(target)
    kind = con.execute("SELECT table_type FROM information_schema.tables WHERE table_schema = 'marts' "
                       "AND table_name = 'price_index'").fetchone()
    if kind:
        con.execute("DROP VIEW marts.price_index" if kind[0] == "VIEW" else "DROP TABLE marts.price_index")
    con.execute(f"CREATE TABLE marts.price_index ({schema})")
    if rows:
        con.executemany(f"INSERT INTO marts.price_index VALUES ({', '.join('?' * len(rows[0]))})", rows)
    con.close()
    return target


def make_priced(seeded: str, factory) -> str:
    """The seed warehouse with a rebuilt-schema price index (PRICE_ROWS)."""
    return with_price_index(seeded, str(factory.mktemp("priced") / "warehouse.duckdb"))


def make_old_price(seeded: str, factory) -> str:
    """The seed warehouse with a price index of the schema before the rebuild (no method, no geo)."""
    rows = [("2026-11-30", "H100 SXM", "neocloud", "on_demand", 6, 2.49, "vast")]
    return with_price_index(seeded, str(factory.mktemp("oldprice") / "warehouse.duckdb"), rows, OLD_SCHEMA)


@pytest.fixture(scope="module")
def old_price_file(_seeded_file, tmp_path_factory) -> str:
    return make_old_price(_seeded_file, tmp_path_factory)


def test_baseline_price_is_the_newest_confident_on_demand_segment_median_of_the_method(priced_db):
    prices = data.baseline_prices()
    assert set(prices) == {"neocloud", "hyperscaler", "marketplace"}
    assert prices["neocloud"].value == 2.49  # not the older 2.59, the thin 9.99, reserved, US-only or CCIR rows
    assert prices["neocloud"].as_of == "2026-11-30"
    assert prices["hyperscaler"].value == 6.88
    assert "cw-1.0.0" in prices["neocloud"].source and "LOW CONFIDENCE" not in prices["neocloud"].label
    # a segment with only thin rows gives its newest, flagged
    assert prices["marketplace"].value == 1.80 and "LOW CONFIDENCE" in prices["marketplace"].label
    assert data.load().segments == ["neocloud", "hyperscaler"]  # the shock moves centralised prices


def test_a_price_index_of_the_old_schema_gives_no_baseline_price(old_price_file):
    with using(old_price_file):
        loaded = data.load()
    assert loaded.prices == {} and loaded.price_note == ss.PRICE_UNAVAILABLE
    assert loaded.users  # the other inputs still load


def test_newest_indicator_wins(_seeded_file, tmp_path):
    target = with_price_index(_seeded_file, str(tmp_path / "warehouse.duckdb"))
    con = duckdb.connect(target)
    columns = [r[0] for r in con.execute("DESCRIBE marts.indicators").fetchall()]
    con.execute("CREATE TABLE marts.indicators_new AS SELECT * FROM marts.indicators")
    kind = con.execute("SELECT table_type FROM information_schema.tables WHERE table_schema = 'marts' "
                       "AND table_name = 'indicators'").fetchone()[0]
    con.execute("DROP VIEW marts.indicators" if kind == "VIEW" else "DROP TABLE marts.indicators")
    con.execute("ALTER TABLE marts.indicators_new RENAME TO indicators")
    row = {c: None for c in columns} | {
        "period": "2026-03-01", "period_label": "2026-03", "indicator": "chatgpt_weekly_active_users",
        "entity": "ChatGPT", "value": 900.0, "unit": "million", "source": "seed",
        "ref_url": "https://example.org/900m", "ref_date": "2026-03-02", "confidence": "secondary"}
    con.execute(f"INSERT INTO marts.indicators ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                list(row.values()))
    con.close()
    with using(target):
        users = data.users()
    assert users["weekly"].value == 900.0 and users["weekly"].as_of == "2026-03"
    assert users["weekly"].url == "https://example.org/900m"
    assert users["monthly"].value == 180.5  # the monthly series is its own


def test_seed_inputs_are_the_newest_sourced_figures(priced_db):
    loaded = data.load()
    assert loaded.users["weekly"].value == 800.0 and loaded.users["weekly"].as_of == "2025-10-06"
    assert loaded.users["monthly"].value == 180.5 and loaded.users["monthly"].as_of == "2024-01"
    f = loaded.figures
    assert (f["messages_per_day"].value, f["energy_per_query"].value, f["gpu_power"].value) == (2.5, 0.34, 700.0)
    assert (f["tokens_per_day"].value, f["price_per_million_tokens"].value) == (8.6, 0.06)
    assert f["price_per_million_tokens"].as_of == "2024-11"  # not the 2021 $60
    ai, cloud = loaded.hhi["ai_assistants"], loaded.hhi["cloud_infrastructure"]
    assert ai.as_of == "2026-06" and 3800 < ai.value < 3900  # ChatGPT 54.7, Gemini 27.4, Claude 8.2 + residual
    assert "techtimes.com" in ai.source
    assert cloud.label.startswith("Cloud infrastructure, worldwide (Synergy)")
    factors = sorted(t.factor_per_year for t in loaded.trends)
    assert factors == [9.0, 10.0, 40.0, 900.0]  # a16z 10x, Epoch 9-900x (both ends), Epoch GPQA 40x
