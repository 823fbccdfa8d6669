import csv
from pathlib import Path

import pytest

from etl import warehouse
from etl.sources import seed

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "seed"


@pytest.fixture
def fixture_seed(monkeypatch):
    monkeypatch.setenv("COMPUTEWATCH_SEED_DIR", str(ROOT / "tests" / "fixtures" / "seed"))


def rows_of(client=None):
    return [r for p in seed.fetch(client) for r in seed.parse(p)]


def test_seed_parses_each_file_into_its_table(fixture_seed):
    rows = rows_of()
    by_table = {}
    for r in rows:
        by_table.setdefault(r["table"], []).append(r)
    assert len(by_table["market_shares"]) == 4
    cma = [r for r in by_table["market_shares"] if r["market"] == "uk_cloud_cma"][0]
    assert (cma["share_pct"], cma["share_low_pct"], cma["share_high_pct"]) == (35.0, 30.0, 40.0)
    users = [r for r in by_table["indicators"] if r["indicator"] == "chatgpt_monthly_users"][0]
    assert users["value"] == 180.5 and users["ref_url"] == "https://example.org/ct"


def test_seed_prices_get_canonical_names_and_segments(fixture_seed):
    prices = [r for r in rows_of() if r["table"] == "gpu_prices"]
    aws = [r for r in prices if r["provider"] == "aws"][0]
    assert aws["gpu_model"] == "H100 SXM" and aws["gpu_model_raw"] == "NVIDIA H100 80GB HBM3"
    assert aws["segment"] == "hyperscaler" and aws["price_usd_per_gpu_hour"] == 6.88


def test_market_index_prices_become_indicators(fixture_seed):
    index = [r for r in rows_of() if r["table"] == "indicators" and r["indicator"] == "gpu_rental_price_index"]
    assert len(index) == 1 and index[0]["entity"] == "H100 SXM" and index[0]["unit"] == "USD per GPU-hour"


def test_validation_rejects_unknown_provider_and_negative_price_with_reasons(fixture_seed):
    checked = warehouse.validate("seed", rows_of())
    reasons = sorted(reason for _, reason, _ in checked.rejects)
    assert len(reasons) == 2
    assert reasons[0].startswith("missing segment: provider 'unknowncloud'")
    assert reasons[1].startswith("non-positive price")
    assert len(checked.rows["gpu_prices"]) == 1


# ---- the real seed: every figure cited, the required series present

def read(name):
    with (SEED / name).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("name", ["market_shares.csv", "indicators.csv", "gpu_prices.csv"])
def test_every_seed_row_has_source_url_date_and_confidence(name):
    rows = read(name)
    assert rows
    for i, row in enumerate(rows, start=2):
        assert row["source_url"].startswith("http"), f"{name}:{i} source_url"
        assert len(row["source_date"]) == 10 and row["source_date"][4] == "-", f"{name}:{i} source_date"
        assert row["confidence"] in {"primary", "secondary", "tertiary", "uncertain"}, f"{name}:{i}"


def test_real_seed_loads_without_rejects():
    checked = warehouse.validate("seed", rows_of())
    assert checked.rejects == [], checked.rejects[:3]


def test_seed_has_the_required_series():
    indicators = read("indicators.csv")
    users = [r for r in indicators if r["indicator"] == "chatgpt_monthly_users" and r["period_label"] == "2024-01"]
    assert [float(r["value"]) for r in users] == [180.5]
    names = {r["indicator"] for r in indicators}
    assert {"nvidia_datacenter_revenue", "hyperscaler_capex", "chatgpt_weekly_active_users"} <= names
    shares = read("market_shares.csv")
    quarters = {r["period_label"] for r in shares if r["market"] == "cloud_infrastructure_synergy"}
    assert {q[:4] for q in quarters} >= {"2021", "2022", "2023", "2024", "2025"}
    assert read("gpu_prices.csv")


def test_weekly_and_monthly_chatgpt_users_are_never_mixed():
    for row in read("indicators.csv"):
        if row["indicator"].startswith("chatgpt_") and "users" in row["indicator"]:
            assert ("weekly" in row["indicator"]) != ("monthly" in row["indicator"]), row


def test_cloud_shares_never_exceed_100_per_quarter_and_market():
    totals = {}
    for r in read("market_shares.csv"):
        key = (r["period_label"], r["market"])
        totals[key] = totals.get(key, 0.0) + float(r["share_pct"])
    assert max(totals.values()) <= 100.5


def test_every_provider_has_a_valid_segment_and_reason():
    for row in read("providers.csv"):
        assert row["segment"] in {"hyperscaler", "neocloud", "marketplace", "depin"}, row
        assert row["reason"].strip(), row


def test_gpu_aliases_are_unique_across_models():
    seen = {}
    for row in read("gpu_models.csv"):
        for alias in [row["gpu_model"], *row["aliases"].split("|")]:
            key = alias.strip().lower()
            if key:
                assert seen.setdefault(key, row["gpu_model"]) == row["gpu_model"], f"{alias} twice"
