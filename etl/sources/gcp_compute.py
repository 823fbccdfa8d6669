"""Google Cloud GPU list prices (on-demand and spot, per GPU-hour by region) from SkyPilot's public GCP catalogue."""

from __future__ import annotations

from collections.abc import Iterator

from etl import reference
from etl.provenance import License, Payload, Source
from etl.sources._parse import number, whole_count

URL = "https://raw.githubusercontent.com/skypilot-org/skypilot-catalog/master/catalogs/v7/gcp/vms.csv"

# SkyPilot accelerator name -> GPU model as spelled for canonical_gpu.
GPU_NAMES: dict[str, str] = {
    "B200": "B200",
    "H200": "H200",
    "H100": "H100 SXM",  # A3 High/Edge: H100 80GB SXM
    "H100-MEGA": "H100 SXM",  # A3 Mega: the same H100 80GB SXM with more network bandwidth
    "A100-80GB": "A100 80GB",  # A2 Ultra
    "A100": "A100 40GB",  # A2 Standard
    "L4": "L4",
    "T4": "T4",
    "V100": "V100",
    "P100": "P100",
    "P4": "P4",
    "K80": "K80",
}

# (accelerator, count) -> the machine type that must carry it. A2, A3 and G2 GPUs are only sold
# inside these accelerator-optimised machine types, whose vCPU/RAM Google bills separately from the
# GPUs (https://cloud.google.com/compute/docs/gpus and .../accelerator-optimized-machines). The
# host's price is added so that a per-GPU price includes its share of the VM, as AWS and Azure
# prices do. For L4, whose G2 host comes in several sizes, the smallest G2 size is used.
# GPUs attachable to any N1 VM (T4, V100, P100, P4, K80) and bundled-billing A4 (B200) have no
# host here: their rows are the GPU charge alone (note says so).
HOSTS: dict[tuple[str, int], str] = {
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

REQUIRED_COLUMNS = ("InstanceType", "AcceleratorName", "AcceleratorCount", "Region", "AvailabilityZone",
                    "Price", "SpotPrice")

SOURCE = Source(
    name="gcp_compute",
    title="Google Cloud GPU prices (SkyPilot GCP catalogue)",
    producer="Google Cloud (prices); SkyPilot project, skypilot-org/skypilot-catalog (compilation)",
    url_main="https://github.com/skypilot-org/skypilot-catalog",
    url_download=(URL,),
    license=License(
        "No licence stated in the catalogue repository (SkyPilot code is Apache-2.0); prices are "
        "Google's public list prices, Google Cloud terms at https://cloud.google.com/terms",
        "https://cloud.google.com/terms",
    ),
    citation="SkyPilot (2026). skypilot-catalog, catalogs/v7/gcp/vms.csv (prices from the Google "
    "Cloud Billing Catalog API). https://github.com/skypilot-org/skypilot-catalog",
    cadence_hours=24,
    segment="hyperscaler",
    tables=("gpu_prices",),
    description=(
        "Keyless GCP GPU prices per GPU-hour by region, on-demand and spot (Google's official Cloud "
        "Billing Catalog API needs an API key). SkyPilot's catalogue, regenerated from that API and "
        "committed to git, lists each accelerator (GPU SKU price for N GPUs) and each machine type "
        "(vCPU+RAM price) per zone. For A2/A3/G2 GPUs the price is (GPU charge + host machine type "
        "charge) / GPU count, the host coming from a table in the module; for N1-attachable GPUs "
        "(T4, V100, P100, P4) and A4 B200 (billed as GPU slices) it is the GPU charge alone. One row "
        "per accelerator, GPU count, region and price type, at the cheapest zone of the region. "
        "Linux, no OS licence. TPUs are skipped. Vantage's /gcp/instances.json was not used: its "
        "scraper prices a2/a3/g2 machine types from core and RAM SKUs only, leaving out the GPU "
        "charge (vantage-sh/ec2instances.info scraper/gcp/api.go), so dividing its price by the GPU "
        "count would understate GPU prices several-fold. Catalogue quirks (e.g. a spot price above "
        "on-demand in a few zones) are passed through."
    ),
    load="append",
    captures=(),
)


def fetch(client) -> list[Payload]:
    return [client.request(URL, name="gcp-vms.csv", expect=None)]


def parse(payload: Payload) -> Iterator[dict]:
    rows = payload.csv("gcp_compute", REQUIRED_COLUMNS)

    hosts: dict[tuple[str, str], tuple[float | None, float | None]] = {}
    for r in rows:
        itype = (r["InstanceType"] or "").strip()
        if itype and not (r["AcceleratorName"] or "").strip():
            hosts[(itype, r["AvailabilityZone"])] = (number(r["Price"]), number(r["SpotPrice"]))

    # (accelerator, count, region, price_type) -> (per-GPU price, zone, note)
    best: dict[tuple[str, int, str, str], tuple[float, str, str]] = {}
    for r in rows:
        name = (r["AcceleratorName"] or "").strip()
        if (r["InstanceType"] or "").strip() or not name or name.lower().startswith("tpu"):
            continue
        count = whole_count(r["AcceleratorCount"])
        if count is None:
            continue
        host = HOSTS.get((name, count))
        host_prices = hosts.get((host, r["AvailabilityZone"])) if host else None
        for i, price_type in enumerate(("on_demand", "spot")):
            gpu_price = number(r["Price"] if i == 0 else r["SpotPrice"])
            if gpu_price is None:
                continue
            if host_prices is not None:
                host_price = host_prices[i]
                if host_price is None:
                    continue
                total = gpu_price + host_price
                note = f"{count}x {name} {gpu_price} + {host} {host_price} USD/h"
            else:
                total = gpu_price
                note = f"{count}x {name} {gpu_price} USD/h, GPU charge only (host VM billed separately)"
            key = (name, count, r["Region"], price_type)
            per_gpu = total / count
            if key not in best or per_gpu < best[key][0]:
                best[key] = (per_gpu, r["AvailabilityZone"], note)

    for (name, count, region, price_type), (per_gpu, zone, note) in best.items():
        gpu = GPU_NAMES.get(name, name)
        yield {
            "table": "gpu_prices",
            "observed_at": payload.fetched_at,
            "provider": "gcp",
            "segment": "hyperscaler",
            "gpu_model": reference.canonical_gpu(gpu),
            "gpu_model_raw": name,
            "gpu_count": count,
            "price_usd_per_gpu_hour": per_gpu,
            "price_type": price_type,
            "region": region,
            "offer_id": HOSTS.get((name, count)) or f"{name}x{count}",
            "note": f"{zone}: {note}",
        }
