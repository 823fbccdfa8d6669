import pytest
from streamlit.testing.v1 import AppTest

from etl import sources
from tests.conftest import APP, open_page

PAGES = ["overview", "demand", "prices", "concentration", "scenarios", "sources"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_without_exception_and_shows_content(seeded_db, page):
    at = open_page(page)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, f"{page}: no title"
    assert len(at.get("plotly_chart")) + len(at.dataframe) + len(at.metric) > 0, f"{page}: nothing shown"


def test_charts_offer_their_data_and_name_a_source(seeded_db):
    at = open_page("demand")
    assert at.get("plotly_chart")
    captions = " ".join(c.value for c in at.caption)
    assert "Source:" in captions and "Licence:" in captions and "As of" in captions
    assert any(b.label == "Download CSV" for b in at.get("download_button"))


def test_data_and_sources_lists_every_registered_source(seeded_db):
    at = open_page("sources")
    table = at.dataframe[0].value
    assert set(sources.SOURCES) <= set(table["source"])
    assert {"licence", "citation", "last_ok", "status", "last_error"} <= set(table.columns)


def test_without_a_warehouse_the_app_says_how_to_build_one(tmp_path, monkeypatch, seeded_db):
    monkeypatch.setenv("COMPUTEWATCH_DB", str(tmp_path / "missing.duckdb"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "make run" in at.error[0].value


def test_url_parameter_restores_a_widget(seeded_db):
    at = open_page("sources", {"src_segment": "depin"})
    assert at.get("button_group")[0].value == "depin"
    assert not at.warning


def test_bad_url_value_is_ignored_with_a_notice(seeded_db):
    at = open_page("sources", {"src_segment": "not-a-segment"})
    assert not at.exception
    notices = " ".join(w.value for w in at.warning)
    assert "Ignored URL value `src_segment=not-a-segment`" in notices


def test_unknown_url_parameter_is_ignored_with_a_notice(seeded_db):
    at = open_page("sources", {"bogus": "1; DROP TABLE core.gpu_prices"})
    assert not at.exception
    assert "Ignored unknown URL parameter `bogus`" in " ".join(w.value for w in at.warning)
