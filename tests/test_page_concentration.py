"""The Concentration page under AppTest: it runs, the simulators react, and its state lives in the URL."""

from __future__ import annotations

import os

import pytest

from dashboard.data import concentration as concentration_data
from dashboard.model import concentration as concentration_model
from etl import concentration as c
from etl import pipeline
from tests.conftest import open_page

SYNERGY = "Cloud infrastructure, worldwide (Synergy)"
CANALYS = "Cloud infrastructure, worldwide (Canalys)"
VAST = "Vast.ai hosts, H100 SXM"
OWNERS = "AI supercomputer capacity, by owner (Epoch AI clusters)"
# Synergy 2025Q4: AWS 28, Microsoft 21, Google 15, CoreWeave 1.26 (its published tail), every unlisted firm
# capped at Alibaba's 4% from the 2025Q2 tail (docs/METHODOLOGY.md §1.10): 8 firms of 4% and 2.74%
SHARES = [28, 21, 15, 1.26]
LOW = sum(x * x for x in SHARES)
HIGH = LOW + 8 * 4**2 + (100 - sum(SHARES) - 32) ** 2
KEYS = ["conc_guidelines", "conc_log", "conc_market", "conc_period", "conc_merge_a", "conc_merge_b",
        "conc_entry_share", "conc_entry_n"]


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def notices(at) -> str:
    return " ".join([w.value for w in at.warning] + [t.value for t in at.text])


def test_page_runs_and_leads_with_the_hhi_chart_and_the_market_panel(seeded_db):
    at = open_page("concentration")
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Market concentration"
    text = " ".join(m.value for m in at.markdown)
    assert "is **moderately concentrated**" in text and "far less concentrated" not in text
    assert len(at.get("plotly_chart")) >= 5  # HHI over time, shares, Lorenz, merger, entry
    assert at.selectbox(key="conc_market").value == SYNERGY
    assert at.selectbox(key="conc_period").value == "2025Q4"
    assert metric(at, "HHI") == f"{LOW:,.0f} to {HIGH:,.0f}" == "1,452 to 1,587"
    assert metric(at, "Top-4 share (CR4)") == "65% to 68%"  # the 4th firm at most Alibaba's 4%
    assert metric(at, "Equivalent firms") == "6.3 to 6.9"
    assert metric(at, "Nakamoto coefficient") == "3"
    infos = " ".join(i.value for i in at.info)
    assert ("Moderately concentrated under the 2023 US Merger Guidelines: HHI 1,452 to 1,587, whichever "
            "assumption holds.") in infos
    captions = " ".join(x.value for x in at.caption)
    assert "Basis: revenue" in captions and "Source:" in captions and "Licence:" in captions
    assert sum(b.label == "Download CSV" for b in at.get("download_button")) >= 5
    assert "Ignored" not in notices(at)


def test_merger_simulator_follows_the_chosen_firms(seeded_db):
    at = open_page("concentration")
    assert (at.selectbox(key="conc_merge_a").value, at.selectbox(key="conc_merge_b").value) == ("AWS", "Microsoft")
    assert metric(at, "Change (ΔHHI)") == "+1,176"  # 2 x 28 x 21
    assert metric(at, "HHI after") == f"{LOW + 1176:,.0f} to {HIGH + 1176:,.0f}"
    assert "Presumed to substantially lessen competition" in " ".join(i.value for i in at.info)

    at.selectbox(key="conc_merge_b").set_value("Google").run()
    assert not at.exception
    assert metric(at, "Change (ΔHHI)") == "+840"  # 2 x 28 x 15
    assert metric(at, "HHI after") == f"{LOW + 840:,.0f} to {HIGH + 840:,.0f}"
    assert metric(at, "Merged firm's share") == "43.0%"

    at.selectbox(key="conc_merge_a").set_value("Google").run()
    assert "Pick two different firms" in notices(at)


def numbers(text: str) -> list[float]:
    return [float(x.replace(",", "")) for x in text.split(" to ")]


def test_entry_slider_moves_the_hhi(seeded_db):
    def expected(share, n):
        lo, hi = ((1 - share / 100) ** 2 * h + share**2 / n for h in (LOW, HIGH))
        assert lo == pytest.approx(c.entry_hhi(SHARES, share, n))
        return pytest.approx([lo, hi], abs=0.51)

    at = open_page("concentration")
    assert numbers(metric(at, "HHI with entry")) == expected(10, 50)
    at.slider(key="conc_entry_share").set_value(30).run()
    assert not at.exception
    assert numbers(metric(at, "HHI with entry")) == expected(30, 50)
    at.select_slider(key="conc_entry_n").set_value(1).run()
    assert numbers(metric(at, "HHI with entry")) == expected(30, 1)


def test_every_page_widget_is_bound_to_the_url(seeded_db):
    at = open_page("concentration")
    widgets = {"conc_guidelines": at.get("button_group")[0], "conc_log": at.toggle(key="conc_log"),
               "conc_market": at.selectbox(key="conc_market"), "conc_period": at.selectbox(key="conc_period"),
               "conc_merge_a": at.selectbox(key="conc_merge_a"), "conc_merge_b": at.selectbox(key="conc_merge_b"),
               "conc_entry_share": at.slider(key="conc_entry_share"),
               "conc_entry_n": at.select_slider(key="conc_entry_n")}
    assert set(widgets) == set(KEYS)
    for key, widget in widgets.items():
        assert widget.proto.query_param_key == key, key


def test_url_round_trip_restores_market_period_and_guidelines(seeded_db):
    at = open_page("concentration")
    at.selectbox(key="conc_market").set_value(CANALYS).run()
    at.selectbox(key="conc_period").set_value("2023Q4").run()
    at.get("button_group")[0].set_value("US 2010").run()
    assert not at.exception
    # what the browser writes into the URL for the bound widgets: their option labels
    params = {"conc_market": at.selectbox(key="conc_market").value,
              "conc_period": at.selectbox(key="conc_period").value,
              "conc_guidelines": at.get("button_group")[0].value}
    assert params == {"conc_market": CANALYS, "conc_period": "2023Q4", "conc_guidelines": "US 2010"}

    shared = open_page("concentration", params)
    assert not shared.exception
    assert shared.selectbox(key="conc_market").value == CANALYS
    assert shared.selectbox(key="conc_period").value == "2023Q4"
    assert shared.get("button_group")[0].value == "US 2010"
    assert metric(shared, "HHI") == "1,617 to 1,966"  # Canalys Q4 2023: 34 / 19 / 10
    assert "2010 US Horizontal Merger Guidelines" in " ".join(i.value for i in shared.info)
    assert "Ignored" not in notices(shared)


def test_picking_another_market_keeps_a_valid_period_and_resets_an_invalid_one_quietly(seeded_db):
    at = open_page("concentration", {"conc_market": CANALYS, "conc_period": "2023Q4", "conc_merge_b": "Google"})
    assert (at.selectbox(key="conc_period").value, at.selectbox(key="conc_merge_b").value) == ("2023Q4", "Google")

    def pick_market(label):  # as the browser does: the URL follows the widget, other parameters stay
        at.selectbox(key="conc_market").set_value(label)
        at.query_params["conc_market"] = label
        at.run()

    pick_market(SYNERGY)
    assert at.selectbox(key="conc_period").value == "2023Q4"  # Synergy has that quarter too: kept
    pick_market("Cloud infrastructure, UK (CMA)")
    assert not at.exception
    assert at.selectbox(key="conc_period").value == "2024"  # the CMA has one year: back to the default
    assert "Ignored" not in notices(at)  # the user's own choice is not a bad URL


def test_a_bad_url_value_falls_back_with_a_notice(seeded_db):
    at = open_page("concentration", {"conc_market": "Not a market", "conc_guidelines": "US 1999",
                                     "conc_entry_share": "250"})
    assert not at.exception
    text = notices(at)
    assert "Ignored URL value conc_market=Not a market" in text
    assert "Ignored URL value conc_guidelines=US 1999" in text
    assert at.selectbox(key="conc_market").value == SYNERGY
    assert metric(at, "HHI") == "1,452 to 1,587"


def test_headline_for_overview(seeded_db):
    rows = concentration_data.rows()
    head = concentration_model.headline(rows)
    cloud = head.cloud
    assert (cloud.market, cloud.period_label) == ("cloud_infrastructure_synergy", "2025Q4")
    assert (cloud.hhi_low, cloud.hhi_high) == pytest.approx((LOW, HIGH))
    assert cloud.hhi_text == "1,452 to 1,587"
    assert cloud.verdict.startswith("Moderately concentrated under the 2023 US")
    assert head.marketplace == () and head.decentralised is None  # the seed has no marketplace offers
    us2010 = concentration_model.headline(rows, "us2010").cloud
    assert us2010.verdict.startswith("Between unconcentrated and moderately concentrated under the 2010 US")
    # across a threshold the reading names the assumption behind each end
    assert us2010.reading == (
        "The interval straddles the 2010 US Horizontal Merger Guidelines' 1,500 threshold: HHI 1,452 "
        "(unconcentrated) if the unpublished 34.7% is split among many small firms; 1,587 (moderately "
        "concentrated) if it is held by firms of 4% (Alibaba's share in the 2025Q2 published tail).")


def test_the_reading_follows_the_guidelines_and_names_what_drives_each_end(seeded_db):
    at = open_page("concentration", {"conc_guidelines": "US 2010"})
    assert not at.exception
    infos = " ".join(i.value for i in at.info)
    assert "straddles the 2010 US Horizontal Merger Guidelines' 1,500 threshold" in infos
    assert "Alibaba's share in the 2025Q2 published tail" in infos
    # a method break is named: 2025Q4 lists CoreWeave, and not Oracle, unlike 2025Q3
    assert "Method break in 2025Q4: listed firms change: +CoreWeave, -Oracle" in " ".join(x.value for x in at.caption)


@pytest.mark.captures
def test_page_with_the_vast_captures_shows_host_concentration_per_gpu_model(captures, tmp_path, monkeypatch):
    monkeypatch.setenv("COMPUTEWATCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("COMPUTEWATCH_DB", raising=False)
    with open(os.devnull, "w") as quiet:
        pipeline.run(mode="offline", log=quiet)
        pipeline.run(["vast"], mode="replay", replay_dir=captures, log=quiet)
    head = concentration_model.headline(concentration_data.rows())
    got = {m.gpu_model: (m.period_label, round(m.hhi)) for m in head.marketplace}
    assert got == {"H100 SXM": ("2026-03-04", 1304), "H200": ("2026-03-04", 2099), "L40S": ("2026-03-04", 3264)}
    assert all(m.basis == "capacity listed" for m in head.marketplace)

    at = open_page("concentration", {"conc_market": VAST})
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="conc_period").value == "2026-03-04"
    assert metric(at, "HHI") == "1,304"
    assert metric(at, "Vast.ai hosts, H200, 2026-03-04") == "2,099"
    assert "Moderately concentrated under the 2023 US Merger Guidelines: HHI 1,304." in " ".join(i.value for i in at.info)
    text = " ".join(m.value for m in at.markdown)
    assert "far less concentrated" not in text and "H100 SXM 1,304 (moderately concentrated)" in text
    assert "Different bases, not one scale" in " ".join(x.value for x in at.caption)
    assert at.selectbox(key="conc_merge_a").value.startswith("host ")

    capped = open_page("concentration", {"conc_market": "Vast.ai hosts, V100"})
    assert not capped.exception
    assert "Withheld from headlines and verdicts: sample capped" in notices(capped)
    assert capped.info[0].value.startswith("Withheld: sample capped")


@pytest.mark.captures
def test_owner_concentration_is_an_interval_withheld_for_coverage(replayed_db):
    at = open_page("concentration", {"conc_market": OWNERS, "conc_period": "end-2019"})
    assert not at.exception, [e.value for e in at.exception]
    assert metric(at, "HHI") == "494 to 2,207"  # undisclosed owners fragmented .. lumped
    assert "Withheld from headlines and verdicts: coverage about 10-20%" in notices(at)
    assert "Coverage:** about 10-20% of global AI compute" in " ".join(m.value for m in at.markdown)


# --------------------------------------------------------------------------- pure chart builders

def test_hhi_chart_colours_blocks_shades_bands_and_draws_intervals():
    import pandas as pd

    from dashboard.charts import BLOCK_COLORS
    from dashboard.charts import concentration as charts

    frame = pd.DataFrame({
        "period": pd.to_datetime(["2025-07-01", "2025-10-01", "2026-03-04", "2025-05-01"]),
        "period_label": ["2025Q3", "2025Q4", "2026-03-04", "2025-05"],
        "market": ["cloud_infrastructure_synergy"] * 2 + ["vast_hosts", "ai_compute_by_country_epoch"],
        "market_label": ["Cloud (Synergy)"] * 2 + ["Vast hosts", "Countries"],
        "block": ["centralised"] * 2 + ["decentralised", "centralised"],
        "hhi": [1470.5, 1693.0, 598.0, 5000.0], "hhi_low": [1419.0, 1450.0, 598.0, 5000.0],
        "hhi_high": [1522.0, 1936.0, 598.0, 5000.0], "bounded": [True, True, False, False],
        "n_entities": [4, 3, 76, 30],
    })
    fig = charts.hhi_over_time(frame, "us2023", hidden=("ai_compute_by_country_epoch",))
    traces = {t.name: t for t in fig.data}
    assert traces["Cloud (Synergy)"].line.color == BLOCK_COLORS["centralised"]
    assert traces["Vast hosts"].line.color == BLOCK_COLORS["decentralised"]
    assert traces["Countries"].visible == "legendonly"
    assert list(traces["Cloud (Synergy)"].error_y.array) == pytest.approx([51.5, 243.0])
    assert traces["Vast hosts"].error_y.array is None
    edges = sorted(s.y0 for s in fig.layout.shapes if s.type == "rect")
    assert edges == [0, 1000, 1800]
    eu = charts.hhi_over_time(frame, "eu2004")
    assert sorted(s.y0 for s in eu.layout.shapes if s.type == "rect") == [0, 1000, 2000]


def test_withheld_points_are_hollow_and_method_breaks_are_named_on_hover():
    import pandas as pd

    from dashboard.charts import concentration as charts

    frame = pd.DataFrame({
        "period": pd.to_datetime(["2025-07-01", "2025-10-01"]), "period_label": ["2025Q3", "2025Q4"],
        "market": ["m", "m"], "market_label": ["M"] * 2, "block": ["centralised"] * 2,
        "hhi": [1500.0, 1520.0], "hhi_low": [1450.0, 1450.0], "hhi_high": [1550.0, 1590.0],
        "bounded": [True, True], "n_entities": [3, 4], "withheld": [True, False],
        "withheld_reason": ["sample capped", None], "break_reason": [None, "listed firms change: +CoreWeave"],
    })
    trace = charts.hhi_over_time(frame).data[0]
    assert list(trace.marker.symbol) == ["circle-open", "circle"]
    assert "withheld: sample capped" in trace.text[0] and "method break" not in trace.text[0]
    assert "method break in the published list (listed firms change: +CoreWeave)" in trace.text[1]


def test_the_page_draws_down_to_its_first_chart_then_the_rest_when_the_browser_asks(seeded_db):
    """ui.rest_of_page: the first run stops below the first chart with the paint signal mounted, and
    keeps the link's values of the widgets below for the second run, which draws the whole page."""
    from streamlit.testing.v1 import AppTest

    from dashboard import ui
    from tests.conftest import APP

    whole = open_page("concentration")  # what the page draws in full
    at = AppTest.from_file(APP, default_timeout=90)
    at.switch_page("app_pages/concentration.py")
    at.query_params.update({"conc_market": CANALYS, "conc_entry_share": "30"})
    at.run()
    assert not at.exception and not at.warning
    assert [c.key for c in at.get("plotly_chart")] == [whole.get("plotly_chart")[0].key]
    assert [e.proto.component_name for e in at.get("bidi_component")] == ["computewatch.first_paint"]
    assert "Drawing the rest of the page" in " ".join(c.value for c in at.caption)
    assert dict(at.query_params) == {"conc_market": CANALYS, "conc_entry_share": "30"}  # nothing lost

    at.session_state[ui.PAINTED] = {"concentration"}  # what the signal's callback records
    at.run()
    assert not at.exception and not at.warning
    assert [c.key for c in at.get("plotly_chart")] == [c.key for c in whole.get("plotly_chart")]
    assert at.selectbox(key="conc_market").value == CANALYS
    assert at.slider(key="conc_entry_share").value == 30
    assert "Drawing the rest of the page" not in " ".join(c.value for c in at.caption)
    assert not at.get("bidi_component")
