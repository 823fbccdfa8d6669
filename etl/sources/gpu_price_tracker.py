"""tugot17/gpu-price-tracker summaries: multi-provider (mostly neocloud) GPU prices about every 4 hours.

Files (SOURCES.md A3): `data/summary/<GPU>.jsonl` on the repository's main branch, one JSON object
a line: `timestamp, gpu_type, socket_type, price_stats{...}, availability{...},
by_provider{<provider>: {count, min, avg}}, by_config{...}`, collected through the Prime Intellect
availability aggregator. Prices are USD per GPU-hour (by_provider `min` equals the per-GPU minimum
of `by_config`, never the multi-GPU total). MIT licence.

Rows: one `gpu_prices` row per line x provider. The provider's price is its **`avg`** over its
`count` listings of that GPU at that time (its typical price; `min` would be its cheapest slice,
often a spot or multi-GPU bargain) and `min` and `count` go to `note`. The aggregator mixes spot and
on-demand listings in a provider's figures; only the best deal of each GPU-count configuration
(`by_config[...].best_deal`) says `spot: true|false`. A provider with a spot best deal gets that deal
as a `spot` row (per-GPU price, gpu_count from the configuration) and no on-demand row, since its
average mixes the two; other providers' averages are "on_demand" with the caveat in `note`, and
their gpu_count is unknown (NULL). observed_at = the line's `timestamp`. Provider keys go through
reference.provider_key after a few renames so that one company has one key across sources
(`lambdalabs` -> `lambda`, ...); the segment comes from data/seed/providers.csv, and a provider not
listed there gets segment None, which validation rejects with its reason.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from etl import reference
from etl.provenance import License, Payload, Source
from etl.sources._parse import whole_count

REPO = "tugot17/gpu-price-tracker"
RAW = f"https://raw.githubusercontent.com/{REPO}/main/data/summary/{{}}.jsonl"
FILES = ("H100_80GB_SXM5", "H100_80GB_PCIe", "H200_141GB", "A100_80GB_SXM4", "A100_80GB_PCIe",
         "B200_180GB", "GH200_96GB")

# The tracker's provider keys -> the key this project uses for the same company.
PROVIDER_RENAMES = {
    "lambdalabs": "lambda",
    "crusoecloud": "crusoe",
    "massedcompute": "massed_compute",
}

SOURCE = Source(
    name="gpu_price_tracker",
    title="GPU price tracker (Prime Intellect aggregator), per provider",
    producer="Piotr Mazurek (tugot17/gpu-price-tracker), from the Prime Intellect availability API",
    url_main=f"https://github.com/{REPO}",
    url_download=tuple(RAW.format(f) for f in FILES),
    license=License("MIT", f"https://github.com/{REPO}/blob/main/LICENSE"),
    citation="Mazurek, P. (2025). gpu-price-tracker: GPU rental prices by provider, about every 4 hours "
    f"(github.com/{REPO}, data/summary). MIT licence.",
    cadence_hours=24,
    segment=None,  # per provider, from data/seed/providers.csv
    tables=("gpu_prices",),
    kind="aggregator",
    description="Historical backfill of neocloud prices (RunPod, Lambda, Hyperstack, Nebius, DataCrunch, "
    "Vultr, ...) for H100, H200, A100, B200 and GH200: each provider's average USD per GPU-hour over "
    "its listings, about every 4 hours from 2025-10-19.",
    load="append",
    captures=("prime_intellect/*.jsonl",),
    history=tuple((REPO, f"data/summary/{f}.jsonl", f"{f}.jsonl") for f in FILES),
    capture_dates=(("prime_intellect/*", "2025-11-16"),),  # the summaries' last snapshot
)


def fetch(client) -> list[Payload]:
    return [client.request(RAW.format(f), name=f"{f}.jsonl", expect=None) for f in FILES]


def provider(name: str) -> str:
    key = reference.provider_key(name)
    return PROVIDER_RENAMES.get(key, key)


def _row(base: dict, keys: dict, name: str, price, price_type: str, note: str, **extra) -> dict:
    """A price row of provider `name` on one summary line; provider keys and segments memoised in `keys`."""
    if name not in keys:
        keys[name] = (provider(name), reference.segment_for(provider(name)))
    key, segment = keys[name]
    return {**base, "provider": key, "segment": segment, "price_usd_per_gpu_hour": price,
            "price_type": price_type, "note": note, **extra}


def _spot_deals(doc: dict) -> dict[str, list[tuple[str, float]]]:
    """provider -> [(config, per-GPU price)] of the by_config best deals flagged `spot: true`."""
    deals: dict[str, list[tuple[str, float]]] = {}
    for config, stats in (doc.get("by_config") or {}).items():
        best = stats.get("best_deal") if isinstance(stats, dict) else None
        if isinstance(best, dict) and best.get("spot") is True and best.get("provider"):
            deals.setdefault(best["provider"], []).append((config, stats.get("min_per_gpu")))
    return deals


def parse(payload: Payload) -> Iterator[dict]:
    text = payload.body.decode("utf-8")
    if text.lstrip()[:1] not in ("{", ""):
        raise ValueError(f"gpu_price_tracker: {payload.name} is not JSON Lines: {text[:60]!r}")
    gpus: dict[str, tuple[str, str]] = {}
    keys: dict[str, tuple[str, str | None]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except ValueError as exc:
            raise ValueError(f"gpu_price_tracker: {payload.name} line {number} is not JSON ({exc})") from None
        by_provider = doc.get("by_provider") if isinstance(doc, dict) else None
        if not isinstance(by_provider, dict) or "timestamp" not in doc or "gpu_type" not in doc:
            raise ValueError(f"gpu_price_tracker: {payload.name} line {number} lacks timestamp / gpu_type / "
                             "by_provider")
        gpu = f"{doc['gpu_type']}_{doc['socket_type']}" if doc.get("socket_type") else str(doc["gpu_type"])
        if gpu not in gpus:
            gpus[gpu] = (reference.canonical_gpu(gpu), gpu)
        model, raw = gpus[gpu]
        # by_config's best deals say when a listing is spot; a provider with a spot listing has an
        # average that mixes spot and on-demand, so it is not loaded as on-demand. Its spot deals are.
        spot = _spot_deals(doc)

        base = {"table": "gpu_prices", "observed_at": doc["timestamp"], "gpu_model": model, "gpu_model_raw": raw}
        for name, deals in spot.items():
            count = (by_provider.get(name) or {}).get("count") if isinstance(by_provider.get(name), dict) else None
            for config, price in deals:
                yield _row(base, keys, name, price, "spot",
                           f"best deal of the {config} listings, a spot offer of '{name}'; its average over "
                           f"{count} listing(s) mixes spot and on-demand and is not loaded",
                           gpu_count=whole_count(config.rstrip("x")), offer_id=config)
        for name, stats in by_provider.items():
            if name in spot:
                continue
            stats = stats if isinstance(stats, dict) else {}
            yield _row(base, keys, name, stats.get("avg"), "on_demand",
                       f"avg of {stats.get('count')} listing(s) of '{name}', min {stats.get('min')}; "
                       "aggregator mixes spot and on-demand")
