"""Epoch AI ML hardware dataset: one gpu_specs row per accelerator (memory, FP16/FP8 FLOP/s, TDP, price)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator

from etl import reference
from etl.provenance import License, Payload, Source
from etl.sources._parse import number

URL = "https://epoch.ai/data/ml_hardware.csv"
H100_REFERENCE = "H100 SXM"  # canonical name of the chip H100-equivalents are expressed in

COLUMNS = {
    "name": "Hardware name",
    "vendor": "Manufacturer",
    "release": "Release date",
    "price": "Release price (USD)",
    "fp16": "Tensor-FP16/BF16 performance (FLOP/s)",
    "fp8": "FP8 performance (FLOP/s)",
    "memory": "Memory size per board (Byte)",
    "tdp": "TDP (W)",
    "datasheet": "Link to datasheet",
    "modified": "Last modified",
}

SOURCE = Source(
    name="epoch_hardware",
    title="Epoch AI: Machine learning hardware",
    producer="Epoch AI",
    url_main="https://epoch.ai/data/machine-learning-hardware",
    url_download=(URL,),
    license=License("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    citation="Epoch AI (2026). Data on Machine Learning Hardware. Published online at epoch.ai. "
    "https://epoch.ai/data/machine-learning-hardware",
    cadence_hours=24 * 7,
    segment=None,
    tables=("gpu_specs",),
    kind="aggregator",
    description=(
        "Specifications of ML accelerators (NVIDIA, AMD, Google TPU, Huawei, Intel, ...): release "
        "date and price, memory per board (bytes / 1e9 = GB), TDP, dense Tensor FP16/BF16 and FP8 "
        "throughput. Epoch's 'Tensor-FP16/BF16 performance' is the dense figure (H100 SXM5 989.4 "
        "TFLOP/s and A100 312 TFLOP/s, half of NVIDIA's with-sparsity 1,979 and 624), so it is "
        "stored as fp16_dense_flops and used for H100-equivalents (h100_equivalents(): dense FP16 / "
        "H100 SXM's, so A100 = 0.32). FP8 is as Epoch gives it (often blank: Epoch files H100's FP8 "
        "under INT8). Blank cells stay null. gpu_model is the canonical name of 'Hardware name'; "
        "chips outside data/seed/gpu_models.csv keep Epoch's spelling."
    ),
    load="replace",
    captures=("epoch/ml_hardware.csv",),
    capture_dates=(("epoch/*", "2025-11-01"),),  # the captured Epoch snapshot
)


def fetch(client) -> list[Payload]:
    return [client.request(URL, name="ml_hardware.csv", expect=None)]


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_URL = re.compile(r"https?://[^\s;,]+")


def parse(payload: Payload) -> Iterator[dict]:
    for row in payload.csv("epoch_hardware", (COLUMNS["name"], COLUMNS["fp16"], COLUMNS["memory"])):
        name = (row.get(COLUMNS["name"]) or "").strip()
        if not name:
            continue
        release = (row.get(COLUMNS["release"]) or "").strip()
        memory = number(row.get(COLUMNS["memory"]), thousands=True)
        link = _URL.search(row.get(COLUMNS["datasheet"]) or "")
        modified = (row.get(COLUMNS["modified"]) or "").strip()
        yield {
            "table": "gpu_specs",
            "gpu_model": reference.canonical_gpu(name),
            "hardware_name": name,
            "vendor": (row.get(COLUMNS["vendor"]) or "").strip() or None,
            "release_date": release[:10] if _DATE.match(release) else None,
            "memory_gb": memory / 1e9 if memory is not None else None,
            "fp16_dense_flops": number(row.get(COLUMNS["fp16"]), thousands=True),
            "fp8_flops": number(row.get(COLUMNS["fp8"]), thousands=True),
            "tdp_w": number(row.get(COLUMNS["tdp"]), thousands=True),
            "release_price_usd": number(row.get(COLUMNS["price"]), thousands=True),
            "ref_url": link.group(0) if link else None,
            "ref_date": modified[:10] if _DATE.match(modified) else None,
        }


def h100_equivalents(specs_rows: Iterable[dict], reference_model: str = H100_REFERENCE) -> dict[str, float]:
    """gpu_model -> dense FP16 throughput relative to an H100 SXM (1.0), to price per H100-equivalent hour.

    Pure. `specs_rows` are gpu_specs rows (dicts with gpu_model and fp16_dense_flops). When several
    rows share a gpu_model (Epoch lists e.g. 'NVIDIA A100' and 'NVIDIA A100 SXM4 40 GB'), the highest
    figure is used, so the result does not depend on row order. Models without a figure are absent.
    """
    flops: dict[str, float] = {}
    for row in specs_rows:
        model, value = row.get("gpu_model"), row.get("fp16_dense_flops")
        if not model or value is None:
            continue
        value = float(value)
        if not math.isfinite(value) or value <= 0:
            continue
        flops[model] = max(flops.get(model, 0.0), value)
    if reference_model not in flops:
        raise ValueError(f"no dense FP16 figure for {reference_model!r}: cannot express H100-equivalents")
    base = flops[reference_model]
    return {model: value / base for model, value in sorted(flops.items())}
