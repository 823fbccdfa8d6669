"""cloud-gpus.github.io table and its derived price history: fixtures, fetch, real captures."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import responses

from etl import reference, warehouse
from etl.provenance import Payload
from etl.sources import cloud_gpus

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def parse(path: Path, name: str | None = None):
    return list(cloud_gpus.parse(Payload(path.read_bytes(), "test", AT, name or path.name)))


@pytest.mark.parametrize("raw, price, offered", [
    ("$2.49", 2.49, True), ("$.99", 0.99, True), ("$.16", 0.16, True), ("3.44", 3.44, True), ("$4.096", 4.096, True),
    ("-", None, False), ("$-", None, False), ("$", None, False), ("", None, False), (None, None, False),
    ("€1.375", None, True), ("$2.2.44", None, True)])
def test_parse_price(raw, price, offered):
    got, problem, is_offered = cloud_gpus.parse_price(raw)
    assert (got, is_offered) == (price, offered)
    assert (problem is not None) == (offered and price is None)


def test_table_rows_are_per_gpu_hour_list_prices_with_region_and_source(fixture_path):
    out = parse(fixture_path("cloud_gpus_cloud_gpu.json"))
    by = {(r["provider"], r["gpu_model_raw"]): r for r in out}
    assert sorted(by) == [("aws", "costa100_40"), ("aws", "costa100_80"), ("aws", "costv100"),
                          ("lambda", "costa100_80"), ("lambda", "costh100"), ("lambda", "costl40s"),
                          ("seeweb", "costh100"), ("seeweb", "costl40s")]
    aws = by[("aws", "costa100_40")]
    assert (aws["price_usd_per_gpu_hour"], aws["gpu_model"], aws["region"]) == (4.096, "A100 40GB", "Worldwide")
    assert aws["ref_url"].startswith("https://calculator.aws/") and aws["observed_at"] == AT
    assert by[("lambda", "costh100")]["ref_url"] == "https://lambdalabs.com/service/gpu-cloud"  # no pricing-source
    assert by[("lambda", "costa100_80")]["price_usd_per_gpu_hour"] == 0.99
    assert {r["price_type"] for r in out} == {"on_demand"} and {r["gpu_count"] for r in out} == {1}
    assert aws["segment"] == reference.segment_for("aws")


def test_euro_and_malformed_prices_are_rejected_with_their_reason(fixture_path):
    data = warehouse.validate("cloud_gpus", parse(fixture_path("cloud_gpus_cloud_gpu.json")))
    assert len(data.rows["gpu_prices"]) == 6
    notes = sorted(record["note"] for _, _, record in data.rejects)
    assert notes == ["Seeweb: $2.2.44; unparseable price '$2.2.44'",
                     "Seeweb: €0.85; price '€0.85' is in EUR, not converted"]


def test_history_rows_are_dated_by_commit_with_renamed_providers_folded(fixture_path):
    out = parse(fixture_path("cloud_gpus_price_changes.csv"))
    assert [(r["observed_at"], r["provider"], r["gpu_model_raw"], r["price_usd_per_gpu_hour"]) for r in out] == [
        ("2022-10-19", "aws", "costv100", 0.918), ("2023-02-09", "coreweave", "costh100", 4.25),
        ("2023-03-01", "gcp", "costt4", 0.16),  # "$.16" is 0.16, not the CSV's 16.0
        ("2023-05-05", "exoscale", "costv100", None),  # EUR: rejected later, with the reason in note
        ("2024-01-02", "fluidstack", "costa100_80", 1.49)]  # "$-" (withdrawn) makes no row
    assert out[1]["ref_url"] == "https://github.com/cloud-gpus/cloud-gpus.github.io/commit/1a2b3c4d5e"
    assert out[1]["ref_date"] == "2023-02-09" and "commit 1a2b3c4d5e" in out[1]["note"]
    assert out[0]["gpu_model"] == "V100" and out[1]["gpu_model"] == "H100 SXM"


def test_a_history_file_without_its_columns_fails_loudly():
    with pytest.raises(ValueError, match="lacks columns"):
        list(cloud_gpus.parse(Payload(b"a,b\n1,2\n", "t", AT, "price_changes.csv")))
    with pytest.raises(ValueError, match="cloud_gpus"):
        list(cloud_gpus.parse(Payload(b'{"rows": []}', "t", AT, "cloud_gpu.json")))


@responses.activate
def test_fetch_gets_only_the_current_table(client, fixture_path):
    responses.add(responses.GET, cloud_gpus.JSON_URL, body=fixture_path("cloud_gpus_cloud_gpu.json").read_bytes(),
                  content_type="application/json")
    (payload,) = cloud_gpus.fetch(client)
    assert payload.name == "cloud_gpu.json" and len(list(cloud_gpus.parse(payload))) == 8
    # append, so a live run (table only) never deletes the history a replay loaded
    assert cloud_gpus.SOURCE.load == "append"
    assert cloud_gpus.SOURCE.captures == ("cloud_gpus/cloud_gpu.json", "cloud_gpus/price_changes.csv")


@pytest.mark.captures
def test_captures_make_one_row_per_offered_price(captures):
    table = captures / "cloud_gpus" / "cloud_gpu.json"
    history = captures / "cloud_gpus" / "price_changes.csv"
    entries = json.loads(table.read_text())["data"]
    assert len(entries) == 44
    offered = sum(1 for e in entries for k, v in e.items() if k.startswith("cost") and v.strip() not in ("-", ""))
    changes = [r for r in csv.DictReader(history.open()) if r["raw_value"].strip() not in ("-", "$-", "$", "")]
    now = list(cloud_gpus.parse(Payload.from_file(table)))
    past = list(cloud_gpus.parse(Payload.from_file(history)))
    assert len(now) == offered and len(past) == len(changes)
    data = warehouse.validate("cloud_gpus", now + past)
    reasons = {reason for _, reason, _ in data.rejects}
    assert len(data.rows["gpu_prices"]) > 800
    assert all("EUR" in r["note"] or "unparseable" in r["note"] or "puregpu" in reason
               for _, reason, r in data.rejects), reasons
    h100 = sorted((r["observed_at"], r["provider"], r["price_usd_per_gpu_hour"]) for r in past
                  if r["gpu_model_raw"] == "costh100")
    assert h100[0] == ("2023-02-09", "coreweave", 4.25)  # SOURCES.md: the first H100 entry
