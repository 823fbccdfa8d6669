"""Epoch AI GPU clusters: shares of AI-supercomputer capacity (H100-equivalents) by owner and by country."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from etl.provenance import License, Payload, Source
from etl.sources._parse import day, flag, positive

URL = "https://epoch.ai/data/gpu_clusters.csv"
MARKET_OWNER = "ai_compute_by_owner_epoch"
MARKET_COUNTRY = "ai_compute_by_country_epoch"
BASIS = "capacity (H100-equivalents)"
UNIT = "H100e"
FIRST_YEAR = 2019  # Epoch's supercomputer trends start in 2019; earlier years hold a handful of systems
REQUIRED_COLUMNS = ("Name", "Status", "Certainty", "H100 equivalents", "Country", "Owner",
                    "First Operational Date")
KEEP_STATUS = ("Existing",)
KEEP_CERTAINTY = ("Confirmed", "Likely")
UNDISCLOSED = "Undisclosed owner"
UNKNOWN_COUNTRY = "Unknown"
COVERAGE = (
    "Epoch's GPU Clusters dataset covers an estimated 10-20% of global AI compute; existing "
    "clusters only (Status Existing, Certainty Confirmed or Likely, not a possible duplicate, a "
    "single cluster: Epoch's 'Include in Standard Analysis' set); a cluster counts from its first "
    "operational date until a later phase that supersedes it is operational"
)

SOURCE = Source(
    name="epoch_clusters",
    title="Epoch AI: GPU Clusters (AI supercomputers)",
    producer="Epoch AI",
    url_main="https://epoch.ai/data/gpu-clusters",
    url_download=(URL,),
    license=License("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    citation="Epoch AI (2025). Data on GPU Clusters. Published online at epoch.ai. "
    "https://epoch.ai/data/gpu-clusters",
    cadence_hours=24 * 7,
    segment=None,
    tables=("market_shares",),
    kind="aggregator",
    description=(
        "Shares of AI-supercomputer capacity in H100-equivalents (value = sum of `H100 equivalents`, "
        "unit H100e; share_pct = value / total x 100) by owner (market ai_compute_by_owner_epoch) "
        "and by country (ai_compute_by_country_epoch). Periods: each year-end from 2019 (the "
        "clusters operational by 31 Dec, period = that date, label 'end-YYYY') up to the year "
        "before the latest first-operational date, plus a final snapshot dated at the latest "
        "first-operational date in the file (label 'snapshot YYYY-MM-DD'), which also counts "
        "existing clusters without a date. Included: Status Existing, Certainty Confirmed or "
        "Likely, 'Possible Duplicate' not true, 'Single cluster?' = Yes (this reproduces Epoch's "
        "'Include in Standard Analysis' flag exactly; when the flag column is present it is "
        "applied too). Excluded: Planned and Decommissioned clusters, Unlikely ones, possible "
        "duplicates, multi-site entries, rows without H100 equivalents (mostly anonymised Chinese "
        "systems), and a cluster in the periods after a later phase that supersedes it ('Superseded "
        "by' / 'Builds Upon') is operational, so upgrades are not counted twice. Joint owners "
        "('Microsoft,OpenAI') share a cluster equally; anonymised Chinese systems have no owner and "
        "are grouped as 'Undisclosed owner (China)', which overstates that entity's concentration. "
        "The dataset covers about 10-20% of global AI compute (Epoch), so these are shares of the "
        "known large clusters, not of all compute; Epoch AI Chip Owners is the fuller measure."
    ),
    load="replace",
    captures=("epoch/gpu_clusters.csv",),
    capture_dates=(("epoch/*", "2025-11-01"),),  # the captured Epoch snapshot
    rate_limit_per_minute=30,
)


def fetch(client) -> list[Payload]:
    return [client.request(URL, name="gpu_clusters.csv", expect=None)]


# --------------------------------------------------------------------------- parse

@dataclass
class Cluster:
    name: str
    h100e: float
    owners: tuple[str, ...]
    country: str
    operational: date | None
    superseded_by: tuple[str, ...]
    builds_upon: tuple[str, ...]


def _names(value: str | None, known: set[str]) -> tuple[str, ...]:
    """A linked cluster name, or several separated by commas (names can contain commas)."""
    value = (value or "").strip()
    if not value:
        return ()
    if value in known:
        return (value,)
    return tuple(p.strip() for p in value.split(",") if p.strip())


def _owner_names(owner: str | None, country: str) -> tuple[str, ...]:
    owners = tuple(dict.fromkeys(p.strip() for p in (owner or "").split(",") if p.strip()))
    if owners:
        return owners
    return (f"{UNDISCLOSED} ({country})" if country != UNKNOWN_COUNTRY else UNDISCLOSED,)


def included(row: dict) -> tuple[bool, str]:
    """Whether a row is in the analysed set, and if not, why (for counting and tests)."""
    status, certainty = (row.get("Status") or "").strip(), (row.get("Certainty") or "").strip()
    if status not in KEEP_STATUS:
        return False, f"status {status or 'blank'}"
    if certainty not in KEEP_CERTAINTY:
        return False, f"certainty {certainty or 'blank'}"
    if flag(row.get("Possible Duplicate")):
        return False, "possible duplicate"
    single = row.get("Single cluster?")
    if single is not None and single.strip() != "Yes":
        return False, f"single cluster? {single.strip() or 'blank'}"
    standard = row.get("Include in Standard Analysis")
    if standard is not None and not flag(standard):
        return False, "not in Epoch's standard analysis"
    if positive(row.get("H100 equivalents"), thousands=True) is None:
        return False, "no H100 equivalents"
    return True, "included"


def clusters(payload: Payload) -> tuple[list[Cluster], dict[str, int]]:
    """Included clusters, and counts of excluded rows by reason."""
    rows = payload.csv("epoch_clusters", REQUIRED_COLUMNS)
    known = {(r.get("Name") or "").strip() for r in rows}
    kept: list[Cluster] = []
    excluded: dict[str, int] = defaultdict(int)
    for r in rows:
        ok, why = included(r)
        if not ok:
            excluded[why] += 1
            continue
        country = (r.get("Country") or "").strip() or UNKNOWN_COUNTRY
        kept.append(Cluster(
            name=(r.get("Name") or "").strip(),
            h100e=positive(r.get("H100 equivalents"), thousands=True),
            owners=_owner_names(r.get("Owner"), country),
            country=country,
            operational=day(r.get("First Operational Date")),
            superseded_by=_names(r.get("Superseded by"), known),
            builds_upon=_names(r.get("Builds Upon"), known),
        ))
    return kept, dict(excluded)


def operational_at(kept: list[Cluster], when: date, *, undated: bool = False) -> list[Cluster]:
    """Clusters operational on `when`, minus those superseded by a later phase operational by then."""
    live = [c for c in kept if (c.operational is not None and c.operational <= when)
            or (undated and c.operational is None)]
    live_names = {c.name for c in live}
    replaced = {n for c in live for n in c.builds_upon}
    return [c for c in live
            if c.name not in replaced and not any(s in live_names for s in c.superseded_by)]


def periods(kept: list[Cluster]) -> list[tuple[date, str, bool]]:
    """(period date, label, count undated clusters) for each year-end and the final snapshot."""
    dated = [c.operational for c in kept if c.operational]
    if not dated:
        raise ValueError("epoch_clusters: no included cluster has a First Operational Date")
    latest = max(dated)
    out = [(date(y, 12, 31), f"end-{y}", False) for y in range(FIRST_YEAR, latest.year)]
    out.append((latest, f"snapshot {latest.isoformat()}", True))
    return out


def _share_rows(market: str, totals: dict[str, float], when: date, label: str) -> Iterator[dict]:
    grand = sum(totals.values())
    for entity, value in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])):
        yield {
            "table": "market_shares",
            "period": when.isoformat(),
            "period_label": label,
            "market": market,
            "entity": entity,
            "share_pct": value / grand * 100,
            "basis": BASIS,
            "value": value,
            "unit": UNIT,
            "coverage": COVERAGE,
            "ref_url": "https://epoch.ai/data/gpu-clusters",
            "confidence": "primary",
        }


def parse(payload: Payload) -> Iterator[dict]:
    """market_shares rows by owner and by country for each year-end and the latest snapshot."""
    kept, _ = clusters(payload)
    for when, label, undated in periods(kept):
        live = operational_at(kept, when, undated=undated)
        if not live:
            continue
        by_owner: dict[str, float] = defaultdict(float)
        by_country: dict[str, float] = defaultdict(float)
        for c in live:
            for owner in c.owners:
                by_owner[owner] += c.h100e / len(c.owners)
            by_country[c.country] += c.h100e
        yield from _share_rows(MARKET_OWNER, by_owner, when, label)
        yield from _share_rows(MARKET_COUNTRY, by_country, when, label)
