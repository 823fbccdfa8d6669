"""Epoch AI notable AI models: training compute per model, and the log-linear growth fit."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

from etl.growth import fit_growth
from etl.provenance import License, Payload, Source
from etl.sources._parse import day, flag, positive

URL = "https://epoch.ai/data/notable_ai_models.csv"
INDICATOR = "training_compute_flop"
UNIT = "FLOP"
REQUIRED_COLUMNS = ("Model", "Organization", "Publication date", "Training compute (FLOP)")

SOURCE = Source(
    name="epoch_models",
    title="Epoch AI: Notable AI Models",
    producer="Epoch AI",
    url_main="https://epoch.ai/data/notable-ai-models",
    url_download=(URL,),
    license=License("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    citation="Epoch AI (2025). Data on Notable AI Models. Published online at epoch.ai. "
    "https://epoch.ai/data/notable-ai-models",
    cadence_hours=24 * 7,
    segment=None,
    tables=("indicators",),
    kind="aggregator",
    description=(
        "One row per notable model with a training-compute estimate: indicator "
        "`training_compute_flop` (unit FLOP, total training compute), entity = model name, period = "
        "publication date. `note` is compact JSON with organization, country (deduplicated), "
        "frontier (Epoch's 'Frontier model' flag: among the top 10 by compute when released), "
        "domain and Epoch's confidence in the estimate, so pages can filter. Models without a "
        "compute estimate or a date (about half the dataset) are skipped, not rejected. Estimates "
        "are Epoch's, often from hardware x time x utilisation; see its documentation. "
        "Growth of frontier training compute: 4-5x a year (Epoch); `fit_growth` reproduces it."
    ),
    load="replace",
    captures=("epoch/notable_ai_models.csv",),
    capture_dates=(("epoch/*", "2025-11-01"),),  # the captured Epoch snapshot
    rate_limit_per_minute=30,
)


def fetch(client) -> list[Payload]:
    return [client.request(URL, name="notable_ai_models.csv", expect=None)]


# --------------------------------------------------------------------------- parse

def _read(payload: Payload) -> list[dict]:
    return payload.csv("epoch_models", REQUIRED_COLUMNS)


def _unique_join(value: str | None) -> str | None:
    parts = [p.strip() for p in (value or "").split(",") if p.strip()]
    return ",".join(dict.fromkeys(parts)) or None


def model_rows(payload: Payload) -> tuple[list[dict], int]:
    """(rows, skipped): skipped counts models without a compute estimate or a publication date."""
    rows, skipped = [], 0
    for r in _read(payload):
        when, flop = day(r.get("Publication date")), positive(r.get("Training compute (FLOP)"), thousands=True)
        name = (r.get("Model") or "").strip()
        if when is None or flop is None or not name:
            skipped += 1
            continue
        meta = {
            "organization": (r.get("Organization") or "").strip() or None,
            "country": _unique_join(r.get("Country (of organization)")),
            "frontier": flag(r.get("Frontier model")),
            "domain": (r.get("Domain") or "").strip() or None,
            "confidence": (r.get("Confidence") or "").strip() or None,
        }
        link = (r.get("Link") or "").strip().split()
        rows.append({
            "table": "indicators",
            "period": when.isoformat(),
            "period_label": when.isoformat(),
            "indicator": INDICATOR,
            "entity": name,
            "value": flop,
            "unit": UNIT,
            "ref_url": link[0] if link else None,
            "ref_date": None,
            "confidence": None,
            "note": json.dumps({k: v for k, v in meta.items() if v is not None}, separators=(",", ":"),
                               ensure_ascii=False),
        })
    return rows, skipped


def parse(payload: Payload) -> Iterator[dict]:
    """indicators rows, one per model with both a training-compute estimate and a date."""
    rows, _ = model_rows(payload)
    yield from rows


# --------------------------------------------------------------------------- growth fit

def fit_rows(rows: Sequence[dict], since: str = "2010-01-01", frontier_only: bool = False) -> dict:
    """fit_growth on parsed rows (as `parse` yields them) published on or after `since`."""
    chosen = [r for r in rows if r["period"] >= since
              and (not frontier_only or json.loads(r["note"]).get("frontier"))]
    return fit_growth([r["period"] for r in chosen], [r["value"] for r in chosen])
