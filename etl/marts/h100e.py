"""marts.gpu_h100e: H100-equivalents of every canonical model from ref.gpu_compute (dense BF16 basis and a memory-aware variant)."""

from __future__ import annotations

import duckdb
import pandas as pd

from etl import price_method as pm
from etl.marts import prices as price_marts

TYPES = {"gpu_model": "VARCHAR", "bf16_dense_tflops": "DOUBLE", "h100e": "DOUBLE", "h100e_memory": "DOUBLE"}


def build(con: duckdb.DuckDBPyConnection) -> None:
    """h100e = dense BF16 TFLOPS / H100 SXM's; h100e_memory adds the bandwidth ratio (docs/METHODOLOGY.md §3.9)."""
    try:
        compute = con.execute("SELECT * FROM ref.gpu_compute").df()
    except duckdb.CatalogException:  # a warehouse without the seed's reference tables
        compute = pd.DataFrame()
    frame = pm.h100e(compute) if not compute.empty else pd.DataFrame(columns=list(TYPES))
    price_marts._write(con, "marts.gpu_h100e", TYPES, frame)
