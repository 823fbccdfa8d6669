"""The marts and their build order: one declaration, read top to bottom, of what each mart reads.

A SQL mart is etl/sql/marts/<name>.sql and builds marts.<name> (a table, or a view where it is a
subset of another mart). A Python mart names the module function that builds it and every table it
writes. `reads` lists every table the mart's code references; tests/test_marts_order.py checks that
against the SQL and that each marts.* read is built earlier in MARTS, so this order is the one truth.

Why one ordered list rather than `-- reads:` headers sorted topologically: fifteen marts fit on one
screen, a newcomer sees the whole pipeline in order without running a sort in their head, and the
Python marts sit in the same list as the SQL ones instead of being discovered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from etl.marts import concentration, h100e, market_shares, prices

SQL_DIR = Path(__file__).resolve().parent.parent / "sql" / "marts"


@dataclass(frozen=True)
class Mart:
    name: str
    reads: tuple[str, ...]
    build: Callable[[duckdb.DuckDBPyConnection], None] | None = None  # None: etl/sql/marts/<name>.sql
    writes: tuple[str, ...] = ()  # a Python mart's tables; a SQL mart writes marts.<name> only

    @property
    def sql_path(self) -> Path | None:
        return None if self.build else SQL_DIR / f"{self.name}.sql"

    @property
    def tables(self) -> tuple[str, ...]:
        return self.writes or (f"marts.{self.name}",)


MARTS: tuple[Mart, ...] = (
    # run status (views over meta.*, so they are current even between builds)
    Mart("freshness", ("meta.runs", "meta.sources")),
    Mart("runs", ("meta.runs",)),
    Mart("rejects", ("meta.rejects",)),
    Mart("sources_status", ("meta.sources", "meta.runs", "marts.freshness")),
    Mart("unknown_gpu_models", ("core.gpu_prices", "core.supply", "ref.gpu_models")),
    # prices
    Mart("gpu_prices_daily", ("core.gpu_prices", "ref.segments")),
    # the price method (etl/price_method.py, docs/METHODOLOGY.md §3): cw-<version> and ccir-cri-1.1.1
    Mart("price_index", ("core.gpu_prices", "core.indicators", "ref.regions", "meta.sources"), build=prices.build,
         writes=("marts.price_index", "marts.price_units", "marts.price_markers", "marts.published_price_index",
                 "marts.provider_sources")),
    Mart("gpu_h100e", ("ref.gpu_compute",), build=h100e.build, writes=("marts.gpu_h100e",)),
    # supply, demand, concentration
    Mart("supply_daily", ("core.supply",)),
    Mart("indicators", ("core.indicators",)),
    Mart("market_shares", ("core.market_shares",), build=market_shares.build, writes=("marts.market_shares",)),
    Mart("concentration", ("core.market_shares", "core.gpu_prices", "core.supply", "core.indicators", "ref.segments"),
         build=concentration.build,
         writes=("marts.concentration", "marts.concentration_shares", "marts.concentration_skipped")),
)


def named(name: str) -> Mart:
    for mart in MARTS:
        if mart.name == name:
            return mart
    raise KeyError(f"no mart named {name!r}; the marts are {[m.name for m in MARTS]}")
