"""Data & sources queries: every source's provenance and freshness, runs, rejects, curated figures."""

from __future__ import annotations

import pandas as pd

from dashboard.data.warehouse import run


def status() -> pd.DataFrame:
    """One row per registered source (marts.sources_status): provenance, cadence, last run, freshness."""
    return run(status)


def snapshot_id() -> str | None:
    frame = run(snapshot_id)
    return None if frame.empty else str(frame.iloc[0, 0])


def runs() -> pd.DataFrame:
    return run(runs)


def rejects() -> pd.DataFrame:
    return run(rejects)


def unknown_gpu_models() -> pd.DataFrame:
    return run(unknown_gpu_models)


def curated_figures() -> pd.DataFrame:
    """Every curated seed figure (indicators, market shares, list prices) with its citation."""
    return run(curated_figures)


def provider_sources() -> pd.DataFrame:
    """Per provider, the sources that report its prices and the one the precedence uses
    (marts.provider_sources; docs/METHODOLOGY.md §3.1)."""
    return run(provider_sources)
