"""aws_ec2: Vantage instances.json parser (GPU instances only, per GPU-hour), fetch retries and failures."""

import json
from datetime import UTC, datetime

import pytest
import responses

from etl import warehouse
from etl.http import FetchError
from etl.provenance import Payload
from etl.sources import aws_ec2 as src

AT = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)

GPU_MODELS = """gpu_model,aliases
H100 SXM,H100 SXM5
A100 80GB,A100 SXM4 80 GB
A100 40GB,
A10G,
L4,
"""
PROVIDERS = "provider,segment\naws,hyperscaler\n"


@pytest.fixture(autouse=True)
def seed(mini_seed):
    return mini_seed(GPU_MODELS, PROVIDERS)


def parsed(fixture_path):
    path = fixture_path("aws_ec2.json")
    return list(src.parse(Payload(path.read_bytes(), src.URL, AT, "instances.json")))


def test_parse_gpu_instances_linux_on_demand_and_spot_per_gpu(fixture_path):
    rows = parsed(fixture_path)
    got = [(r["offer_id"], r["region"], r["price_type"], r["gpu_model"], r["gpu_model_raw"], r["gpu_count"],
            round(r["price_usd_per_gpu_hour"], 6)) for r in rows]
    assert got == [
        ("p5.48xlarge", "us-east-1", "on_demand", "H100 SXM", "NVIDIA H100", 8, 6.88),
        ("p5.48xlarge", "us-east-1", "spot", "H100 SXM", "NVIDIA H100", 8, 3.784),
        ("p5.48xlarge", "us-west-2", "on_demand", "H100 SXM", "NVIDIA H100", 8, 6.88),
        ("p4de.24xlarge", "us-east-1", "on_demand", "A100 80GB", "NVIDIA A100", 8, 3.430881),
        ("g5.xlarge", "eu-west-1", "on_demand", "A10G", "NVIDIA A10G", 1, 1.123),
        ("g5.xlarge", "eu-west-1", "spot", "A10G", "NVIDIA A10G", 1, 0.4285),
        # unknown family: Vantage's GPU_model is kept as the (unknown) model, never dropped
        ("p9x.48xlarge", "us-east-1", "on_demand", "NVIDIA X900", "NVIDIA X900", 8, 12.0),
    ]
    assert all(r["provider"] == "aws" and r["segment"] == "hyperscaler" for r in rows)
    assert all(r["observed_at"] == AT for r in rows)


def test_non_gpu_fractional_windows_and_dedicated_are_skipped(fixture_path):
    rows = parsed(fixture_path)
    assert not {"m7i.large", "g6f.large"} & {r["offer_id"] for r in rows}
    # mswin (72.704) and dedicated (60.544) prices never appear
    assert {round(r["price_usd_per_gpu_hour"] * r["gpu_count"], 3) for r in rows} >= {55.04}
    assert not any(abs(r["price_usd_per_gpu_hour"] * 8 - 72.704) < 1e-6 for r in rows)
    assert not any(abs(r["price_usd_per_gpu_hour"] * 8 - 60.544) < 1e-6 for r in rows)


def test_rows_validate_without_rejects(fixture_path):
    data = warehouse.validate("aws_ec2", parsed(fixture_path), default_segment="hyperscaler")
    assert data.rejects == []
    assert len(data.rows["gpu_prices"]) == 7


def test_unparsable_price_is_yielded_and_rejected_not_dropped():
    doc = [{"instance_type": "p5.48xlarge", "GPU": 8, "GPU_model": "NVIDIA H100",
            "pricing": {"us-east-1": {"linux": {"ondemand": "call us"}}}}]
    rows = list(src.parse(Payload(json.dumps(doc).encode(), "x", AT)))
    data = warehouse.validate("aws_ec2", rows)
    assert len(rows) == 1 and [r for _, r, _ in data.rejects] == ["bad value: could not convert string to float: 'call us'"]


@pytest.mark.parametrize("body, match", [
    (b'{"instances": []}', "list of instance records"),
    (b'[{"instance_type": "m5.large", "pricing": {}}]', "'GPU' field"),
    (b'[{"GPU": 8}]', "instance_type/pricing"),
    (b"<html>oops</html>", "not JSON"),
])
def test_malformed_payloads_raise_value_error(body, match):
    with pytest.raises(ValueError, match=match):
        list(src.parse(Payload(body, "x", AT)))


def test_the_shape_only_capture_parses_to_nothing(captures):
    """The shared Vantage record is a non-GPU instance (shape only), so it gives no rows, yet parses."""
    path = captures / "vantage" / "instances-one-record.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    rows = list(src.parse(Payload(json.dumps([record]).encode(), "x", AT)))
    assert rows == []
    # the same record, made a GPU instance, prices from its real linux on-demand / spot_avg strings
    record.update(GPU=8, GPU_model="NVIDIA H100", instance_type="p5.48xlarge")
    rows = list(src.parse(Payload(json.dumps([record]).encode(), "x", AT)))
    east = {r["price_type"]: r["price_usd_per_gpu_hour"] for r in rows if r["region"] == "us-east-1"}
    assert east == {"on_demand": pytest.approx(26.676 / 8), "spot": pytest.approx(6.669 / 8)}


@responses.activate
def test_fetch_gets_the_one_instances_file(client, fixture_path):
    responses.get(src.URL, body=fixture_path("aws_ec2.json").read_bytes(), content_type="application/json")
    payloads = src.fetch(client)
    assert [p.name for p in payloads] == ["instances.json"]
    assert [c.request.url for c in responses.calls] == [src.URL]
    assert len(list(src.parse(payloads[0]))) == 7


@responses.activate
def test_fetch_html_instead_of_json_is_a_fetch_error(client):
    responses.get(src.URL, body="<html><body>Cloudflare</body></html>", content_type="text/html")
    with pytest.raises(FetchError, match="expected JSON, got HTML"):
        src.fetch(client)




def test_china_regions_are_priced_in_cny_and_rejected_never_loaded_as_usd():
    record = {"instance_type": "p4d.24xlarge", "GPU": 8, "GPU_model": "NVIDIA A100",
              "pricing": {"cn-north-1": {"linux": {"ondemand": "172.873412"}},
                          "us-east-1": {"linux": {"ondemand": "32.7726"}}}}
    rows = list(src.parse(Payload(json.dumps([record]).encode(), src.URL, AT, "instances.json")))
    data = warehouse.validate("aws_ec2", rows)
    assert [(r["region"], r["price_usd_per_gpu_hour"]) for r in data.rows["gpu_prices"]] == [("us-east-1", 32.7726 / 8)]
    [(_, reason, rejected)] = data.rejects
    assert "CNY, not USD" in reason and rejected["region"] == "cn-north-1"


def test_a_file_named_instances_cn_is_cny_whatever_its_regions():
    record = {"instance_type": "g5.xlarge", "GPU": 1, "pricing": {"ap-east-1": {"linux": {"ondemand": "9.0"}}}}
    [row] = src.parse(Payload(json.dumps([record]).encode(), src.URL, AT, "instances-cn.json"))
    assert row["price_usd_per_gpu_hour"] == "9 CNY, not USD (AWS China region)"


@pytest.mark.captures
def test_real_china_file_loads_nothing_as_usd(captures):
    path = captures / "vantage" / "instances-cn_gpu-subset_2026-01-21_tsaol-7412fd2.json"
    data = warehouse.validate("aws_ec2", list(src.parse(Payload.from_file(path))))
    assert data.rows["gpu_prices"] == [] and len(data.rejects) == 58
    assert all("CNY, not USD" in reason for _, reason, _ in data.rejects)


@pytest.mark.captures
def test_real_2017_shape_without_gpu_model_still_parses(captures):
    path = captures / "vantage" / "instances_gpu-subset_2017-11-12_vantage-94e1f006.json"
    rows = list(src.parse(Payload.from_file(path)))
    data = warehouse.validate("aws_ec2", rows)
    assert len(rows) == 75 and data.rejects == []  # PROVENANCE: 75 rows
    assert {r["gpu_model"] for r in rows} == {"K80", "M60", "V100"}
    assert {r["price_type"] for r in rows} == {"on_demand"}  # no spot_avg in 2017
    assert rows[0]["observed_at"].date().isoformat() == "2017-11-12"
