"""opencomputeprices: per-collector CSVs, _inference.csv and the release tarball; failures; real captures."""

import gzip
import io
import tarfile
from collections import Counter
from datetime import UTC, datetime

import pytest
import responses

from etl import warehouse
from etl.provenance import Payload
from etl.sources import opencomputeprices as src

AT = datetime(2026, 3, 24, tzinfo=UTC)


def payload(fixture_path, fixture: str, name: str) -> Payload:
    return Payload(fixture_path(fixture).read_bytes(), src.URL, AT, name)


def gpu_rows(fixture_path) -> tuple[list[dict], Counter]:
    return src.read(payload(fixture_path, "opencomputeprices.csv", "crusoe.csv"))


def test_one_price_row_per_priced_gpu_row_with_canonical_model_provider_and_region(fixture_path):
    rows, _ = gpu_rows(fixture_path)
    got = [(r["provider"], r["segment"], r["gpu_model"], r["gpu_model_raw"], r["gpu_count"], r["price_type"],
            r["price_usd_per_gpu_hour"], r["region"]) for r in rows]
    assert got == [
        ("crusoe", "neocloud", "H100 SXM", "H100 SXM5", 8, "on_demand", 3.95, "us-east1"),
        ("crusoe", "neocloud", "A100 40GB", "A100", 1, "spot", 1.10, "us-east1"),  # 40 GB decides
        ("lambda", "neocloud", "H100 NVL", "H100", 1, "reserved", 2.10, "US"),  # 94 GB; region from country
        ("akash", "depin", "H100 SXM", "H100 SXM5", 1, "on_demand", 1.65, None),
        ("e2e_networks", "neocloud", "H100 PCIe", "H100 PCIe", 1, "on_demand", "249 INR, not USD", "delhi"),
        ("novita", "neocloud", "RTX 4090", "RTX 4090 PCIe", 1, "on_demand", "0.35 USD per month, not per hour", None),
    ]
    assert rows[0]["observed_at"] == "2026-03-22T23:40:00Z" and rows[0]["offer_id"] == "h100-80gb-sxm-ib.8x"
    assert rows[2]["note"] == "collector getdeploying; 1yr"
    assert rows[3]["note"] == "collector akash; Akash price tier avg"


def test_rows_without_a_gpu_or_a_price_and_tpus_are_skipped_and_counted(fixture_path):
    _, skipped = gpu_rows(fixture_path)
    assert skipped == Counter({"no GPU": 1, "TPU, not a GPU": 1, "no positive price_per_gpu_hour": 1})


def test_another_currency_or_unit_is_rejected_with_its_reason_never_loaded_as_usd(fixture_path):
    rows, _ = gpu_rows(fixture_path)
    data = warehouse.validate("opencomputeprices", rows)
    assert len(data.rows["gpu_prices"]) == 4
    reasons = [reason for _, reason, _ in data.rejects]
    assert len(reasons) == 2
    assert "249 INR, not USD" in reasons[0] and "0.35 USD per month, not per hour" in reasons[1]


def test_inference_rows_become_input_prices_per_million_tokens_by_model_and_provider(fixture_path):
    rows, skipped = src.read(payload(fixture_path, "opencomputeprices_inference.csv", "_inference.csv"))
    got = {r["entity"]: round(r["value"], 6) for r in rows}
    assert got == {
        "ai21/jamba-large-1.7 @ openrouter": 2.0,  # 0.000002 USD a token
        "mistralai/Mistral-Small-24B-Instruct-2501 @ deepinfra": 0.05,  # 5e-06 US cents a token
        "Llama 4 Maverick @ together": 0.27,
        "deepseek/deepseek-v3.2 @ novita": 0.269,
    }
    assert {(r["indicator"], r["unit"], r["table"]) for r in rows} == {(src.INDICATOR, src.UNIT, "indicators")}
    assert rows[0]["period"] == "2026-03-21"
    assert skipped == Counter({"inference row without a model or an input price": 1})
    assert warehouse.validate("opencomputeprices", rows).rejects == []


def test_inference_rows_in_a_collector_file_are_left_to_inference_csv(fixture_path):
    rows, skipped = src.read(payload(fixture_path, "opencomputeprices_inference.csv", "openrouter.csv"))
    assert rows == [] and skipped == Counter({"inference row, read from _inference.csv": 5})


def _tarball(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, body in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return buf.getvalue()


def test_the_release_tarball_reads_collector_files_and_inference_but_not_master(fixture_path):
    gpu = fixture_path("opencomputeprices.csv").read_bytes()
    body = _tarball({"data/crusoe.csv": gpu, "data/_master.csv": gpu,
                     "data/_inference.csv": fixture_path("opencomputeprices_inference.csv").read_bytes(),
                     "data/README.md": b"not a csv"})
    rows, _ = src.read(Payload(body, src.URL, AT, "data.tar.gz"))
    assert Counter(r["table"] for r in rows) == Counter({"gpu_prices": 6, "indicators": 4})


# --------------------------------------------------------------------------- failures

@pytest.mark.parametrize("body, name, match", [
    (b"<!DOCTYPE html><html><body>Not Found</body></html>", "aws.csv", "not CSV, got HTML"),
    (b"", "aws.csv", "aws.csv is empty"),
    (b"snapshot_date,provider,gpu_name,price_per_hour\n2026-03-22,aws,H100,98.3\n", "aws.csv",
     r"lacks columns \['snapshot_ts'"),
    (b"\x1f\x8b\x08\x00broken", "data.tar.gz", "not a readable tar.gz"),
])
def test_malformed_payloads_raise_value_error(body, name, match):
    with pytest.raises(ValueError, match=match):
        list(src.parse(Payload(body, src.URL, AT, name)))


def test_a_tarball_without_collector_files_fails_loudly():
    with pytest.raises(ValueError, match="holds no collector CSV"):
        src.read(Payload(_tarball({"data/_master.csv": b"a,b\n"}), src.URL, AT, "data.tar.gz"))


# --------------------------------------------------------------------------- fetch

@responses.activate
def test_fetch_downloads_the_latest_release_asset(client, fixture_path):
    body = _tarball({"data/crusoe.csv": fixture_path("opencomputeprices.csv").read_bytes()})
    responses.get(src.URL, body=body, content_type="application/gzip")
    [p] = src.fetch(client)
    assert p.name == "data.tar.gz" and [c.request.url for c in responses.calls] == [src.URL]
    assert len(list(src.parse(p))) == 6


# --------------------------------------------------------------------------- real captures

def _capture(captures, name: str) -> Payload:
    return Payload.from_file(captures / "opencomputeprices" / name, url=f"replay:opencomputeprices/{name}")


@pytest.mark.captures
def test_every_capture_parses_and_gpu_rows_match_the_collectors_counts(captures):
    files = sorted((captures / "opencomputeprices").glob("*.csv"))
    assert len(files) == 25
    tables = Counter()
    for path in files:
        rows, _ = src.read(_capture(captures, path.name))
        tables.update(r["table"] for r in rows)
    # PROVENANCE: skypilot 12232 rows (3119 of them TPUs), azure 8528, ...; inference from _inference.csv only
    assert tables == Counter({"gpu_prices": 18298, "indicators": 604})


@pytest.mark.captures
def test_real_azure_reservation_totals_mislabelled_hourly_are_rejected_as_absurd(captures):
    rows, _ = src.read(_capture(captures, "azure.csv"))
    data = warehouse.validate("opencomputeprices", rows)
    assert len(rows) == 8528
    assert len(data.rejects) == 1394 and all(r.startswith("absurd price") for _, r, _ in data.rejects)


@pytest.mark.captures
def test_real_getdeploying_providers_map_to_known_keys(captures):
    rows, _ = src.read(_capture(captures, "getdeploying.csv"))
    data = warehouse.validate("opencomputeprices", rows)
    providers = {r["provider"] for r in data.rows["gpu_prices"]}
    assert {"aws", "gcp", "oracle", "lambda", "vast", "runpod", "coreweave"} <= providers
    unlisted = {rec["provider"] for _, reason, rec in data.rejects if reason.startswith("missing segment")}
    assert unlisted == {"beyondpl", "breezehost", "gpuhub", "hexabyte", "lyceum"}


@pytest.mark.captures
def test_real_inference_file_gives_prices_of_four_providers(captures):
    rows, skipped = src.read(_capture(captures, "_inference.csv"))
    assert len(rows) == 604 and sum(skipped.values()) == 3
    assert {r["entity"].rsplit(" @ ", 1)[1] for r in rows} == {"openrouter", "deepinfra", "novita", "together"}


def test_a_monthly_gzipped_archive_csv_parses_like_the_csv(fixture_path):
    body = gzip.compress(fixture_path("opencomputeprices.csv").read_bytes())
    rows, _ = src.read(Payload(body, src.URL, AT, "archive_2026-01.csv.gz"))
    assert rows == gpu_rows(fixture_path)[0]
    with pytest.raises(ValueError, match="not a readable .gz"):
        src.read(Payload(b"\x1f\x8b\x08garbage", src.URL, AT, "archive_2026-01.csv.gz"))
