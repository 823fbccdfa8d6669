"""Data & sources, pure: freshness counts, the sources table, run and reject summaries, the sidebar's figures."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd

from dashboard import fmt

SEGMENTS = ("all", "hyperscaler", "neocloud", "marketplace", "depin", "other")  # "other": no segment
STATUS_COLUMNS = ["source", "status", "last_ok", "rows_loaded", "rows_rejected", "last_status", "last_error",
                  "cadence", "segment", "title", "producer", "licence", "licence_url", "citation", "url"]


@dataclass(frozen=True)
class Freshness:
    """How many sources are fresh (within their cadence), stale, or never run."""

    fresh: int
    stale: int
    never: int


def freshness_counts(status: pd.DataFrame) -> Freshness:
    counts = status["status"].value_counts()
    return Freshness(int(counts.get("fresh", 0)), int(counts.get("stale", 0)), int(counts.get("never", 0)))


def of_segment(status: pd.DataFrame, segment: str | None) -> pd.DataFrame:
    """The sources of one segment ('other': sources with none; 'all' or None: every source)."""
    if segment == "other":
        return status[status["segment"].isna()]
    if segment and segment != "all":
        return status[status["segment"] == segment]
    return status


def status_table(shown: pd.DataFrame) -> pd.DataFrame:
    """The sources table as shown: last success and cadence readable, gaps named."""
    table = shown.assign(
        last_ok=shown["last_ok_at"].dt.strftime("%Y-%m-%d %H:%M").fillna("never"),
        cadence=shown["cadence_hours"].map(fmt.cadence),
    )[STATUS_COLUMNS]
    return table.astype({"rows_loaded": "Int64", "rows_rejected": "Int64"}).fillna(
        {"last_status": "not run", "last_error": "", "segment": "mixed / demand"})


def failed_runs(runs: pd.DataFrame) -> int:
    return int((runs["status"] == "failed").sum())


def rejects_by_reason(rejects: pd.DataFrame) -> pd.DataFrame:
    """Rejected records counted per source and reason, most first."""
    summary = rejects.groupby(["source", "reason"]).size().reset_index(name="records")
    return summary.sort_values("records", ascending=False)


def rejects_of(rejects: pd.DataFrame, source: str, limit: int = 200) -> pd.DataFrame:
    """The first `limit` rejected records of one source, each record as compact JSON (at most 400 characters)."""
    detail = rejects[rejects["source"] == source].head(limit)
    return detail.assign(record=detail["record"].map(lambda r: json.dumps(json.loads(r))[:400]))


@dataclass(frozen=True)
class Sidebar:
    """What the sidebar says about the data: newest live success, curated figures, freshness, stale names."""

    live_as_of: pd.Timestamp | None
    has_seed: bool
    freshness: Freshness
    stale: tuple[str, ...]


def sidebar(status: pd.DataFrame) -> Sidebar:
    ok = status[status["last_ok_at"].notna()]
    live = ok[ok["source"] != "seed"]
    return Sidebar(live_as_of=None if live.empty else live["last_ok_at"].max(), has_seed="seed" in set(ok["source"]),
                   freshness=freshness_counts(status),
                   stale=tuple(status.loc[status["status"] == "stale", "source"]))


def provider_coverage(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per provider: every source that reports its prices (kind in brackets, by precedence),
    the source its newest price comes from, and how many of its day x GPU x price-type cells each
    source won (docs/METHODOLOGY.md §3.1: own API, then single-provider catalogue, then aggregator)."""
    cols = ["provider", "segment", "n_sources", "sources", "used_now", "cells_won"]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    out = []
    for (name, segment), part in rows.sort_values(["rank", "source"]).groupby(["provider_name", "segment"], sort=False):
        out.append({
            "provider": name, "segment": segment, "n_sources": len(part),
            "sources": ", ".join(f"{r.source} ({r.kind or 'unranked'})" for r in part.itertuples()),
            "used_now": ", ".join(part.loc[part["used_latest"].astype(bool), "source"]) or None,
            "cells_won": ", ".join(f"{r.source} {r.cells_won}/{r.cells_seen}" for r in part.itertuples()),
        })
    return (pd.DataFrame(out, columns=cols).sort_values(["n_sources", "provider"], ascending=[False, True])
            .reset_index(drop=True))
