"""GPU list prices per GPU-hour, on-demand and spot by region, for every cloud in SkyPilot's catalogue format.

SkyPilot (skypilot-org/skypilot-catalog) regenerates one `catalogs/v8/<cloud>/vms.csv` per cloud from
the clouds' own price APIs and commits it to git. Every cloud has the same columns in its own order
(InstanceType, AcceleratorName, AcceleratorCount, Price, SpotPrice, Region, ...); `Price` is per
instance-hour, so the per-GPU price is Price / AcceleratorCount. The cloud is not in the file: it
comes from the payload's name or path (`gcp_vms.csv`, `.../v8/gcp/vms.csv`, a capture
`skypilot/gcp/<date>_<commit>.csv`), so `python -m etl parse skypilot_catalog FILE` works on any.

GCP is the odd one: its accelerator rows carry the GPU charge alone (no InstanceType), and A2, A3 and
G2 GPUs are only sold inside accelerator-optimised machine types whose vCPU/RAM Google bills apart.
For those the host machine type's price in the same zone (a row with InstanceType and no
accelerator) is added, so a GCP per-GPU price includes its share of the VM as AWS and Azure prices
do; GPUs attachable to any N1 VM (T4, V100, P100, P4, K80) and bundled-billing A4 (B200) are the GPU
charge alone (the note says so). A file without the host rows (a GPU-only extract) cannot price
A2/A3/G2 GPUs: those rows are skipped and counted, never loaded as GPU charge only.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from urllib.parse import urlparse

from etl import reference
from etl.http import FetchError
from etl.provenance import License, Payload, Source
from etl.sources._parse import aws_currency, number, whole_count

REPO = "skypilot-org/skypilot-catalog"
BASE = f"https://raw.githubusercontent.com/{REPO}/master/catalogs/{{version}}/{{cloud}}/vms.csv"
VERSIONS = ("v8", "v7")  # v8 first; a cloud not yet in v8 is read from v7
# SkyPilot cloud name -> provider key in data/seed/providers.csv.
CLOUDS: dict[str, str] = {
    "aws": "aws", "azure": "azure", "gcp": "gcp", "oci": "oracle", "lambda": "lambda", "runpod": "runpod",
    "vast": "vast", "nebius": "nebius", "fluidstack": "fluidstack", "paperspace": "paperspace",
    "cudo": "cudo_compute", "do": "digitalocean", "ibm": "ibm", "hyperbolic": "hyperbolic",
}
REQUIRED_COLUMNS = ("InstanceType", "AcceleratorName", "AcceleratorCount", "Price", "Region")

# SkyPilot accelerator name -> GPU model as spelled for canonical_gpu, where the alias table alone
# would guess wrong: SkyPilot's "A100" is the 40 GB part on every cloud ("A100-80GB" is the other).
ACCELERATORS: dict[str, str] = {
    "A100": "A100 40GB",
    "A100-80GB": "A100 80GB",
    "H100-MEGA": "H100 SXM",  # GCP A3 Mega: the same H100 80GB SXM with more network bandwidth
    "V100-32GB": "V100 32GB",
    "RTX6000-Ada": "RTX 6000 Ada",
    "RTXPRO6000WS": "RTX PRO 6000",
    "RTXA6000": "A6000",
    "RTXA5000": "A5000",
    "RTXA4000": "A4000",
}
# Azure's NC H100 v5 and NCC H100 v5 carry the H100 NVL (94 GB, PCIe); ND H100 v5 the SXM part
# (https://learn.microsoft.com/azure/virtual-machines/sizes/gpu-accelerated/nc-h100-v5-series).
_AZURE_NVL = re.compile(r"^Standard_NCC?\d+\w*_H100_v5$")

# GCP (accelerator, count) -> the machine type that must carry it (cloud.google.com/compute/docs/gpus
# and .../accelerator-optimized-machines). For L4, whose G2 host comes in several sizes, the smallest.
GCP_HOSTS: dict[tuple[str, int], str] = {
    **{("A100", n): f"a2-highgpu-{n}g" for n in (1, 2, 4, 8)},
    ("A100", 16): "a2-megagpu-16g",
    **{("A100-80GB", n): f"a2-ultragpu-{n}g" for n in (1, 2, 4, 8)},
    **{("H100", n): f"a3-highgpu-{n}g" for n in (1, 2, 4, 8)},
    ("H100-MEGA", 8): "a3-megagpu-8g",
    ("H200", 8): "a3-ultragpu-8g",
    ("L4", 1): "g2-standard-4",
    ("L4", 2): "g2-standard-24",
    ("L4", 4): "g2-standard-48",
    ("L4", 8): "g2-standard-96",
}

SOURCE = Source(
    name="skypilot_catalog",
    title="Cloud GPU list prices in SkyPilot's catalogue (AWS, Azure, GCP, Lambda, RunPod, Vast, ...)",
    producer="The clouds (prices, from their price APIs); SkyPilot project, skypilot-org/skypilot-catalog "
    "(compilation)",
    url_main="https://github.com/skypilot-org/skypilot-catalog",
    url_download=tuple(BASE.format(version="v8", cloud=c) for c in CLOUDS),
    license=License(
        "No licence stated in the catalogue repository (SkyPilot code is Apache-2.0); prices are the "
        "clouds' public list prices under each cloud's terms",
        "https://github.com/skypilot-org/skypilot-catalog",
    ),
    citation="SkyPilot (2026). skypilot-catalog, catalogs/v8/<cloud>/vms.csv (prices from each cloud's "
    "pricing API). https://github.com/skypilot-org/skypilot-catalog",
    cadence_hours=24,
    segment=None,  # per provider, from data/seed/providers.csv
    tables=("gpu_prices",),
    kind="catalogue",
    description=(
        "Per-GPU-hour list prices, on-demand (Price / AcceleratorCount) and spot (SpotPrice / "
        "AcceleratorCount), per region, for every cloud SkyPilot's catalogue covers; one row per "
        "instance type, region and price type at the cheapest zone of the region. GCP A2/A3/G2 GPU "
        "prices include the host machine type (GPU charge + host charge, divided by the GPU count); "
        "GCP N1-attachable GPUs and A4 are the GPU charge alone. TPUs, rows without an accelerator, "
        "fractional GPUs and zero or blank prices are skipped and counted. A spot price of 0 means "
        "none. SkyPilot's 'H100' is told apart as SXM, PCIe or NVL by the instance type. Prices are "
        "USD; an AWS China region (priced in CNY) is rejected. History: each dated version of the "
        "catalogue loads as a snapshot of its day (`python -m etl backfill skypilot_catalog`)."
    ),
    load="append",
    captures=("skypilot/*/*.csv",),
    history=tuple((REPO, f"catalogs/v8/{c}/vms.csv", f"{c}_vms.csv") for c in CLOUDS),
)


def fetch(client) -> list[Payload]:
    """One vms.csv per cloud, v8 else v7; a cloud in neither version is skipped, not fatal."""
    payloads = []
    for cloud in CLOUDS:
        for version in VERSIONS:
            try:
                payloads.append(client.request(BASE.format(version=version, cloud=cloud),
                                               name=f"{cloud}_vms.csv", expect=None))
                break
            except FetchError as exc:
                if "HTTP 404" not in str(exc):
                    raise
    if not payloads:
        raise FetchError("skypilot_catalog: no cloud's vms.csv was found in v8 or v7")
    return payloads


def cloud_of(payload: Payload) -> str:
    """The SkyPilot cloud a catalogue file is for, from its name or the folders of its path."""
    candidates = [payload.name.split("_")[0].split("-")[0]]
    candidates += reversed(urlparse(payload.url).path.split("/")[:-1])
    candidates += reversed(payload.url.split(":", 1)[-1].split("/")[:-1])  # replay:skypilot/gcp/x.csv
    for part in candidates:
        if part.lower() in CLOUDS:
            return part.lower()
    raise ValueError(f"skypilot_catalog: cannot tell the cloud of {payload.name} ({payload.url}); name it "
                     f"<cloud>_vms.csv or put it in a <cloud>/ folder, clouds: {', '.join(CLOUDS)}")


def _memory_mib(gpu_info: str) -> float | None:
    found = re.search(r"'SizeInMiB':\s*([\d.]+)", gpu_info or "")
    return float(found.group(1)) if found else None


def gpu_model(cloud: str, name: str, instance_type: str, count: int, gpu_info: str = "") -> str:
    """The GPU model as spelled for canonical_gpu, from SkyPilot's accelerator name and the instance type."""
    itype = instance_type.lower()
    if name in ("H100", "H200"):
        if "pcie" in itype:
            return f"{name} PCIe"
        if "nvl" in itype or (cloud == "azure" and _AZURE_NVL.match(instance_type)):
            return f"{name} NVL"
        return "H100 SXM" if name == "H100" else "H200"
    if name == "A100":
        memory = _memory_mib(gpu_info)
        if memory and cloud == "vast":  # Vast's catalogue gives the memory of all the offer's GPUs
            memory /= count
        return "A100 80GB" if memory and memory >= 70_000 else "A100 40GB"
    return ACCELERATORS.get(name, name)


def _row(rec: dict) -> dict:
    """One CSV record; Azure's unquoted last field ('V1,V2') spills into DictReader's None key."""
    spill = rec.pop(None, None)
    if spill:
        last = next(reversed(rec))
        rec[last] = ",".join([rec[last] or "", *spill])
    return {k: (v or "").strip() for k, v in rec.items()}


def read(payload: Payload) -> tuple[list[dict], Counter]:
    """(gpu_prices rows, skipped rows counted by reason) of one catalogue file."""
    cloud = cloud_of(payload)
    provider = CLOUDS[cloud]
    records = [_row(r) for r in payload.csv("skypilot_catalog", REQUIRED_COLUMNS)]
    skipped: Counter = Counter()
    hosts: dict[tuple[str, str], tuple[float | None, float | None]] = {}
    if cloud == "gcp":
        for r in records:
            if r["InstanceType"] and not r["AcceleratorName"]:
                hosts[(r["InstanceType"], r.get("AvailabilityZone", ""))] = (number(r["Price"]),
                                                                             number(r.get("SpotPrice")))

    # (offer, region, price type) -> (per-GPU price, row fields, note); the cheapest zone wins
    best: dict[tuple[str, str, str], tuple[float, dict, str]] = {}
    for r in records:
        name = r["AcceleratorName"]
        if not name:
            skipped["no accelerator (host VM or CPU instance)"] += 1
            continue
        if name.lower().startswith("tpu"):
            skipped["TPU, not a GPU"] += 1
            continue
        count = whole_count(r["AcceleratorCount"])
        if count is None:
            skipped["fractional or zero accelerator count"] += 1
            continue
        host = GCP_HOSTS.get((name, count)) if cloud == "gcp" and not r["InstanceType"] else None
        host_prices = hosts.get((host, r.get("AvailabilityZone", ""))) if host else None
        if host and host_prices is None:
            skipped["GCP host VM price not in this file"] += 1
            continue
        offer = r["InstanceType"] or host or f"{name}x{count}"
        for i, price_type in enumerate(("on_demand", "spot")):
            price = number(r["Price"] if i == 0 else r.get("SpotPrice"))
            if price is None or price <= 0:
                if i == 0 or r.get("SpotPrice"):
                    skipped[f"no {price_type} price"] += 1
                continue
            note = f"{count}x {name} {price!r} USD/h"
            if host_prices is not None:
                host_price = host_prices[i]
                if host_price is None:
                    skipped[f"GCP host VM has no {price_type} price"] += 1
                    continue
                note = f"{count}x {name} {price!r} + {host} {host_price!r} USD/h"
                price += host_price
            elif cloud == "gcp" and not r["InstanceType"]:
                note += ", GPU charge only (host VM billed separately)"
            key = (offer, r["Region"], price_type)
            per_gpu = price / count
            if key not in best or per_gpu < best[key][0]:
                best[key] = (per_gpu, {**r, "_count": count}, note)

    rows = []
    for (offer, region, price_type), (per_gpu, r, note) in best.items():
        count = r["_count"]
        raw = r["AcceleratorName"]
        zone = r.get("AvailabilityZone")
        price: float | str = per_gpu
        if provider == "aws" and aws_currency(region) != "USD":
            price = f"{per_gpu:g} {aws_currency(region)}, not USD (AWS China region)"
        rows.append({
            "table": "gpu_prices",
            "observed_at": payload.fetched_at,
            "provider": provider,
            "segment": reference.segment_for(provider),
            "gpu_model": reference.canonical_gpu(gpu_model(cloud, raw, r["InstanceType"], count,
                                                           r.get("GpuInfo", ""))),
            "gpu_model_raw": raw,
            "gpu_count": count,
            "price_usd_per_gpu_hour": price,
            "price_type": price_type,
            "region": region or None,
            "offer_id": offer,
            "note": f"{cloud} {zone + ': ' if zone else ''}{note}",
        })
    return rows, skipped


def parse(payload: Payload) -> Iterator[dict]:
    rows, _ = read(payload)
    yield from rows
