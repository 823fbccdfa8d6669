"""skypilot_catalog: SkyPilot vms.csv of every cloud (GCP with its host VMs), fetch, failures, real captures."""

import csv
import json
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
import responses

from etl import warehouse
from etl.provenance import Payload
from etl.sources import skypilot_catalog as src
from etl.sources._parse import number, whole_count

AT = datetime(2026, 4, 2, tzinfo=UTC)
ROOT = Path(__file__).resolve().parent.parent

GPU_MODELS = """gpu_model,aliases
H100 SXM,H100 SXM5
H100 PCIe,
H100 NVL,
A100 80GB,
A100 40GB,
B200,
T4,
RTX 4090,RTX4090
"""
PROVIDERS = "provider,segment\ngcp,hyperscaler\nazure,hyperscaler\naws,hyperscaler\nlambda,neocloud\nvast,marketplace\n"


@pytest.fixture(autouse=True)
def seed(mini_seed):
    return mini_seed(GPU_MODELS, PROVIDERS)


def payload(fixture_path, cloud: str, name: str | None = None) -> Payload:
    body = fixture_path(f"skypilot_catalog_{cloud}.csv").read_bytes()
    return Payload(body, src.BASE.format(version="v8", cloud=cloud), AT, name or f"{cloud}_vms.csv")


def rows_of(fixture_path, cloud: str) -> list[dict]:
    return list(src.parse(payload(fixture_path, cloud)))


# --------------------------------------------------------------------------- GCP: GPU + host VM

def test_gcp_adds_the_host_vm_and_divides_by_gpus_at_the_cheapest_zone(fixture_path):
    rows = rows_of(fixture_path, "gcp")
    got = [(r["gpu_model"], r["gpu_model_raw"], r["gpu_count"], r["region"], r["price_type"], r["offer_id"],
            round(r["price_usd_per_gpu_hour"], 8)) for r in rows]
    assert got == [
        # (78.37241 GPU + 9.46006 a3-highgpu-8g) / 8, zone a; spot (15.5 + 2.17547) / 8, zone b
        ("H100 SXM", "H100", 8, "us-central1", "on_demand", "a3-highgpu-8g", 10.97905875),
        ("H100 SXM", "H100", 8, "us-central1", "spot", "a3-highgpu-8g", 2.20943375),
        # europe-west4: the host has no spot price, so there is no spot row
        ("H100 SXM", "H100", 8, "europe-west4", "on_demand", "a3-highgpu-8g", 11.5228825),
        ("A100 80GB", "A100-80GB", 1, "us-central1", "on_demand", "a2-ultragpu-1g", 5.0277),
        ("A100 80GB", "A100-80GB", 1, "us-central1", "spot", "a2-ultragpu-1g", 2.01103),
        # N1-attachable T4 and bundled A4 B200: GPU charge alone
        ("T4", "T4", 1, "us-central1", "on_demand", "T4x1", 0.35),
        ("T4", "T4", 1, "us-central1", "spot", "T4x1", 0.14),
        ("B200", "B200", 8, "us-east4", "on_demand", "B200x8", 11.277),
    ]
    assert all(r["provider"] == "gcp" and r["segment"] == "hyperscaler" and r["observed_at"] == AT for r in rows)
    assert rows[0]["note"] == "gcp us-central1-a: 8x H100 78.37241 + a3-highgpu-8g 9.46006 USD/h"
    assert rows[1]["note"].startswith("gcp us-central1-b: ")
    assert "GPU charge only" in rows[5]["note"]


def test_gcp_skips_tpus_and_host_rows_and_counts_them(fixture_path):
    _, skipped = src.read(payload(fixture_path, "gcp"))
    assert skipped == Counter({"no accelerator (host VM or CPU instance)": 5, "TPU, not a GPU": 1,
                               "GCP host VM has no spot price": 1})


def test_a_gpu_only_gcp_extract_skips_what_needs_a_host_instead_of_underpricing_it(fixture_path):
    lines = fixture_path("skypilot_catalog_gcp.csv").read_text().splitlines()
    gpu_only = "\n".join([lines[0], *(line for line in lines[1:] if line.startswith(","))]) + "\n"
    rows, skipped = src.read(Payload(gpu_only.encode(), "replay:skypilot/gcp/2026-04-06_x.csv", AT, "2026-04-06_x.csv"))
    assert {r["gpu_model"] for r in rows} == {"T4", "B200"}
    assert skipped["GCP host VM price not in this file"] == 4  # 3 H100 zones + 1 A100-80GB


# --------------------------------------------------------------------------- other clouds

def test_azure_rows_with_the_unquoted_extra_field_are_parsed_not_dropped(fixture_path):
    rows = rows_of(fixture_path, "azure")
    got = {(r["offer_id"], r["gpu_model"], r["price_type"]): round(r["price_usd_per_gpu_hour"], 6) for r in rows}
    assert got == {
        ("Standard_ND96isr_H100_v5", "H100 SXM", "on_demand"): 12.29,
        ("Standard_ND96isr_H100_v5", "H100 SXM", "spot"): 4.916,
        ("Standard_NC40ads_H100_v5", "H100 NVL", "on_demand"): 6.98,  # an 11-field row
        ("Standard_NC40ads_H100_v5", "H100 NVL", "spot"): 2.792,
        ("Standard_NC24ads_A100_v4", "A100 80GB", "on_demand"): 3.673,
        ("Standard_NC24ads_A100_v4", "A100 80GB", "spot"): 0.7346,
    }
    _, skipped = src.read(payload(fixture_path, "azure"))
    assert skipped == Counter({"fractional or zero accelerator count": 1, "no accelerator (host VM or CPU instance)": 1})


def test_lambda_tells_sxm_from_pcie_and_a100_40gb_by_name(fixture_path):
    rows = rows_of(fixture_path, "lambda")
    got = [(r["offer_id"], r["gpu_model"], r["gpu_count"], r["price_type"], round(r["price_usd_per_gpu_hour"], 4),
            r["segment"]) for r in rows]
    assert got == [("gpu_8x_h100_sxm5", "H100 SXM", 8, "on_demand", 2.99, "neocloud"),
                   ("gpu_1x_h100_pcie", "H100 PCIe", 1, "on_demand", 2.49, "neocloud"),
                   ("gpu_1x_a100", "A100 40GB", 1, "on_demand", 1.29, "neocloud")]


def test_vast_memory_is_per_offer_and_a_zero_spot_price_is_none(fixture_path):
    rows = rows_of(fixture_path, "vast")
    got = [(r["gpu_model"], r["gpu_count"], r["price_type"], round(r["price_usd_per_gpu_hour"], 4), r["region"])
           for r in rows]
    assert got == [("A100 80GB", 2, "on_demand", 0.935, "Montana, US, NA"),  # 163840 MiB over 2 GPUs
                   ("H100 NVL", 1, "on_demand", 2.1, "Denmark, DK, EU"),
                   ("H100 NVL", 1, "spot", 1.05, "Denmark, DK, EU"),
                   ("RTX 4090", 1, "on_demand", 0.35, ", CA, NA")]
    assert {r["segment"] for r in rows} == {"marketplace"}


def test_aws_keeps_the_cheapest_zone_and_rejects_china_regions_priced_in_cny(fixture_path):
    rows = rows_of(fixture_path, "aws")
    data = warehouse.validate("skypilot_catalog", rows)
    good = {(r["offer_id"], r["price_type"]): round(r["price_usd_per_gpu_hour"], 4) for r in data.rows["gpu_prices"]}
    assert good == {("p5.48xlarge", "on_demand"): 6.88, ("p5.48xlarge", "spot"): 2.6125}
    [(table, reason, record)] = data.rejects
    assert "CNY, not USD" in reason and record["region"] == "cn-north-1" and record["gpu_model"] == "A100 40GB"


def test_every_good_fixture_validates_without_rejects(fixture_path):
    for cloud in ("gcp", "azure", "lambda", "vast"):
        assert warehouse.validate("skypilot_catalog", rows_of(fixture_path, cloud)).rejects == [], cloud


@pytest.mark.parametrize("name, url, cloud", [
    ("gcp_vms.csv", "https://example.test/x.csv", "gcp"),
    ("vms.csv", "https://raw.githubusercontent.com/skypilot-org/skypilot-catalog/master/catalogs/v8/azure/vms.csv",
     "azure"),
    ("2026-04-02_anycloud-69b86f0b.csv", "replay:skypilot/lambda/2026-04-02_anycloud-69b86f0b.csv", "lambda"),
    ("2026-04-29_anycloud-336ccee4.csv", "file:///data/captures/skypilot/vast/2026-04-29_anycloud-336ccee4.csv",
     "vast"),
])
def test_the_cloud_comes_from_the_payload_name_or_path(name, url, cloud):
    assert src.cloud_of(Payload(b"", url, AT, name)) == cloud


def test_a_file_of_no_known_cloud_fails_loudly(fixture_path):
    body = fixture_path("skypilot_catalog_lambda.csv").read_bytes()
    with pytest.raises(ValueError, match="cannot tell the cloud"):
        list(src.parse(Payload(body, "https://example.test/catalog/vms.csv", AT, "vms.csv")))


# --------------------------------------------------------------------------- failures

@pytest.mark.parametrize("body, match", [
    (b"<!DOCTYPE html><html>404</html>", "not CSV, got HTML"),
    (b'{"skus": []}', "not CSV, got JSON"),
    (b"InstanceType,vCPUs,Price\na2-highgpu-1g,12,0.7\n", r"lacks columns \['AcceleratorName'"),
    (b"", "is empty"),
])
def test_malformed_payloads_raise_value_error(body, match):
    with pytest.raises(ValueError, match=match):
        list(src.parse(Payload(body, "x", AT, "gcp_vms.csv")))


def test_a_non_usd_price_is_rejected_with_its_reason_never_loaded_as_usd(fixture_path):
    rows = rows_of(fixture_path, "aws")
    cny = [r for r in rows if r["region"] == "cn-north-1"]
    assert cny and all(isinstance(r["price_usd_per_gpu_hour"], str) for r in cny)


# --------------------------------------------------------------------------- fetch

@responses.activate
def test_fetch_reads_v8_and_falls_back_to_v7_per_cloud(client, fixture_path):
    body = fixture_path("skypilot_catalog_lambda.csv").read_bytes()
    for cloud in src.CLOUDS:
        if cloud == "lambda":
            responses.get(src.BASE.format(version="v8", cloud=cloud), status=404, body="Not Found")
            responses.get(src.BASE.format(version="v7", cloud=cloud), body=body)
        elif cloud == "hyperbolic":  # in neither version: skipped
            responses.get(src.BASE.format(version="v8", cloud=cloud), status=404)
            responses.get(src.BASE.format(version="v7", cloud=cloud), status=404)
        else:
            responses.get(src.BASE.format(version="v8", cloud=cloud), body=body)
    payloads = src.fetch(client)
    assert [p.name for p in payloads] == [f"{c}_vms.csv" for c in src.CLOUDS if c != "hyperbolic"]
    lam = next(p for p in payloads if p.name == "lambda_vms.csv")
    assert "/v7/lambda/" in lam.url and src.cloud_of(lam) == "lambda"


@responses.activate
def test_an_html_error_page_fetched_fails_in_parse(client):
    for cloud in src.CLOUDS:
        responses.get(src.BASE.format(version="v8", cloud=cloud), body="<html>rate limited</html>")
    payloads = src.fetch(client)  # CSV: the client cannot check JSON, the parser refuses HTML
    with pytest.raises(ValueError, match="got HTML"):
        list(src.parse(payloads[0]))


# --------------------------------------------------------------------------- real captures

@pytest.fixture
def real_seed(monkeypatch):
    monkeypatch.delenv("COMPUTEWATCH_SEED_DIR", raising=False)


def _capture(captures, relative: str) -> Payload:
    return Payload.from_file(captures / relative, url=f"replay:{relative}")


@pytest.mark.captures
def test_the_whole_gcp_file_prices_a3_h100_with_its_host(captures, real_seed):
    rows, skipped = src.read(_capture(captures, "skypilot/gcp/2026-04-02_anycloud-69b86f0b.csv"))
    assert len(rows) == 718 and skipped["TPU, not a GPU"] == 1648
    h100 = [r for r in rows if r["offer_id"] == "a3-highgpu-8g" and r["region"] == "us-central1"
            and r["price_type"] == "on_demand"]
    assert [round(r["price_usd_per_gpu_hour"], 4) for r in h100] == [5.3833]  # GPU 4.20076 + host 1.18251
    assert warehouse.validate("skypilot_catalog", rows).rejects == []


@pytest.mark.captures
def test_every_capture_parses_with_no_rejects(captures, real_seed):
    files = sorted((captures / "skypilot").glob("*/*.csv"))
    assert len(files) == 18
    per_cloud = Counter()
    for path in files:
        relative = path.relative_to(captures).as_posix()
        rows = list(src.parse(_capture(captures, relative)))
        assert rows, relative
        assert warehouse.validate("skypilot_catalog", rows).rejects == [], relative
        per_cloud[relative.split("/")[1]] += len(rows)
    assert per_cloud == Counter({"azure": 8874, "gcp": 2692, "lambda": 782, "vast": 64})


@pytest.mark.captures
def test_azure_11_field_rows_all_load(captures, real_seed):
    relative = "skypilot/azure/2026-04-02_anycloud-62971ab4.csv"
    with (captures / relative).open(newline="") as fh:
        records = list(csv.reader(fh))[1:]
    assert sum(len(r) == 11 for r in records) == 638  # PROVENANCE: 638 of 892 rows carry the extra field
    expected = {(r[0], r[8]) for r in records if r[1] and whole_count(r[2]) and (number(r[6]) or 0) > 0}
    rows = list(src.parse(_capture(captures, relative)))
    assert {(r["offer_id"], r["region"]) for r in rows} == expected
    assert Counter(r["gpu_model"] for r in rows)["H100 NVL"] == 112


@pytest.mark.captures
def test_cli_parse_works_on_any_capture(captures):
    path = captures / "skypilot" / "lambda" / "2026-04-20_anycloud-57380178.csv"
    out = subprocess.run([sys.executable, "-m", "etl", "parse", "skypilot_catalog", str(path)], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout.splitlines()
    assert len(out) == 272 and {json.loads(line)["provider"] for line in out} == {"lambda"}
