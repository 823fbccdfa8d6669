import pytest
from streamlit.testing.v1 import AppTest

from etl import sources
from tests.conftest import APP, open_page

PAGES = ["overview", "demand", "prices", "concentration", "scenarios", "sources", "methodology"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_without_exception_and_shows_content(seeded_db, page):
    at = open_page(page)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, f"{page}: no title"
    shown = len(at.get("plotly_chart")) + len(at.dataframe) + len(at.metric) + len(at.markdown)
    assert shown > 0, f"{page}: nothing shown"


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
    assert at.warning  # the heading; the details are plain text (URL input is never markdown)
    notices = " ".join(t.value for t in at.text)
    assert "Ignored URL value src_segment=not-a-segment" in notices


def test_unknown_url_parameter_is_ignored_with_a_notice(seeded_db):
    at = open_page("sources", {"bogus": "1; DROP TABLE core.gpu_prices"})
    assert not at.exception
    assert "Ignored unknown URL parameter: bogus" in " ".join(t.value for t in at.text)


def test_methodology_page_renders_the_document_with_a_table_of_contents(seeded_db):
    from dashboard.text import methodology

    at = open_page("methodology")
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "ComputeWatch methodology"
    numbered = [s for s in methodology.read() if s.anchor and s.level >= 2]
    assert {"1.4", "1.5", "2.7", "4.1"} <= {s.number for s in numbered}
    contents = " ".join(m.value for m in at.markdown)
    for part in numbered:
        assert f"[{part.title}](#{part.anchor})" in contents  # every numbered section is linked
    assert [h.value for h in at.header] == [s.title for s in numbered if s.level == 2]
    assert [h.value for h in at.subheader] == [s.title for s in numbered if s.level == 3]


def test_methodology_sections_split_on_headings_and_number_their_anchors():
    from dashboard.text.methodology import sections, table_of_contents

    parts = sections("# Title\nIntro.\n## 1. Concentration\nText.\n### 1.4 Bounds\nLow and high.\n## Notes\n")
    assert [(p.level, p.title, p.body) for p in parts] == [
        (1, "Title", "Intro."), (2, "1. Concentration", "Text."), (3, "1.4 Bounds", "Low and high."), (2, "Notes", "")]
    assert [p.anchor for p in parts] == [None, "s1", "s1-4", None]
    assert table_of_contents(parts) == "- [1. Concentration](#s1)\n    - [1.4 Bounds](#s1-4)"
