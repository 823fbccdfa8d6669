"""cloud-gpus.github.io: list prices of ~44 cloud GPU providers, now and (from its git history) since 2021.

Two payloads (SOURCES.md A3):
- `cloud_gpu.json` (`{"data": [{"name", "url", "costh100", "costa100_80", ..., "region",
  "pricing-source"}]}`): the current table. Values are strings like "$2.49", or "-" when the provider
  does not offer that GPU. They are **per GPU-hour**: the site's columns read "V100/h", "A100/h",
  and e.g. AWS `costa100_40` "$4.096" = p4d.24xlarge $32.77 / 8 GPUs. One row per provider x priced
  field, observed_at = fetch time, region = the provider's `region`, ref_url = its
  `pricing-source` (else `url`).
- `price_changes.csv` (`commit_date, commit, provider, gpu_field, raw_value, usd_per_hour_parsed`):
  every change of those prices, derived by walking the repository's git history (2021-05 .. 2025-09).
  One row per change, observed_at = commit_date, ref_url = the commit on GitHub. `raw_value` is
  parsed again here rather than trusting `usd_per_hour_parsed`, which reads "$.16" as 16.0 and
  "€1.375" as USD: euro prices are not converted (no FX source) and so land in meta.rejects with
  the reason in `note`, as do malformed strings ("$2.2.44"); "-" / "$-" / "$" mean "not offered"
  and make no row.

gpu_model = reference.canonical_gpu(field name), i.e. data/seed/gpu_models.csv carries aliases
like `costh100`; gpu_model_raw keeps the field. price_type "on_demand" (the site notes that some
prices are approximate, region- or time-dependent). Providers renamed over the years ("Amazon Web
Services (AWS)" -> "Amazon AWS") are folded into one key; segments come from providers.csv.

Live fetch gets only the current JSON (the repository is archived): the history cannot be rebuilt
keylessly by `fetch` (it needs one request per commit), so it comes from replay/backfill of the
captured CSV. For that reason this source loads "append", not "replace": a live run adds today's
snapshot without deleting the history that a replay loaded (rows of the same observed_at are
replaced, so re-loading is idempotent).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from etl import reference
from etl.provenance import License, Payload, Source

REPO = "cloud-gpus/cloud-gpus.github.io"
JSON_URL = f"https://raw.githubusercontent.com/{REPO}/master/cloud_gpu.json"
COMMIT_URL = f"https://github.com/{REPO}/commit/{{}}"

SOURCE = Source(
    name="cloud_gpus",
    title="Cloud GPU comparison table (cloud-gpus.com) and its price history",
    producer="ML Contests (cloud-gpus/cloud-gpus.github.io)",
    url_main="https://cloud-gpus.com/",
    url_download=(JSON_URL,),
    license=License("None stated (factual price table; no LICENSE file in the repository)",
                    f"https://github.com/{REPO}"),
    citation="ML Contests (2021-2025). Cloud GPU comparison, cloud_gpu.json and its git history "
    f"(github.com/{REPO}, archived).",
    cadence_hours=24 * 7,
    segment=None,  # per provider, from data/seed/providers.csv
    tables=("gpu_prices",),
    kind="aggregator",  # a comparison table of ~44 providers: their own APIs and catalogues win
    description="List prices per GPU-hour of ~44 cloud GPU providers (hyperscalers, neoclouds, "
    "marketplaces) for H100, H200, B200, A100, L40S, RTX 4090 and older GPUs, plus every change of "
    "those prices since 2021 from the repository's history (562 changes). Archived: no new prices "
    "after 2025-09-17.",
    load="append",
    captures=("cloud_gpus/cloud_gpu.json", "cloud_gpus/price_changes.csv"),
    history=((REPO, "cloud_gpu.json", "cloud_gpu.json"),),
    # the repository was archived; its last commit (the captured HEAD) is of 2025-09-17
    capture_dates=(("cloud_gpus/*", "2025-09-17"),),
    prices_persist=True,  # the history holds price changes: a list price stands until it changes
)

# Names a provider carried over the years -> the name it has in the current table (one key each).
PROVIDER_RENAMES = {
    "Amazon Web Services (AWS)": "Amazon AWS",
    "Google Cloud Platform (GCP)": "Google Cloud",
    "FluidStack (code CGPUCOMP50)": "FluidStack",
    "Cirrascale Cloud Services": "Cirrascale",
    "Salad": "SaladCloud",
}
# Current names -> the key this project uses for the same company in other sources.
PROVIDER_KEYS = {
    "Amazon AWS": "aws",
    "Google Cloud": "gcp",
    "Microsoft Azure": "azure",
    "Oracle Cloud": "oracle",
    "Lambda Cloud": "lambda",
    "Vast.ai": "vast",
    "DataCrunch.io": "datacrunch",
    "Crusoe Cloud": "crusoe",
    "Oblivus Cloud": "oblivus",
    "Latitude.sh": "latitude",
    "SaladCloud": "salad",
    "Jarvis Labs": "jarvislabs",
    "Ori Global Cloud": "ori",
}

_USD = re.compile(r"^\$?\s*(\d+(?:\.\d*)?|\.\d+)$")
_NONE = {"", "-", "$-", "$", "n/a", "na"}


def provider(name: str) -> str:
    name = PROVIDER_RENAMES.get(name.strip(), name.strip())
    return PROVIDER_KEYS.get(name) or reference.provider_key(name)


def parse_price(raw) -> tuple[float | None, str | None, bool]:
    """(USD per hour, problem, offered) of a table cell: '$2.49' -> (2.49, None, True); '-' -> not offered."""
    text = str(raw if raw is not None else "").strip()
    if text.lower() in _NONE:
        return None, None, False
    match = _USD.match(text.replace(",", ""))
    if match:
        return float(match.group(1)), None, True
    if text.startswith(("€", "EUR")):
        return None, f"price {text!r} is in EUR, not converted", True
    return None, f"unparseable price {text!r}", True


def fetch(client) -> list[Payload]:
    """The current table only (see the module docstring for why the history is replay-only)."""
    return [client.request(JSON_URL, name="cloud_gpu.json")]


def parse(payload: Payload) -> Iterator[dict]:
    if payload.name.lower().endswith(".csv"):
        yield from _history(payload)
    else:
        yield from _table(payload)


def _row(observed, name: str, field: str, raw, **extra) -> dict | None:
    price, problem, offered = parse_price(raw)
    if not offered:
        return None
    key = provider(name)
    note = extra.pop("note", None)
    return {
        "table": "gpu_prices",
        "observed_at": observed,
        "provider": key,
        "segment": reference.segment_for(key),
        "gpu_model": reference.canonical_gpu(field),
        "gpu_model_raw": field,
        "gpu_count": 1,
        "price_usd_per_gpu_hour": price,
        "price_type": "on_demand",
        "note": "; ".join(x for x in (f"{name}: {raw}", problem, note) if x),
        **extra,
    }


def _table(payload: Payload) -> Iterator[dict]:
    doc = payload.json("cloud_gpus")
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        raise ValueError(f'cloud_gpus: expected {{"data": [...]}} in {payload.name}')
    for entry in doc["data"]:
        name = entry.get("name")
        if not name:
            continue
        for field, raw in entry.items():
            if not field.startswith("cost"):
                continue
            row = _row(payload.fetched_at, name, field, raw, region=entry.get("region") or None,
                       ref_url=entry.get("pricing-source") or entry.get("url"))
            if row:
                yield row


HISTORY_COLUMNS = {"commit_date", "commit", "provider", "gpu_field", "raw_value"}


def _history(payload: Payload) -> Iterator[dict]:
    for r in payload.csv("cloud_gpus", sorted(HISTORY_COLUMNS)):
        row = _row(r["commit_date"], r["provider"], r["gpu_field"], r["raw_value"],
                   ref_url=COMMIT_URL.format(r["commit"]), ref_date=r["commit_date"],
                   note=f"commit {r['commit']}")
        if row:
            yield row
