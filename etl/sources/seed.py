"""Curated, cited public figures in data/seed/: the embedded default that works offline."""

from __future__ import annotations

from collections.abc import Iterator

from etl import config, reference
from etl.provenance import License, Payload, Source, utcnow
from etl.sources._parse import number_or_raw

SOURCE = Source(
    name="seed",
    title="ComputeWatch curated figures",
    producer="ComputeWatch maintainers, from the public sources cited on every row",
    url_main="data/seed/README.md",
    url_download=("data/seed/market_shares.csv", "data/seed/indicators.csv", "data/seed/gpu_prices.csv"),
    license=License("Each row cites its own source; compilation CC BY 4.0",
                    "https://creativecommons.org/licenses/by/4.0/"),
    citation="ComputeWatch (2026). Curated figures on AI compute demand, prices and market shares. "
    "Every row names its source URL, date and a confidence grade.",
    cadence_hours=24 * 90,
    segment=None,
    tables=("gpu_prices", "market_shares", "indicators"),
    kind="aggregator",
    description="Figures no API gives: analyst market shares, NVIDIA data-centre revenue, hyperscaler "
    "capex, ChatGPT users, GPU rental price points, DePIN supply. Confidence: primary / secondary / "
    "tertiary / uncertain, as graded in the research notes.",
    load="replace",
)

FILES = ("market_shares.csv", "indicators.csv", "gpu_prices.csv")


def fetch(client) -> list[Payload]:
    """Read the seed CSVs from the checkout (no network)."""
    seed_dir = config.get().seed_dir
    now = utcnow()
    return [
        Payload(body=(seed_dir / f).read_bytes(), url=f"data/seed/{f}", fetched_at=now, name=f)
        for f in FILES
    ]


def _ref(row: dict) -> dict:
    return {
        "ref_url": row["source_url"].strip(),
        "ref_date": row["source_date"].strip(),
        "confidence": row["confidence"].strip(),
        "note": (row.get("note") or "").strip() or None,
        "source": "seed",
    }


def parse(payload: Payload) -> Iterator[dict]:
    """One row per CSV line, routed to its table by the file name."""
    kind = payload.name.removesuffix(".csv")
    for row in payload.csv("seed"):
        if kind == "market_shares":
            yield {
                "table": "market_shares",
                "period": row["period_start"],
                "period_label": row["period_label"],
                "market": row["market"],
                "entity": row["entity"],
                "share_pct": number_or_raw(row["share_pct"]),
                "share_low_pct": number_or_raw(row.get("share_low_pct")),
                "share_high_pct": number_or_raw(row.get("share_high_pct")),
                "basis": row["basis"],
                **_ref(row),
            }
        elif kind == "indicators":
            yield {
                "table": "indicators",
                "period": row["period_start"],
                "period_label": row["period_label"],
                "indicator": row["indicator"],
                "entity": row["entity"],
                "value": number_or_raw(row["value"]),
                "value_low": number_or_raw(row.get("value_low")),
                "value_high": number_or_raw(row.get("value_high")),
                "unit": row["unit"],
                **_ref(row),
            }
        elif kind == "gpu_prices":
            provider = reference.provider_key(row["provider"])
            model = reference.canonical_gpu(row["gpu_model"])
            if provider in ("market", "market_index"):
                # Market-wide indices have no single provider or segment: they are indicators.
                yield {
                    "table": "indicators",
                    "period": row["observed_on"],
                    "period_label": row["observed_on"][:7],
                    "indicator": "gpu_rental_price_index",
                    "entity": model,
                    "value": number_or_raw(row["price_usd_per_gpu_hour"]),
                    "value_low": number_or_raw(row.get("price_low")),
                    "value_high": number_or_raw(row.get("price_high")),
                    "unit": "USD per GPU-hour",
                    **_ref(row),
                }
                continue
            yield {
                "table": "gpu_prices",
                "observed_at": row["observed_on"],
                "provider": provider,
                "segment": reference.segment_for(provider),
                "gpu_model": model,
                "gpu_model_raw": row["gpu_model"],
                "gpu_count": 1,
                "price_usd_per_gpu_hour": number_or_raw(row["price_usd_per_gpu_hour"]),
                "price_type": row["price_type"],
                "region": (row.get("region") or "").strip() or None,
                # day | month | quarter | year: coarser than a month keeps a row out of every median
                "date_precision": (row.get("date_precision") or "").strip() or None,
                **_ref(row),
            }
        else:
            raise ValueError(f"seed: no parser for {payload.name}")
