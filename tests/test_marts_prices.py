"""The price marts and the GPU prices page's queries on a tiny hand-built DuckDB, against hand computations."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dashboard import prices_summary as ps
from etl import warehouse

ROOT = Path(__file__).resolve().parent.parent
MARTS = {"gpu_price_panel", "gpu_h100e", "price_index", "price_index_groups", "price_ladder"}
QUERIES = ROOT / "dashboard" / "sql"
D1, D2 = dt.date(2026, 1, 1), dt.date(2026, 3, 1)
H100_FLOPS, A100_FLOPS = 989.4e12, 312e12

# (day, source, provider, segment, gpu_model, price, price_type, region)
PRICES = [
    (D1, "t", "aws", "hyperscaler", "H100 SXM", 4.0, "on_demand", "us-east-1"),
    (D1, "t", "lambda", "neocloud", "H100 SXM", 2.0, "on_demand", None),
    (D1, "t", "coreweave", "neocloud", "H100 SXM", 3.0, "on_demand", "US"),
    (D1, "t", "lambda", "neocloud", "H100 SXM", 1.0, "spot", None),
    (D1, "v", "vast", "marketplace", "H100 SXM", 1.0, "on_demand", "US"),
    (D1, "v", "vast", "marketplace", "H100 SXM", 1.5, "on_demand", "US"),
    (D1, "v", "vast", "marketplace", "H100 SXM", 2.0, "on_demand", "DE"),
    (D1, "v", "vast", "marketplace", "H100 SXM", 2.5, "on_demand", ""),
    (D1, "t", "akash", "depin", "H100 SXM", 1.2, "on_demand", None),
    (D2, "v", "vast", "marketplace", "H100 SXM", 1.4, "on_demand", "US"),
    (D2, "v", "vast", "marketplace", "A100 80GB", 1.0, "on_demand", "US"),
]


def _con(specs: list[tuple] | None = None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    warehouse.create_schema(con)
    warehouse.load_reference(con, ROOT / "data" / "seed")
    con.executemany(
        "INSERT INTO core.gpu_prices (observed_at, source, provider, segment, gpu_model, price_usd_per_gpu_hour, "
        "price_type, region) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [list(r) for r in PRICES])
    specs = specs if specs is not None else [("H100 SXM", "NVIDIA H100 SXM5 80GB", H100_FLOPS),
                                             ("A100 80GB", "NVIDIA A100 SXM4 80 GB", A100_FLOPS),
                                             ("A100 80GB", "NVIDIA A100 (slower listing)", 200e12),
                                             ("T4", "NVIDIA Tesla T4", None)]
    if specs:
        con.executemany("INSERT INTO core.gpu_specs (gpu_model, hardware_name, fp16_dense_flops, source) "
                        "VALUES (?, ?, ?, 'epoch_hardware')", [list(s) for s in specs])
    warehouse.build_marts(con, only=MARTS)
    return con


def _query(con, name: str, params) -> pd.DataFrame:
    return con.execute((QUERIES / f"{name}.sql").read_text(), list(params)).df()


def _hand_quantile(values: list[float], q: float) -> float:
    """Linear interpolation between order statistics (what quantile_cont computes)."""
    s = sorted(values)
    pos = q * (len(s) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (pos - lo) * (s[hi] - s[lo])


def _index_row(con, **where) -> pd.Series:
    frame = con.execute("SELECT * FROM marts.price_index_groups").df()
    for k, v in where.items():
        frame = frame[frame[k] == v]
    assert len(frame) == 1, (where, frame)
    return frame.iloc[0]


def test_h100e_is_dense_fp16_relative_to_h100_sxm_highest_figure_per_model():
    con = _con()
    h = con.execute("SELECT gpu_model, h100e, fp16_dense_flops FROM marts.gpu_h100e").df().set_index("gpu_model")
    assert h.loc["H100 SXM", "h100e"] == pytest.approx(1.0)
    assert h.loc["A100 80GB", "h100e"] == pytest.approx(312 / 989.4)
    assert h.loc["A100 80GB", "fp16_dense_flops"] == A100_FLOPS
    assert "T4" not in h.index  # no figure, no factor


def test_h100e_is_null_safe_without_specs_or_without_an_h100_figure():
    con = _con(specs=[])
    assert con.execute("SELECT count(*) FROM marts.gpu_h100e").fetchone()[0] == 0
    ladder = _query(con, "prices_ladder", ["H100 SXM", "H100e-hour", "all", "all", "all", D1, D2, None])
    assert ladder["price"].isna().all() and ladder["usd_per_gpu_hour"].notna().all()
    con = _con(specs=[("A100 80GB", "NVIDIA A100", A100_FLOPS)])
    assert con.execute("SELECT h100e FROM marts.gpu_h100e").fetchone()[0] is None


def test_block_index_quantiles_equal_hand_computation():
    con = _con()
    cen = [4.0, 2.0, 3.0, 1.0]
    row = _index_row(con, day=pd.Timestamp(D1), gpu_model="H100 SXM", block="centralised", segment="all",
                     price_type="all", region="all")
    assert row["n"] == 4 and row["n_providers"] == 3
    assert (row["p25"], row["median"], row["p75"]) == pytest.approx(
        (_hand_quantile(cen, 0.25), 2.5, _hand_quantile(cen, 0.75)))
    assert (row["p25"], row["p75"]) == pytest.approx((1.75, 3.25))
    dec = [1.0, 1.5, 2.0, 2.5, 1.2]
    row = _index_row(con, day=pd.Timestamp(D1), gpu_model="H100 SXM", block="decentralised", segment="all",
                     price_type="all", region="all")
    assert (row["p25"], row["median"], row["p75"]) == pytest.approx(
        (_hand_quantile(dec, 0.25), _hand_quantile(dec, 0.5), _hand_quantile(dec, 0.75)))
    assert (row["p25"], row["median"], row["p75"]) == pytest.approx((1.2, 1.5, 2.0))


def test_index_filters_by_region_and_price_type_and_names_missing_regions():
    con = _con()
    us = _index_row(con, day=pd.Timestamp(D1), gpu_model="H100 SXM", block="decentralised", segment="all",
                    price_type="all", region="US")
    assert us["n"] == 2 and us["median"] == pytest.approx(1.25)
    unspecified = _index_row(con, day=pd.Timestamp(D1), gpu_model="H100 SXM", block="centralised",
                             segment="neocloud", price_type="all", region="unspecified")
    assert unspecified["n"] == 2 and unspecified["median"] == pytest.approx(1.5)  # lambda 2.0 + 1.0
    spot = _index_row(con, day=pd.Timestamp(D1), gpu_model="H100 SXM", block="centralised", segment="all",
                      price_type="spot", region="all")
    assert spot["n"] == 1 and spot["median"] == 1.0


def test_index_query_blocks_segments_and_h100e_unit():
    con = _con()
    blocks = _query(con, "prices_index", ["H100 SXM", "GPU-hour", "all", False, "all", "all", D1, D2])
    assert set(blocks["series"]) == {"centralised", "decentralised"}
    segments = _query(con, "prices_index", ["H100 SXM", "GPU-hour", "all", True, "all", "all", D1, D2])
    assert set(segments["series"]) == {"hyperscaler", "neocloud", "marketplace", "depin"}
    one = _query(con, "prices_index", ["H100 SXM", "GPU-hour", "depin", False, "all", "all", D1, D2])
    assert set(one["series"]) == {"depin"} and one["median"].tolist() == [1.2]
    a100 = _query(con, "prices_index", ["A100 80GB", "H100e-hour", "all", False, "all", "all", D1, D2])
    assert a100["median"].tolist() == pytest.approx([1.0 / (312 / 989.4)])


def test_ladder_mart_pools_regions_per_provider_day():
    con = _con()
    vast = con.execute("SELECT * FROM marts.price_ladder WHERE provider = 'vast' AND day = ? AND "
                       "gpu_model = 'H100 SXM'", [D1]).df().set_index("region")
    assert vast.loc["all", "n_offers"] == 4
    assert vast.loc["all", "median"] == pytest.approx(1.75)
    assert vast.loc["all", "min_price"] == 1.0
    assert vast.loc["US", "n_offers"] == 2 and vast.loc["US", "median"] == pytest.approx(1.25)
    assert vast.loc["unspecified", "median"] == 2.5
    assert vast.loc["all", "provider_name"] == "Vast.ai"  # from data/seed/providers.csv


def test_ladder_takes_each_providers_latest_day_and_block_medians_and_ratio():
    con = _con()
    ladder = _query(con, "prices_ladder", ["H100 SXM", "GPU-hour", "all", "all", "all", D1, D2, None])
    vast = ladder[ladder["provider"] == "vast"]
    assert len(vast) == 1 and vast["price"].iloc[0] == 1.4 and pd.Timestamp(vast["day"].iloc[0]).date() == D2
    assert len(ladder) == 6  # aws, lambda on-demand, lambda spot, coreweave, vast, akash
    assert ladder["price"].is_monotonic_increasing
    stats = ps.block_stats(ladder)
    assert stats["centralised"]["median"] == pytest.approx(_hand_quantile([4.0, 2.0, 3.0, 1.0], 0.5))  # 2.5
    assert stats["decentralised"]["median"] == pytest.approx((1.4 + 1.2) / 2)
    assert ps.ratio(stats) == pytest.approx(1.3 / 2.5)
    assert stats["decentralised"]["as_of"] == D2 and stats["decentralised"]["oldest"] == D1
    assert stats["centralised"]["n_providers"] == 3 and stats["decentralised"]["n_offers"] == 2


def test_ladder_period_lookback_segment_and_unit():
    con = _con()
    before = _query(con, "prices_ladder", ["H100 SXM", "GPU-hour", "all", "all", "all", D1, D1, None])
    assert before.loc[before["provider"] == "vast", "price"].iloc[0] == pytest.approx(1.75)  # as of D1
    recent = _query(con, "prices_ladder", ["H100 SXM", "GPU-hour", "all", "all", "all", D1, D2, 30])
    assert recent["provider"].tolist() == ["vast"]
    assert ps.ratio(ps.block_stats(recent)) is None
    neo = _query(con, "prices_ladder", ["H100 SXM", "GPU-hour", "neocloud", "on_demand", "all", D1, D2, None])
    assert sorted(neo["provider"]) == ["coreweave", "lambda"]
    a100 = _query(con, "prices_ladder", ["A100 80GB", "H100e-hour", "all", "all", "all", D1, D2, None])
    assert a100["price"].iloc[0] == pytest.approx(1.0 * 989.4 / 312)
    assert a100["usd_per_gpu_hour"].iloc[0] == 1.0


def test_trim_ladder_keeps_ends_of_each_block_and_the_limit():
    frame = pd.DataFrame({
        "block": ["centralised"] * 50 + ["decentralised"] * 6,
        "price": [1 + i / 10 for i in range(50)] + [0.5 + i / 10 for i in range(6)],
    })
    trimmed = ps.trim_ladder(frame, limit=40)
    assert len(trimmed) == 40
    assert (trimmed["block"] == "decentralised").sum() == 6
    cen = trimmed[trimmed["block"] == "centralised"]["price"]
    assert cen.min() == 1.0 and cen.max() == pytest.approx(5.9)
    assert ps.trim_ladder(frame.head(10), limit=40).equals(frame.head(10))
