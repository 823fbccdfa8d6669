"""epoch_hardware: gpu_specs rows from Epoch's ML hardware CSV, h100_equivalents, fetch and the real capture."""

from datetime import UTC, date, datetime

import pytest
import responses

from etl import warehouse
from etl.provenance import Payload
from etl.sources import epoch_hardware as src
from etl.sources.epoch_hardware import h100_equivalents

AT = datetime(2026, 3, 1, tzinfo=UTC)

GPU_MODELS = """gpu_model,aliases
H100 SXM,H100 SXM5|H100 SXM5 80GB
H100 NVL,
A100 80GB,A100 SXM4 80 GB
A100 40GB,A100|A100 SXM4 40 GB
MI300X,Instinct MI300X
B200,
"""
PROVIDERS = "provider,segment\n"


@pytest.fixture(autouse=True)
def seed(mini_seed):
    return mini_seed(GPU_MODELS, PROVIDERS)


def parsed(fixture_path):
    path = fixture_path("epoch_hardware.csv")
    return list(src.parse(Payload(path.read_bytes(), src.URL, AT, "ml_hardware.csv")))


def test_parse_one_spec_row_per_hardware(fixture_path):
    rows = parsed(fixture_path)
    assert [(r["hardware_name"], r["gpu_model"]) for r in rows] == [
        ("NVIDIA H100 SXM5 80GB", "H100 SXM"),
        ("NVIDIA A100 SXM4 80 GB", "A100 80GB"),
        ("NVIDIA A100", "A100 40GB"),
        ("NVIDIA A100 SXM4 40 GB", "A100 40GB"),
        ("AMD Instinct MI300X", "MI300X"),
        ("NVIDIA B200", "B200"),
        ("NVIDIA H100 NVL", "H100 NVL"),
        ("GroqChip LPU v1", "GroqChip LPU v1"),  # unknown: Epoch's spelling kept
        ("Huawei Ascend 970", "Huawei Ascend 970"),
    ]  # the blank-name line is skipped
    h100 = rows[0]
    assert h100 == {
        "table": "gpu_specs", "gpu_model": "H100 SXM", "hardware_name": "NVIDIA H100 SXM5 80GB",
        "vendor": "NVIDIA", "release_date": "2022-09-20", "memory_gb": 80.0, "fp16_dense_flops": 989.4e12,
        "fp8_flops": None, "tdp_w": 700.0, "release_price_usd": 33600.0,
        "ref_url": "https://resources.nvidia.com/en-us-tensor-core/nvidia-tensor-core-gpu-datasheet",
        "ref_date": "2025-10-29",
    }
    b200 = rows[5]
    assert (b200["fp16_dense_flops"], b200["fp8_flops"], b200["memory_gb"]) == (2.25e15, 4.5e15, 180.0)
    # H100 NVL has only the non-tensor FP16 column: dense tensor FP16 stays null, never guessed
    assert rows[6]["fp16_dense_flops"] is None and rows[6]["memory_gb"] == 94.0
    groq = rows[7]
    assert groq["vendor"] is None and groq["memory_gb"] == pytest.approx(0.23)
    assert rows[8]["release_date"] is None and rows[8]["fp8_flops"] == 4e15


def test_rows_validate_without_rejects(fixture_path):
    data = warehouse.validate("epoch_hardware", parsed(fixture_path))
    assert data.rejects == []
    assert len(data.rows["gpu_specs"]) == 9
    assert data.rows["gpu_specs"][0]["release_date"] == date(2022, 9, 20)


def test_h100_equivalents_from_dense_fp16(fixture_path):
    eq = h100_equivalents(parsed(fixture_path))
    assert eq["H100 SXM"] == 1.0
    assert eq["A100 80GB"] == pytest.approx(312 / 989.4) == pytest.approx(0.3153, abs=1e-4)
    assert eq["A100 40GB"] == pytest.approx(0.32, abs=0.005)
    assert eq["B200"] == pytest.approx(2250 / 989.4)
    assert "H100 NVL" not in eq and "GroqChip LPU v1" not in eq  # no dense FP16 figure


def test_h100_equivalents_is_order_independent_and_needs_the_reference():
    rows = [{"gpu_model": "H100 SXM", "fp16_dense_flops": 989.4e12}, {"gpu_model": "X", "fp16_dense_flops": 100e12},
            {"gpu_model": "X", "fp16_dense_flops": 200e12}, {"gpu_model": "Y", "fp16_dense_flops": None},
            {"gpu_model": "Z", "fp16_dense_flops": float("nan")}]
    assert h100_equivalents(rows) == h100_equivalents(list(reversed(rows)))
    assert h100_equivalents(rows)["X"] == pytest.approx(200 / 989.4)
    with pytest.raises(ValueError, match="no dense FP16 figure for 'H100 SXM'"):
        h100_equivalents([{"gpu_model": "A100 80GB", "fp16_dense_flops": 312e12}])


@pytest.mark.parametrize("body, match", [
    (b"<!doctype html><html><title>Epoch AI</title></html>", "got HTML"),
    (b"Name,Memory\nH100,80\n", "lacks columns"),
])
def test_malformed_payloads_raise_value_error(body, match):
    with pytest.raises(ValueError, match=match):
        list(src.parse(Payload(body, "x", AT)))


@responses.activate
def test_fetch_gets_the_csv(client, fixture_path):
    responses.get(src.URL, body=fixture_path("epoch_hardware.csv").read_bytes(), content_type="text/csv")
    payloads = src.fetch(client)
    assert [c.request.url for c in responses.calls] == [src.URL]
    assert [p.name for p in payloads] == ["ml_hardware.csv"]
    assert len(list(src.parse(payloads[0]))) == 9


def test_real_capture(captures):
    files = sorted(captures.glob(src.SOURCE.captures[0]))
    assert len(files) == 1
    rows = list(src.parse(Payload.from_file(files[0])))
    assert len(rows) == 169  # 169 hardware rows x 38 columns in the 2025-11-01 snapshot
    data = warehouse.validate("epoch_hardware", rows)
    assert data.rejects == [] and len(data.rows["gpu_specs"]) == 169
    h100 = next(r for r in rows if r["hardware_name"] == "NVIDIA H100 SXM5 80GB")
    assert (h100["gpu_model"], h100["vendor"], h100["release_date"]) == ("H100 SXM", "NVIDIA", "2022-09-20")
    assert (h100["memory_gb"], h100["fp16_dense_flops"], h100["tdp_w"], h100["release_price_usd"]) == (
        80.0, 989.4e12, 700.0, 33600.0)
    eq = h100_equivalents(rows)
    assert eq["H100 SXM"] == 1.0
    assert eq["A100 80GB"] == pytest.approx(0.3153, abs=1e-4)
    assert eq["MI300X"] == pytest.approx(1307.4 / 989.4)
