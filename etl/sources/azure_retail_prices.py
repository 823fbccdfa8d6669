"""Azure Retail Prices API: list prices of GPU virtual machines (Linux, on-demand and spot) per GPU-hour."""

from __future__ import annotations

import json
from collections.abc import Iterator

from etl import reference
from etl.http import FetchError
from etl.provenance import License, Payload, Source

API_URL = "https://prices.azure.com/api/retail/prices"
API_VERSION = "2023-01-01-preview"  # SOURCES.md B3; 1,000 items a page in this version
PAGE_SIZE = 1000
MAX_PAGES = 60  # hard cap: the GPU SKUs below fill about 5 pages; 60 means the filter broke

_DOCS = "https://learn.microsoft.com/azure/virtual-machines/sizes/gpu-accelerated/"

# armSkuName -> (GPU model as spelled for etl.reference.canonical_gpu, GPUs per VM, Microsoft size page).
# Counts and GPU models are from each series' page on Microsoft Learn (the URL in the third field).
# Only whole-GPU sizes: fractional sizes (NV6ads/NV12ads/NV18ads_A10_v5 = 1/6, 1/3, 1/2 of an A10)
# have no meaningful per-GPU price and are left out. Azure lists no L40S series in the Retail
# Prices API at the time of writing, so there is none here.
GPU_SKUS: dict[str, tuple[str, int, str]] = {
    # ND H100 v5: 8x NVIDIA H100 SXM 80GB (NVLink)
    "Standard_ND96isr_H100_v5": ("H100 SXM", 8, _DOCS + "ndh100v5-series"),
    # ND H200 v5: 8x NVIDIA H200 141GB (listed on the ND family page)
    "Standard_ND96isr_H200_v5": ("H200", 8, _DOCS + "nd-family"),
    # ND MI300X v5: 8x AMD Instinct MI300X 192GB
    "Standard_ND96isr_MI300X_v5": ("MI300X", 8, _DOCS + "ndmi300xv5-series"),
    # ND GB200 v6 / ND GB300 v6: 4 Blackwell GPUs per VM (one NVL72 compute tray)
    "Standard_ND128isr_NDR_GB200_v6": ("GB200", 4, _DOCS + "nd-gb200-v6-series"),
    "Standard_ND128isr_GB300_v6": ("GB300", 4, _DOCS + "nd-gb300-v6-series"),
    # NCads H100 v5: NVIDIA H100 NVL 94GB, 1 or 2 per VM
    "Standard_NC40ads_H100_v5": ("H100 NVL", 1, _DOCS + "ncadsh100v5-series"),
    "Standard_NC80adis_H100_v5": ("H100 NVL", 2, _DOCS + "ncadsh100v5-series"),
    # NCCads H100 v5 (confidential): 1x H100 NVL 94GB
    "Standard_NCC40ads_H100_v5": ("H100 NVL", 1, _DOCS + "nccadsh100v5-series"),
    # NDm A100 v4: 8x A100 80GB SXM; ND A100 v4: 8x A100 40GB SXM
    "Standard_ND96amsr_A100_v4": ("A100 80GB", 8, _DOCS + "ndma100v4-series"),
    "Standard_ND96asr_v4": ("A100 40GB", 8, _DOCS + "nd-family"),
    # NC A100 v4: A100 80GB PCIe, 1, 2 or 4 per VM
    "Standard_NC24ads_A100_v4": ("A100 80GB PCIe", 1, _DOCS + "nca100v4-series"),
    "Standard_NC48ads_A100_v4": ("A100 80GB PCIe", 2, _DOCS + "nca100v4-series"),
    "Standard_NC96ads_A100_v4": ("A100 80GB PCIe", 4, _DOCS + "nca100v4-series"),
    # NVadsA10 v5: whole-GPU sizes only (1 or 2 A10)
    "Standard_NV36ads_A10_v5": ("A10", 1, _DOCS + "nvadsa10v5-series"),
    "Standard_NV36adms_A10_v5": ("A10", 1, _DOCS + "nvadsa10v5-series"),
    "Standard_NV72ads_A10_v5": ("A10", 2, _DOCS + "nvadsa10v5-series"),
    # NCasT4_v3: T4 16GB
    "Standard_NC4as_T4_v3": ("T4", 1, _DOCS + "ncast4v3-series"),
    "Standard_NC8as_T4_v3": ("T4", 1, _DOCS + "ncast4v3-series"),
    "Standard_NC16as_T4_v3": ("T4", 1, _DOCS + "ncast4v3-series"),
    "Standard_NC64as_T4_v3": ("T4", 4, _DOCS + "ncast4v3-series"),
    # NCv3: V100 16GB (series retiring; kept while Azure still lists prices)
    "Standard_NC6s_v3": ("V100", 1, _DOCS + "ncv3-series"),
    "Standard_NC12s_v3": ("V100", 2, _DOCS + "ncv3-series"),
    "Standard_NC24s_v3": ("V100", 4, _DOCS + "ncv3-series"),
    "Standard_NC24rs_v3": ("V100", 4, _DOCS + "ncv3-series"),
    # NDv2: 8x V100 32GB
    "Standard_ND40rs_v2": ("V100 32GB", 8, _DOCS + "ndv2-series"),
}

# OData filter. Values are case-sensitive in 2023-01-01-preview; OData `or`, never `|` (HTTP 400).
# Windows and Low Priority rows are also dropped in parse(), which must not rely on the filter.
FILTER = (
    "serviceName eq 'Virtual Machines' and priceType eq 'Consumption' and ("
    + " or ".join(f"armSkuName eq '{sku}'" for sku in GPU_SKUS)
    + ")"
)

SOURCE = Source(
    name="azure_retail_prices",
    title="Azure Retail Prices API: GPU virtual machines",
    producer="Microsoft Azure",
    url_main="https://learn.microsoft.com/en-us/rest/api/cost-management/retail-prices/azure-retail-prices",
    url_download=(API_URL,),
    license=License(
        "No licence stated; public, unauthenticated list prices. Microsoft terms of use at "
        "https://www.microsoft.com/en-us/legal/terms-of-use",
        "https://www.microsoft.com/en-us/legal/terms-of-use",
    ),
    citation="Microsoft (2026). Azure Retail Prices API, api-version 2023-01-01-preview. "
    "https://prices.azure.com/api/retail/prices",
    cadence_hours=24,
    segment="hyperscaler",
    tables=("gpu_prices",),
    kind="provider_api",
    description=(
        "Pay-as-you-go list prices of Azure GPU VM sizes (ND/NC H100, H200, MI300X, GB200, GB300, A100, "
        "A10, T4, V100) in every region, Linux only, on-demand and Spot. retailPrice is USD per VM-hour and "
        "is divided by the GPUs per VM from a table of SKUs in the module (each entry cites its "
        "Microsoft Learn size page); fractional-GPU sizes are excluded. Linux and Windows rows share "
        "meterName, so Windows is recognised only by productName; Spot appears only in meterName "
        "(price_type 'spot'). 'Low Priority' meters (the retiring Batch/VMSS low-priority offer, "
        "superseded by Spot) are skipped so the same capacity is not counted twice as spot. "
        "Non-primary meter regions and non-hourly or non-USD rows are skipped. Reservations and "
        "savings plans are not included. observed_at is the fetch time (effectiveStartDate, when "
        "present, goes to ref_date)."
    ),
    load="append",
    captures=("azure/*.json",),
    capture_dates=(("azure/*.json", "2026-09-16"),),  # captures/PROVENANCE.md
)


def _page_doc(payload: Payload) -> dict:
    try:
        doc = json.loads(payload.body)
    except ValueError as exc:
        raise FetchError(f"Azure Retail Prices page is not JSON ({exc}): {payload.url}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("Items"), list):
        raise FetchError(f"Azure Retail Prices page has no 'Items' list: {payload.url}")
    return doc


def fetch(client) -> list[Payload]:
    """All pages of the GPU-SKU query: follow NextPageLink; if it is missing on a full page, $skip on."""
    params = {"api-version": API_VERSION, "$filter": FILTER}
    url, query = API_URL, dict(params)
    payloads: list[Payload] = []
    seen = 0
    for page in range(1, MAX_PAGES + 1):
        payload = client.request(url, params=query, name=f"page-{page:03d}.json")
        payloads.append(payload)
        doc = _page_doc(payload)
        items = doc["Items"]
        seen += len(items)
        next_link = doc.get("NextPageLink")
        if not items:
            return payloads
        if next_link:
            url, query = next_link, None  # the link carries every parameter, $skip included
        elif len(items) >= PAGE_SIZE:
            # Known API bug (MS Q&A, 2023-03): NextPageLink empty although more rows exist.
            url, query = API_URL, {**params, "$skip": seen}
        else:
            return payloads
    raise FetchError(f"Azure Retail Prices: more than {MAX_PAGES} pages for the GPU filter; giving up")


_ESSENTIAL = ("armSkuName", "meterName", "productName", "retailPrice", "armRegionName")


def _items(payload: Payload) -> list:
    doc = payload.json("azure_retail_prices")
    if isinstance(doc, dict):
        items = doc.get("Items")
        if not isinstance(items, list):
            raise ValueError("azure_retail_prices: expected an object with an 'Items' list "
                             f"(got keys {sorted(doc)[:8]})")
        return items
    if isinstance(doc, list):  # a trimmed capture: the Items list alone
        return doc
    raise ValueError(f"azure_retail_prices: expected an object or a list, got {type(doc).__name__}")


def parse(payload: Payload) -> Iterator[dict]:
    """One gpu_prices row per Linux on-demand or Spot meter of a known GPU SKU, per region."""
    for item in _items(payload):
        if not isinstance(item, dict):
            raise ValueError(f"azure_retail_prices: item is not an object: {item!r:.80}")
        missing = [k for k in _ESSENTIAL if k not in item]
        if missing:
            raise ValueError(f"azure_retail_prices: item lacks {missing} (schema drift?)")
        sku = item["armSkuName"]
        if sku not in GPU_SKUS:
            continue
        product = item.get("productName") or ""
        meter = item.get("meterName") or ""
        if "windows" in product.lower():
            continue
        if "low priority" in meter.lower():
            continue
        if item.get("type", "Consumption") != "Consumption":
            continue
        if (item.get("unitOfMeasure") or "1 Hour") != "1 Hour":
            continue
        if (item.get("currencyCode") or "USD") != "USD":
            continue
        if item.get("isPrimaryMeterRegion") is False:
            continue
        gpu, count, _doc = GPU_SKUS[sku]
        price = item["retailPrice"]
        per_gpu = price / count if isinstance(price, int | float) else price
        start = item.get("effectiveStartDate")
        yield {
            "table": "gpu_prices",
            "observed_at": payload.fetched_at,
            "provider": "azure",
            "segment": "hyperscaler",
            "gpu_model": reference.canonical_gpu(gpu),
            "gpu_model_raw": gpu,
            "gpu_count": count,
            "price_usd_per_gpu_hour": per_gpu,
            "price_type": "spot" if "spot" in meter.lower() else "on_demand",
            "region": item["armRegionName"],
            "offer_id": sku,
            "ref_date": str(start)[:10] if start else None,
            "note": f"{meter}: {price} USD per VM-hour / {count} GPUs",
        }
