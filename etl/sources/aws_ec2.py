"""AWS EC2 GPU instance prices (Linux on-demand and spot, per GPU-hour by region) from Vantage's instances.json."""

from __future__ import annotations

from collections.abc import Iterator

from etl import reference
from etl.provenance import License, Payload, Source
from etl.sources._parse import aws_currency, number_or_raw, whole_count

URL = "https://instances.vantage.sh/instances.json"

# Instance family (the part before the dot) -> GPU model as spelled for canonical_gpu. Vantage's
# GPU_model ("NVIDIA A100", "NVIDIA H100") does not say SXM/PCIe or memory, which the family does
# (https://aws.amazon.com/ec2/instance-types/#Accelerated_Computing; Vantage scraper/aws/ec2/gpu_data.go).
# Families not listed fall back to Vantage's GPU_model string.
FAMILY_GPU: dict[str, str] = {
    "p6-b300": "B300",
    "p6-b200": "B200",
    "p6e-gb200": "GB200",
    "p5": "H100 SXM",  # p5.48xlarge 8x, p5.4xlarge 1x H100 80GB SXM
    "p5e": "H200",
    "p5en": "H200",
    "p4d": "A100 40GB",  # 8x A100 40GB SXM
    "p4de": "A100 80GB",  # 8x A100 80GB SXM
    "p3": "V100",  # V100 16GB
    "p3dn": "V100 32GB",
    "p2": "K80",
    "g6e": "L40S",
    "g6": "L4",
    "gr6": "L4",
    "g5": "A10G",
    "g5g": "T4G",
    "g4dn": "T4",
    "g4ad": "Radeon Pro V520",
    "g3": "M60",
    "g3s": "M60",
    "trn1": "Trainium",  # Vantage labels trn1 "AWS Inferentia"; AWS says Trainium
    "trn1n": "Trainium",
    "trn2": "Trainium2",
    "inf1": "Inferentia",
    "inf2": "Inferentia2",
    "dl2q": "Qualcomm Cloud AI 100",
}

SPOT_KEYS = ("spot_avg", "spot")  # Vantage writes the average spot price as "spot_avg"

SOURCE = Source(
    name="aws_ec2",
    title="AWS EC2 GPU instance prices (Vantage instances.json)",
    producer="Amazon Web Services (prices); Vantage, ec2instances.info (compilation)",
    url_main="https://instances.vantage.sh/",
    url_download=(URL,),
    license=License(
        "MIT (vantage-sh/ec2instances.info scraper and data files); prices are AWS public list prices, "
        "AWS site terms at https://aws.amazon.com/terms/",
        "https://github.com/vantage-sh/ec2instances.info/blob/master/LICENSE",
    ),
    citation="Vantage (2026). EC2Instances.info: Amazon EC2 instance comparison, instances.json. "
    "https://instances.vantage.sh/instances.json (prices from the AWS Price List).",
    cadence_hours=24,
    segment="hyperscaler",
    tables=("gpu_prices",),
    kind="catalogue",
    description=(
        "Linux on-demand list price and average spot price of every EC2 instance type with at least "
        "one whole GPU/accelerator (Vantage field GPU >= 1: p6, p5, p4, p3, g6e, g6, g5, g4dn, ..., "
        "also Trainium/Inferentia), per region, divided by the instance's GPU count. Vantage is used "
        "instead of AWS's own Bulk Price List because the latter is one multi-gigabyte JSON file per "
        "region (plus a separate spot feed), while Vantage's single file already joins GPU count, "
        "GPU model and on-demand/spot prices for all regions. Prices are strings in the file. Spot "
        "is Vantage's 'spot_avg' (recent average), not a live quote. Fractional-GPU types (g6f, "
        "gr6f: 1/8 to 1/2 of an L4) are skipped. The GPU model comes from a family table in the "
        "module (Vantage's GPU_model does not tell A100 40GB from 80GB), else from GPU_model. Prices "
        "of AWS China regions (cn-*, and Vantage's instances-cn.json) are in CNY: rejected with that "
        "reason, never loaded as USD. Files of the 2017 shape (no GPU_model) parse by the family table."
    ),
    load="append",
    # The GPU subsets of 2017 (old shape: no GPU_model, no spot_avg) and of instances-cn.json (CNY,
    # rejected); instances-one-record.json is a non-GPU record (shape only): not declared.
    captures=("vantage/instances*_gpu-subset_*.json",),
)


def fetch(client) -> list[Payload]:
    return [client.request(URL, name="instances.json")]


def parse(payload: Payload) -> Iterator[dict]:
    doc = payload.json("aws_ec2")
    if not isinstance(doc, list):
        raise ValueError(f"aws_ec2: expected a list of instance records, got {type(doc).__name__}")
    if doc and not any(isinstance(r, dict) and "GPU" in r for r in doc):
        raise ValueError("aws_ec2: no record has a 'GPU' field (schema drift?)")
    for record in doc:
        if not isinstance(record, dict) or "instance_type" not in record or "pricing" not in record:
            raise ValueError(f"aws_ec2: record without instance_type/pricing: {str(record)[:80]}")
        count = whole_count(record.get("GPU"))
        if count is None:
            continue
        itype = record["instance_type"]
        family = itype.split(".")[0]
        raw = record.get("GPU_model") or family
        gpu = FAMILY_GPU.get(family, raw)
        for region, by_os in (record.get("pricing") or {}).items():
            linux = (by_os or {}).get("linux")
            if not isinstance(linux, dict):
                continue
            prices = [("on_demand", number_or_raw(linux.get("ondemand"), absent=("", "N/A")))]
            spot = next((linux[k] for k in SPOT_KEYS if linux.get(k) not in (None, "")), None)
            prices.append(("spot", number_or_raw(spot, absent=("", "N/A"))))
            currency = aws_currency(region, payload.name)
            for price_type, vm_price in prices:
                if vm_price is None:
                    continue
                per_gpu = vm_price / count if isinstance(vm_price, float) else vm_price
                if currency != "USD" and isinstance(per_gpu, float):  # never load CNY as USD
                    per_gpu = f"{per_gpu:g} {currency}, not USD (AWS China region)"
                yield {
                    "table": "gpu_prices",
                    "observed_at": payload.fetched_at,
                    "provider": "aws",
                    "segment": "hyperscaler",
                    "gpu_model": reference.canonical_gpu(gpu),
                    "gpu_model_raw": raw,
                    "gpu_count": count,
                    "price_usd_per_gpu_hour": per_gpu,
                    "price_type": price_type,
                    "region": region,
                    "offer_id": itype,
                }
