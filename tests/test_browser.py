import pytest

from tests.browser import chromium_available, serve, wait_rendered

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="Debian chromium not installed (.ci/run installs it)"),
]
PAGES = {"": "ComputeWatch", "demand": "Demand", "prices": "GPU prices", "concentration": "concentration",
         "scenarios": "pass-through", "sources": "Data & sources", "methodology": "methodology"}
CHART_PAGES = {"", "demand", "prices", "concentration", "scenarios"}


@pytest.fixture(scope="module")
def server(_seeded_file):
    with serve({"COMPUTEWATCH_DB": _seeded_file}) as base:
        yield base


@pytest.mark.parametrize("path", list(PAGES))
def test_page_renders_in_chromium_without_error(server, browser, path, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    page.goto(f"{server}/{path}")
    wait_rendered(page)
    if path in CHART_PAGES:
        page.wait_for_selector(".js-plotly-plot", timeout=30000)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert PAGES[path].lower() in page.locator("h1").first.inner_text().lower()
    if path in CHART_PAGES:
        assert page.locator(".js-plotly-plot").count() > 0, "no chart drawn"
    page.screenshot(path=str(tmp_path / f"{path or 'overview'}.png"), full_page=True)
    page.close()


def test_widget_state_goes_into_the_url_and_back(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1200})
    page.goto(f"{server}/sources")
    wait_rendered(page)
    page.get_by_role("radio", name="depin", exact=True).click()
    page.wait_for_function("() => window.location.search.includes('src_segment=depin')", timeout=30000)
    shared = page.url
    page.close()
    other = browser.new_page(viewport={"width": 1400, "height": 1200})
    other.goto(shared)
    wait_rendered(other)
    depin = other.get_by_role("radio", name="depin", exact=True)
    depin.wait_for(timeout=30000)
    assert depin.get_attribute("aria-checked") == "true"
    assert other.get_by_role("radio", name="all", exact=True).get_attribute("aria-checked") == "false"
    other.close()
