"""Provenance as data: what every source declares (OWID Origin vocabulary) and what a fetch records."""

from __future__ import annotations

import csv as _csv
import hashlib
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

SEGMENTS = ("hyperscaler", "neocloud", "marketplace", "depin")
CENTRALISED = ("hyperscaler", "neocloud")
DECENTRALISED = ("marketplace", "depin")
TABLES = ("gpu_prices", "supply", "market_shares", "indicators", "gpu_specs")
# How directly a source's figures come from the provider they describe, most direct first. When one
# provider arrives through several sources, the most direct one is used for it (precedence()).
#   provider_api: the provider's own price list, API or filings (RunPod's GraphQL, Azure Retail Prices);
#   catalogue:    a compiled machine-readable catalogue of providers' list prices (Vantage, SkyPilot);
#   aggregator:   a dataset gathered from many providers or sites by a third party (OpenComputePrices,
#                 the price tracker's percentiles, Epoch's datasets, the curated seed).
KINDS = ("provider_api", "catalogue", "aggregator")


def precedence(kind: str) -> int:
    """Rank of a source kind, 0 = used first (provider_api > catalogue > aggregator)."""
    try:
        return KINDS.index(kind)
    except ValueError:
        raise ValueError(f"unknown source kind {kind!r}; known: {', '.join(KINDS)}") from None


@dataclass(frozen=True)
class License:
    name: str
    url: str


@dataclass(frozen=True)
class Source:
    """One upstream source. `name` == module name == the value of `source` in core tables.

    load: "replace" (a run replaces this source's rows: catalogues, datasets) or
    "append" (each run adds a snapshot: live offers, daily history; rows of the same
    observed_at are replaced, so re-loading a payload is idempotent).
    captures: glob patterns, relative to a replay directory, of files this source parses.
    capture_dates: (glob, ISO date) pairs giving when undated captures were taken (their
    provenance says so); a replayed file is otherwise dated by a date in its path, else its mtime.
    prices_persist: the source records list prices when they change (not snapshots of every
    current offer), so a price stays in force until its next change (marts.price_units).
    history: the git files whose past versions `python -m etl backfill NAME` loads (etl/backfill.py).
    """

    name: str
    title: str
    producer: str
    url_main: str
    url_download: tuple[str, ...]
    license: License
    citation: str
    cadence_hours: int
    segment: str | None  # None when the source spans segments or is a demand series
    tables: tuple[str, ...]
    # One of KINDS: how directly the figures come from the provider (precedence()). Every registered
    # source sets it (tests/test_registry.py); None is left for ad-hoc Sources in tests.
    kind: str | None = None
    description: str = ""
    load: str = "replace"
    captures: tuple[str, ...] = ()
    capture_dates: tuple[tuple[str, str], ...] = ()
    prices_persist: bool = False
    # Where the source's past versions live in git, for `python -m etl backfill`: (GitHub
    # "owner/repo", path in the repository, payload name as fetch() names that file).
    history: tuple[tuple[str, str, str], ...] = ()
    needs_key: str | None = None  # env var of an optional/required key (see config.API_KEY_VARS)
    rate_limit_per_minute: float | None = None

    def __post_init__(self):
        if self.segment is not None and self.segment not in SEGMENTS:
            raise ValueError(f"{self.name}: unknown segment {self.segment!r}")
        if self.kind is not None and self.kind not in KINDS:
            raise ValueError(f"{self.name}: kind must be one of {KINDS}, not {self.kind!r}")
        if self.load not in ("replace", "append"):
            raise ValueError(f"{self.name}: load must be 'replace' or 'append'")
        unknown = set(self.tables) - set(TABLES)
        if unknown:
            raise ValueError(f"{self.name}: unknown tables {sorted(unknown)}")


@dataclass(frozen=True)
class Payload:
    """One fetched (or replayed) response body with the facts of its fetch."""

    body: bytes
    url: str
    fetched_at: datetime
    name: str = "payload"  # file name inside the archive, e.g. "h100-sxm.json"
    headers: dict[str, str] = field(default_factory=dict, compare=False)

    def json(self, source: str):
        """The body parsed as JSON; a body that is not JSON is a ValueError naming source and file."""
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise ValueError(f"{source}: {self.name} is not JSON ({exc})") from None

    def csv(self, source: str, required: Iterable[str] = ()) -> list[dict[str, str]]:
        """The body read as a CSV with a header row, one dict a line.

        An empty body, HTML or JSON where CSV was expected (error pages often come with status 200),
        or a header without every `required` column is a ValueError naming source and file.
        """
        text = self.body.decode("utf-8-sig", errors="replace")
        start = text.lstrip()[:40]
        if not start:
            raise ValueError(f"{source}: {self.name} is empty")
        if start[0] in "<{[":
            kind = "HTML" if start[0] == "<" else "JSON"
            raise ValueError(f"{source}: {self.name} is not CSV, got {kind} (starts {start!r})")
        reader = _csv.DictReader(io.StringIO(text))
        header = reader.fieldnames or []
        missing = [c for c in required if c not in header]
        if missing:
            raise ValueError(f"{source}: {self.name} lacks columns {missing} (schema drift?); got {header[:10]}")
        return list(reader)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    @classmethod
    def from_file(cls, path: str | Path, url: str | None = None) -> Payload:
        """Read a captured or archived file; the fetch time is a date in its path, else its mtime."""
        path = Path(path)
        return cls(
            body=path.read_bytes(),
            url=url or path.resolve().as_uri(),
            fetched_at=date_in_path(path) or datetime.fromtimestamp(path.stat().st_mtime, UTC),
            name=path.name,
        )


_DATE_RE = re.compile(r"(20\d\d)-(\d\d)-(\d\d)(?:T(\d\d)(\d\d)(\d\d))?")


def date_in_path(path: Path) -> datetime | None:
    """The last YYYY-MM-DD[THHMMSS] found in a path (captures and archives are named by date)."""
    found = _DATE_RE.findall(str(path))
    if not found:
        return None
    y, m, d, hh, mm, ss = found[-1]
    return datetime(int(y), int(m), int(d), int(hh or 0), int(mm or 0), int(ss or 0), tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
