"""Nosana GPU markets: DePIN price per GPU-hour for each market (one GPU model in one tier).

Endpoint (SOURCES.md B12): `GET https://dashboard.k8s.prd.nos.ci/api/markets` -> a list of
`{address, slug, name, type ("PREMIUM" | "COMMUNITY" | "OTHER"), gpu_types[], usd_reward_per_hour,
network_fee_percentage, lowest_vram, ...}`; no key for reads.

Price: the hourly price a renter pays = `usd_reward_per_hour * (1 + network_fee_percentage / 100)`,
as the public Nosana dashboard component computes it (SOURCES.md); the host's reward is kept in
`note`. Nosana's own pricing page lists the reward figure (e.g. 4090 PREMIUM 0.2909 = $0.32 / 1.1).
Multi-GPU markets ("8x H100") price the whole node: the price is divided by the GPU count read from
the market name or slug. COMMUNITY markets are price_type "community", the others "on_demand".
Markets without a USD price are skipped (nothing to load).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from etl import reference
from etl.provenance import License, Payload, Source
from etl.sources._parse import number

URL = "https://dashboard.k8s.prd.nos.ci/api/markets"

SOURCE = Source(
    name="nosana",
    title="Nosana GPU market prices",
    producer="Nosana",
    url_main="https://dashboard.nosana.com/",
    url_download=(URL,),
    license=License("Nosana public markets API; no licence stated", "https://nosana.com/"),
    citation="Nosana (2026). GPU markets (dashboard.k8s.prd.nos.ci/api/markets), retrieved by ComputeWatch.",
    cadence_hours=6,
    segment="depin",
    tables=("gpu_prices",),
    kind="provider_api",
    description="USD per GPU-hour of every Nosana market (GPU model x tier), network fee included.",
    load="append",
    captures=(),  # no capture of this endpoint exists yet
)

PROVIDER = "nosana"
_COUNT = re.compile(r"(?:^|[\s\-_])(\d{1,2})\s*x(?=[\s\-_]|[a-z])", re.I)


def fetch(client) -> list[Payload]:
    return [client.request(URL, name="markets.json")]


def gpu_count(market: dict) -> int:
    """GPUs per node of a market: '8x H100' / 'nvidia-8x-a5000' -> 8, else 1."""
    for text in (market.get("name"), market.get("slug")):
        match = _COUNT.search(str(text or ""))
        if match and int(match.group(1)) > 0:
            return int(match.group(1))
    return 1


def _raw_model(market: dict) -> str | None:
    types = [t for t in (market.get("gpu_types") or []) if t]
    if len(types) == 1:
        return str(types[0])
    name = str(market.get("name") or market.get("slug") or "").strip()
    name = re.sub(r"\b(community|premium)\b", "", name, flags=re.I)
    name = _COUNT.sub(" ", name)
    return re.sub(r"\s+", " ", name).strip() or None


def parse(payload: Payload) -> Iterator[dict]:
    doc = payload.json("nosana")
    if isinstance(doc, dict) and isinstance(doc.get("data"), list):
        doc = doc["data"]
    if not isinstance(doc, list):
        raise ValueError(f"nosana: expected a list of markets in {payload.name}")
    for market in doc:
        if not isinstance(market, dict):
            continue
        reward = number(market.get("usd_reward_per_hour"))
        if reward is None:
            continue
        fee = number(market.get("network_fee_percentage")) or 0.0
        n = gpu_count(market)
        raw = _raw_model(market)
        tier = str(market.get("type") or "").upper()
        yield {
            "table": "gpu_prices",
            "observed_at": payload.fetched_at,
            "provider": PROVIDER,
            "segment": "depin",
            "gpu_model": reference.canonical_gpu(raw),
            "gpu_model_raw": raw,
            "gpu_count": n,
            "price_usd_per_gpu_hour": reward * (1 + fee / 100) / n,
            "price_type": "community" if tier == "COMMUNITY" else "on_demand",
            "offer_id": market.get("address") or market.get("slug"),
            "note": f"market {market.get('slug') or market.get('name')} ({tier or 'no tier'}); host reward "
                    f"{reward:g} USD/h + {fee:g}% network fee, per {n} GPU(s)",
        }
