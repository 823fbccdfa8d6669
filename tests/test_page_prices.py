"""The GPU prices page: renders on the seed, restores and validates its URL, and on replayed captures
shows H100 SXM prices in both blocks, with a unit toggle that changes the numbers."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import open_page


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _notices(at) -> str:
    return " ".join([w.value for w in at.warning] + [t.value for t in at.text])


def _money(text: str) -> float:
    return float(text.replace("$", "").replace(",", ""))


def test_page_leads_with_headlines_then_index_ladder_and_supply(seeded_db):
    at = open_page("prices")
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="pr_gpu").value == "H100 SXM"
    metrics = _metrics(at)
    assert {"Centralised median", "Decentralised median", "Decentralised / centralised", "Offers counted"} <= set(
        metrics)
    assert metrics["Centralised median"].startswith("$") and metrics["Decentralised median"].startswith("$")
    assert metrics["Decentralised / centralised"].endswith("×")
    assert len(at.get("plotly_chart")) >= 2  # index + ladder (the seed has no supply snapshots)
    assert any("No supply snapshots" in i.value for i in at.info)
    captions = " ".join(c.value for c in at.caption)
    assert "Source:" in captions and "Licence:" in captions
    assert sum(b.label == "Download CSV" for b in at.get("download_button")) >= 2
    assert "Ignored" not in _notices(at)


def test_filters_restore_from_the_url_and_stay_there(seeded_db):
    params = {"pr_gpu": "H100 PCIe", "pr_segment": "neocloud", "pr_price_type": "on_demand", "pr_log": "true",
              "pr_period": ["2024-01-01", "2026-06-30"], "pr_lookback": "any time", "pr_unit": "GPU-hour"}
    at = open_page("prices", params)
    assert not at.exception, [e.value for e in at.exception]
    assert "Ignored" not in _notices(at), _notices(at)
    assert at.selectbox(key="pr_gpu").value == "H100 PCIe"
    assert at.segmented_control(key="pr_segment").value == "neocloud"
    assert at.selectbox(key="pr_price_type").value == "on_demand"
    assert at.selectbox(key="pr_lookback").value == "any time"
    assert at.toggle(key="pr_log").value is True
    assert at.date_input(key="pr_period").value == (dt.date(2024, 1, 1), dt.date(2026, 6, 30))
    for key in ("pr_gpu", "pr_segment", "pr_price_type", "pr_log", "pr_lookback"):
        assert key in at.query_params, key  # non-default values stay in the shareable URL
    # a second visit with the same URL shows the same numbers
    again = open_page("prices", {k: at.query_params[k] for k in at.query_params})
    assert _metrics(again) == _metrics(at)
    # the segment filter applies: no decentralised provider is left on the ladder
    assert _metrics(at)["Decentralised median"] == "n/a"


def test_bad_url_values_are_ignored_with_a_notice(seeded_db):
    at = open_page("prices", {"pr_gpu": "Quantum 9000", "pr_unit": "furlongs", "pr_segment": "cloud",
                              "pr_period": ["1999-01-01", "2000-01-01"]})
    assert not at.exception, [e.value for e in at.exception]
    notices = _notices(at)
    for key in ("pr_gpu=Quantum 9000", "pr_unit=furlongs", "pr_segment=cloud", "pr_period="):
        assert f"Ignored URL value {key}" in notices, notices
    assert at.selectbox(key="pr_gpu").value == "H100 SXM"


def test_h100e_unit_without_hardware_data_says_so(seeded_db):
    at = open_page("prices", {"pr_unit": "H100e-hour"})
    assert not at.exception, [e.value for e in at.exception]
    assert "No dense FP16 figure" in _notices(at)


# --------------------------------------------------------------------------- replayed captures

@pytest.mark.captures
def test_replayed_captures_give_h100_sxm_prices_in_both_blocks(replayed_db):
    from dashboard import fmt
    from dashboard.data import prices as data
    from dashboard.model import prices as model

    opts = data.options()
    assert "H100 SXM" in opts.models
    ladder = data.ladder("H100 SXM", start=opts.first_day, end=opts.last_day, lookback_days=None)
    assert set(ladder["block"]) == {"centralised", "decentralised"}
    assert {"vast", "cloud_gpus"} <= set(ladder["source"])
    index = data.index("H100 SXM", start=opts.first_day, end=opts.last_day)
    assert set(index["series"]) == {"centralised", "decentralised"}
    assert (index["p25"] <= index["median"]).all() and (index["median"] <= index["p75"]).all()
    head = model.headline(data.headline_ladder())
    assert head.centralised.median and head.decentralised.median
    assert head.ratio == pytest.approx(head.decentralised.median / head.centralised.median)
    assert head.centralised.as_of and head.decentralised.as_of

    at = open_page("prices")
    assert not at.exception, [e.value for e in at.exception]
    assert _metrics(at)["Centralised median"] == fmt.price(head.centralised.median)
    assert len(at.get("plotly_chart")) == 3  # index, ladder and (Vast) supply


@pytest.mark.captures
def test_unit_toggle_changes_the_numbers(replayed_db):
    from dashboard.data import warehouse

    per_gpu = open_page("prices", {"pr_gpu": "A100 80GB"})
    per_h100e = open_page("prices", {"pr_gpu": "A100 80GB", "pr_unit": "H100e-hour"})
    assert not per_gpu.exception and not per_h100e.exception
    assert "Ignored" not in _notices(per_h100e)
    a, b = _metrics(per_gpu), _metrics(per_h100e)
    factor = warehouse.sql("SELECT h100e FROM marts.gpu_h100e WHERE gpu_model = 'A100 80GB'").iloc[0, 0]
    assert 0.2 < factor < 0.5  # an A100 does about a third of an H100's dense FP16
    for label in ("Centralised median", "Decentralised median"):
        assert _money(b[label]) == pytest.approx(_money(a[label]) / factor, rel=0.01)  # shown rounded
    assert b["Decentralised / centralised"] == a["Decentralised / centralised"]  # a ratio has no unit
    # an H100 SXM is one H100-equivalent: the same numbers either way
    assert _metrics(open_page("prices", {"pr_unit": "H100e-hour"}))["Centralised median"] == _metrics(
        open_page("prices"))["Centralised median"]


def test_empty_unit_in_the_url_falls_back_to_gpu_hours(seeded_db):
    at = open_page("prices", {"pr_unit": ""})
    assert not at.exception, [e.value for e in at.exception]
    captions = " ".join(c.value for c in at.caption)
    assert "H100 SXM, USD per GPU-hour." in captions and "H100-equivalent" not in captions
    assert _metrics(at) == _metrics(open_page("prices", {"pr_unit": "GPU-hour"}))
