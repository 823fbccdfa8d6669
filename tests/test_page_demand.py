"""The Demand page under AppTest: runs on the seed, explorer state round-trips through the URL, bad URL
values fall back with a notice, and the training-compute fit on Epoch's data lands in Epoch's range."""

import json
import os
import re
from pathlib import Path

import pytest

from dashboard import state
from etl import pipeline
from tests.conftest import open_page

NVIDIA = "NVIDIA data-centre revenue (fiscal quarters)"
WAU = "ChatGPT weekly active users"
MAU = "ChatGPT monthly users (third-party estimates)"
EXPLORER = ("dm_series", "dm_window", "dm_mode", "dm_base", "dm_log")


def figures(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def titles(at) -> list[str]:
    return [f["layout"].get("title", {}).get("text") or "" for f in figures(at)]


def url_notices(at) -> str:
    return " ".join([w.value for w in at.warning if "link" in w.value] + [t.value for t in at.text if "URL" in t.value])


def test_page_runs_on_the_seed_with_headlines_and_finding_titles(seeded_db):
    at = open_page("demand")
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Demand for AI compute"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Big-4 capex, 2025Q4"] == "$128bn"
    assert metrics["NVIDIA DC revenue, FY2026 Q4"] == "$62.3bn"
    shown = " | ".join(titles(at))
    assert "NVIDIA data-centre revenue was $62.3bn in FY2026 Q4, up 75% year on year" in shown
    assert "Big-4 hyperscaler capex reached $128bn in 2025Q4" in shown
    assert "800M weekly active users" in shown
    assert not url_notices(at)
    # every chart goes through ui.chart: a source caption and a CSV per chart
    assert len([b for b in at.get("download_button") if b.label == "Download CSV"]) >= len(at.get("plotly_chart"))


def test_weekly_and_monthly_users_are_separate_labelled_traces(seeded_db):
    at = open_page("demand")
    users = next(f for f in figures(at) if "ChatGPT reached" in f["layout"]["title"]["text"])
    names = [t["name"] for t in users["data"]]
    assert any("Weekly active users" in n for n in names) and any("Monthly users" in n for n in names)
    monthly = next(t for t in users["data"] if "Monthly users" in t["name"])
    assert monthly["mode"] == "markers+text"  # never joined to the weekly line
    assert WAU in at.multiselect(key="dm_series").options and MAU in at.multiselect(key="dm_series").options


def test_lifecycle_panel_says_plainly_there_is_no_split_and_cites_each_record(seeded_db):
    at = open_page("demand")
    assert any("No public, sourced estimate" in i.value for i in at.info)
    text = " ".join(m.value for m in at.markdown)
    assert "*estimate*" in text and "*reported*" in text and "Fine-tuning" in text
    assert len(re.findall(r"\]\(https://", text)) >= 8


def test_explorer_state_comes_from_the_url(seeded_db):
    params = {"dm_series": [WAU, NVIDIA], "dm_window": ["2023Q1", "2025Q4"], "dm_mode": "absolute", "dm_log": "false"}
    at = open_page("demand", params)
    assert not at.exception
    assert at.multiselect(key="dm_series").value == [WAU, NVIDIA]
    assert at.select_slider(key="dm_window").value == ("2023Q1", "2025Q4")
    assert at.radio(key="dm_mode").value == "absolute" and at.toggle(key="dm_log").value is False
    assert not url_notices(at)
    layout = figures(at)[0]["layout"]
    axes = {k: v for k, v in layout.items() if k.startswith("yaxis")}
    # absolute values in two units: one panel per unit, linear, titled with its unit
    assert sorted(a["title"]["text"] for a in axes.values()) == ["USD bn", "million"]
    assert {a["type"] for a in axes.values()} == {"linear"}


def test_explorer_widgets_round_trip_through_the_url(seeded_db):
    at = open_page("demand")
    at.multiselect(key="dm_series").unselect(NVIDIA).select(MAU)
    at.select_slider(key="dm_window").set_value(("2024Q1", "2025Q4"))
    at.radio(key="dm_mode").set_value("indexed")
    at.selectbox(key="dm_base").set_value("2024Q2")
    at.toggle(key="dm_log").set_value(False)
    at.run()
    assert not at.exception
    chosen = {k: at.session_state[k] for k in EXPLORER}
    assert chosen["dm_base"] == "2024Q2" and chosen["dm_log"] is False and MAU in chosen["dm_series"]
    indexed = figures(at)[0]
    assert indexed["layout"]["yaxis"]["title"]["text"].startswith("Index (=100")
    assert indexed["layout"]["yaxis"]["type"] == "linear"
    # what the browser would put in the URL (non-default values), opened as a fresh session
    url = {"dm_series": list(chosen["dm_series"]), "dm_window": state._serialise(chosen["dm_window"]),
           "dm_base": chosen["dm_base"], "dm_log": state._serialise(chosen["dm_log"])[0]}
    again = open_page("demand", url)
    assert not again.exception and not url_notices(again)
    assert {k: again.session_state[k] for k in EXPLORER} == chosen


def test_indexed_series_are_100_at_the_chosen_base(seeded_db):
    at = open_page("demand", {"dm_series": [NVIDIA], "dm_base": "2023Q1", "dm_log": "false"})
    trace = figures(at)[0]["data"][0]
    assert trace["name"].endswith("(=100 at 2023-01-01)")  # interpolated: 2023-01-01 lies inside the series
    at.session_state["data_dm_explorer"] = True  # open the chart's Data view
    at.run()
    data = next(d.value for d in at.dataframe if "index" in d.value.columns)  # the chart's Data table
    index = data.set_index(data["period"].dt.strftime("%Y-%m-%d"))["index"]
    # FY2023 Q3 (from 2022-08-01) = 3.8 and FY2024 Q1 (from 2023-02-01) = 4.28: 2023-01-01 lies between them,
    # where the geometric interpolation gives 3.8 * (4.28 / 3.8) ** (153 / 184)
    base = 3.8 * (4.28 / 3.8) ** (153 / 184)
    assert index["2023-02-01"] == pytest.approx(4.28 / base * 100)
    assert index["2022-08-01"] == pytest.approx(3.8 / base * 100)


def test_bad_url_values_fall_back_with_a_notice(seeded_db):
    at = open_page("demand", {"dm_mode": "sideways", "dm_series": [WAU, "No such series"], "dm_tc_since": "1850"})
    assert not at.exception
    notices = url_notices(at)
    assert "Ignored URL value dm_mode=sideways" in notices
    assert "Ignored URL value dm_series=" in notices
    assert "Ignored URL value dm_tc_since=1850" in notices
    assert at.radio(key="dm_mode").value == "indexed"
    assert at.multiselect(key="dm_series").value == [WAU]
    assert at.selectbox(key="dm_tc_since").value == 2010


def test_without_model_level_data_the_page_shows_epochs_published_rates(seeded_db):
    at = open_page("demand")
    assert any("epoch_models" in i.value for i in at.info)
    text = " ".join(m.value for m in at.markdown)
    assert "Epoch AI's published estimates" in text and "4.1x per year" in text and "4-5x per year" in text


@pytest.fixture
def epoch_db(tmp_path, captures, monkeypatch):
    """A warehouse from the seed plus Epoch's notable models replayed from the captures."""
    if not Path(pipeline.__file__).with_name("sources").joinpath("epoch_models.py").exists():
        pytest.skip("etl/sources/epoch_models.py is not there yet")
    monkeypatch.setenv("COMPUTEWATCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("COMPUTEWATCH_DB", raising=False)
    pipeline.run(mode="offline", log=open(os.devnull, "w"))
    report = pipeline.run(["epoch_models"], mode="replay", replay_dir=captures, log=open(os.devnull, "w"))
    assert not report.failed and report.results, "epoch_models did not replay from the captures"
    return tmp_path


def test_training_compute_fit_on_epoch_data_lands_in_epochs_range(epoch_db):
    at = open_page("demand")
    assert not at.exception, [e.value for e in at.exception]
    training = next(f for f in figures(at) if "training compute grew" in f["layout"]["title"]["text"])
    fits = [t["name"] for t in training["data"] if "x per year" in (t.get("name") or "")]
    factors = {n.split(":")[0]: float(re.search(r": ([\d.]+)x per year", n).group(1)) for n in fits}
    assert set(factors) == {"All notable models", "Frontier models"}
    for name, factor in factors.items():
        assert 3.5 <= factor <= 5.5, (name, factor)
    assert training["layout"]["yaxis"]["type"] == "log"
    assert any("95% CI" in n for n in fits)
    headline = next(m for m in at.metric if m.label.startswith("Training compute growth"))
    assert 3.5 <= float(headline.value.split("x")[0]) <= 5.5
    assert "is inside that range" in " ".join(m.value for m in at.markdown)
    # the domain filter refits: language models alone still give a trend with its interval
    at.selectbox(key="dm_tc_domain").set_value("Language").run()
    assert not at.exception
    assert any("x per year" in (t.get("name") or "") for f in figures(at) for t in f["data"])


def test_without_a_first_chart_the_page_is_drawn_whole_at_once(seeded_db):
    """ui.rest_of_page waits for a painted chart only where the part above drew one: with no series
    picked there is none, so the first run draws the whole page (no paint signal)."""
    from streamlit.testing.v1 import AppTest

    from tests.conftest import APP

    at = AppTest.from_file(APP, default_timeout=90)
    at.switch_page("app_pages/demand.py")
    at.query_params["dm_series"] = ""  # an empty multiselect: nothing to explore
    at.run()
    assert not at.exception
    assert not at.get("bidi_component")
    assert {"dm_nvidia", "dm_users"} <= {c.key.removeprefix("fig_") for c in at.get("plotly_chart")}
