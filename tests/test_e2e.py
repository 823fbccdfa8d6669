"""End-to-end tests in Debian Chromium: what a reader sees and does, on a small synthetic warehouse.

One served app and one browser for the module, on a warehouse from bench/make_warehouse.py (seed +
replayed captures when beside the checkout, else seed + test fixture, plus synthetic history).
Screenshots go to $COMPUTEWATCH_E2E_ARTIFACTS, else bench/out/e2e/ (gitignored), as test artefacts.
"""

from __future__ import annotations

import os
import shutil
import urllib.parse
from pathlib import Path

import pandas as pd
import pytest

from tests.browser import IDLE_JS, REST_PENDING, ROOT, chromium_available, serve, wait_rendered

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="Debian chromium not installed (.ci/run installs it)"),
]
CAPTURES = ROOT.parent / "shared" / "captures"
PAGES = ["", "demand", "prices", "concentration", "scenarios", "sources"]
CHART_PAGES = ["", "demand", "prices", "concentration", "scenarios"]
DESKTOP = {"width": 1400, "height": 1600}
PHONE = {"width": 390, "height": 844}
ROWS = 20_000  # enough synthetic history for every chart to have days, hosts and providers

# Per drawn chart: traces with points, and the colours a reader sees.
CHARTS_JS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(el => {
  const n = a => (a && a.length) || 0;
  const traces = el._fullData || [];
  const L = el._fullLayout || {};
  return {points: traces.reduce((s, t) => s + Math.max(n(t.x), n(t.y), n(t.values), n(t.z)), 0),
          traces: traces.length, notes: (L.annotations || []).length, paper: L.paper_bgcolor, plot: L.plot_bgcolor, font: L.font && L.font.color};
})"""
SIGNATURE_JS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(el =>
  JSON.stringify((el.data || []).map(t => [t.x, t.y, t.values, t.name])))"""


def artefacts() -> Path:
    folder = Path(os.environ.get("COMPUTEWATCH_E2E_ARTIFACTS") or ROOT / "bench" / "out" / "e2e")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def shot(page, name: str) -> None:
    page.screenshot(path=str(artefacts() / f"{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory):
    """A maintained warehouse (every loaded source fresh) and the same with vast stale, published
    by bench/make_warehouse.py through the real load path."""
    from bench.make_warehouse import make

    folder = tmp_path_factory.mktemp("e2e")
    captures = CAPTURES if CAPTURES.is_dir() else None
    quiet = open(os.devnull, "w")
    fresh, stale = str(folder / "fresh.duckdb"), str(folder / "stale.duckdb")
    make(fresh, ROWS, captures=captures, log=quiet)
    make(stale, ROWS // 4, captures=captures, stale=["vast"], log=quiet)
    served = str(folder / "warehouse.duckdb")
    shutil.copyfile(fresh, served)
    return {"served": served, "fresh": fresh, "stale": stale}


@pytest.fixture(scope="module")
def server(warehouses):
    with serve({"COMPUTEWATCH_DB": warehouses["served"]}) as base:
        yield base


def open_page(browser, url: str, viewport=DESKTOP, charts: bool = True, **context):
    page = browser.new_context(viewport=viewport, **context).new_page()
    page.goto(url)
    page.wait_for_selector('[data-testid="stApp"]', timeout=60000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]') && "
                           "document.querySelectorAll('[data-testid=\"stMain\"] *').length > 20", timeout=60000)
    if charts:
        page.wait_for_function("() => Array.from(document.querySelectorAll('.js-plotly-plot'))"
                               ".some(el => el._fullData && el._fullData.length)", timeout=60000)
    page.wait_for_function(IDLE_JS, timeout=60000)  # a long page's rest, drawn after its first chart
    return page


def settled(page) -> None:
    page.wait_for_function(IDLE_JS, timeout=60000)
    page.wait_for_timeout(800)
    page.wait_for_function(IDLE_JS, timeout=60000)


def params(page) -> dict[str, list[str]]:
    return urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)


def choose(page, label: str, option: str | None = None) -> str:
    """Pick `option` (default: the first one not selected) in the selectbox labelled `label`."""
    combo = page.get_by_role("combobox", name=label, exact=True)
    current = combo.input_value().strip()
    combo.click()
    page.keyboard.press("ArrowDown")  # a click alone does not always open the list
    options = page.get_by_role("option")
    options.first.wait_for(timeout=10000)
    names = [t.strip() for t in options.all_inner_texts()]
    pick = option or next(n for n in names if n != current)
    page.get_by_role("option", name=pick, exact=True).click()
    page.wait_for_function("() => !document.querySelector('[role=\"listbox\"]')", timeout=10000)
    return pick


# --------------------------------------------------------------------------- every page

@pytest.mark.parametrize("path", PAGES)
def test_every_page_draws_its_charts_with_data_and_no_error(server, browser, path):
    page = open_page(browser, f"{server}/{path}", charts=path in CHART_PAGES)
    settled(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    charts = page.evaluate(CHARTS_JS)
    shot(page, f"desktop-{path or 'overview'}")
    if path in CHART_PAGES:
        assert charts, "no chart drawn"
        # A chart without points must say why in an annotation (e.g. "the scenario equals the baseline").
        empty = [i for i, c in enumerate(charts) if c["points"] == 0 and c["notes"] == 0]
        assert not empty, f"charts {empty} of {len(charts)} drew no data points and no message"
        assert sum(c["points"] > 0 for c in charts) >= max(1, len(charts) - 1), charts
    page.context.close()


DRAWN_COUNT_JS = """() => {
  const n = Array.from(document.querySelectorAll('.js-plotly-plot'))
    .filter(el => el._fullData && el._fullData.length && el.querySelector('.main-svg')).length;
  return n > 0 ? n : false;
}"""


@pytest.mark.parametrize(("path", "least"), [("demand", 3), ("prices", 2), ("concentration", 5)])
def test_a_long_page_shows_its_first_chart_alone_then_draws_the_rest(server, browser, path, least):
    """The browser paints the first chart, then asks for the rest (dashboard.ui.rest_of_page)."""
    page = browser.new_context(viewport=DESKTOP).new_page()
    page.goto(f"{server}/{path}")
    first = page.wait_for_function(DRAWN_COUNT_JS, polling="raf", timeout=60000).json_value()
    wait_rendered(page)
    assert first == 1
    assert page.evaluate(DRAWN_COUNT_JS) >= least
    assert page.locator(REST_PENDING).count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0
    page.context.close()


# --------------------------------------------------------------------------- interactions

def test_scenario_slider_changes_the_result_and_its_permalink_restores_it(server, browser):
    page = open_page(browser, f"{server}/scenarios")
    settled(page)
    thumb = page.locator('[data-testid="stSlider"]').filter(has_text="GPU price change").first.get_by_role("slider")
    start = float(thumb.input_value())
    cards = page.locator('[data-testid="stMetricValue"]')
    before = cards.all_inner_texts()
    charts_before = page.evaluate(SIGNATURE_JS)
    thumb.focus()
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    target = start + 10
    page.wait_for_function(f"() => new URLSearchParams(location.search).get('gpu_price_change_pct') == '{target:g}'",
                           timeout=30000)
    settled(page)
    after = cards.all_inner_texts()
    assert after != before, "the result cards did not change"
    # the caption under the controls that the results fragment writes follows the slider too
    shock = page.locator('[data-testid="stCaptionContainer"]').filter(has_text=" per GPU-hour").filter(
        has_text=" on $")
    assert shock.first.inner_text().startswith(f"{target:+.0f}% on $")
    assert page.evaluate(SIGNATURE_JS) != charts_before, "the scenario charts did not change"
    link = page.locator('[data-testid="stTextInput"]').filter(has_text="Link to this scenario").locator("input") \
        .first.input_value().strip()
    assert "gpu_price_change_pct=" in link
    shot(page, "scenario-changed")

    shared = browser.new_context(viewport=DESKTOP).new_page()
    shared.goto(link)
    wait_rendered(shared)
    restored = shared.locator('[data-testid="stSlider"]').filter(has_text="GPU price change").first.get_by_role("slider")
    assert float(restored.input_value()) == target
    assert shared.locator('[data-testid="stMetricValue"]').all_inner_texts() == after
    shot(shared, "scenario-permalink")
    shared.context.close()
    page.context.close()


# Counts the forward messages (deltas and run events) the tab receives from the server.
COUNT_MESSAGES_JS = """() => {
  window.__received = 0;
  const Original = window.WebSocket;
  window.WebSocket = function (...args) {
    const socket = new Original(...args);
    socket.addEventListener('message', () => { window.__received += 1; });
    return socket;
  };
  window.WebSocket.prototype = Original.prototype;
}"""


def test_a_number_control_redraws_the_results_alone_unless_it_turns_a_control_on(server, browser):
    context = browser.new_context(viewport=DESKTOP)
    context.add_init_script(f"({COUNT_MESSAGES_JS})()")
    page = context.new_page()
    page.goto(f"{server}/scenarios")
    wait_rendered(page)
    settled(page)
    inactive = page.get_by_text("Inactive: no compute is bought from decentralised supply.")
    assert inactive.count() == 1
    sliders = page.locator('[data-testid="stSlider"]')

    def press(label: str) -> int:
        page.evaluate("window.__received = 0")
        sliders.filter(has_text=label).first.get_by_role("slider").focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(300)
        settled(page)
        return page.evaluate("window.__received")

    results_only = press("GPU price change")
    assert inactive.count() == 1  # the controls were not redrawn, and need not be
    with_controls = press("Decentralised compute share")  # from 0: the discount becomes active
    assert inactive.count() == 0
    assert with_controls - results_only >= sliders.count(), (results_only, with_controls, sliders.count())
    assert "decentralised_share=" in page.url and "gpu_price_change_pct=" in page.url
    context.close()


@pytest.mark.parametrize(("path", "label", "param"), [("prices", "GPU model", "pr_gpu"),
                                                      ("concentration", "Market", "conc_market")])
def test_a_filter_changes_the_url_and_the_chart(server, browser, path, label, param):
    page = open_page(browser, f"{server}/{path}")
    settled(page)
    before = page.evaluate(SIGNATURE_JS)
    picked = choose(page, label)
    page.wait_for_function(f"() => new URLSearchParams(location.search).get('{param}') !== null", timeout=30000)
    settled(page)
    assert params(page)[param] == [picked]
    assert page.evaluate(SIGNATURE_JS) != before, f"no chart changed after picking {picked!r}"
    shot(page, f"filter-{path}")
    page.context.close()


def test_a_charts_csv_downloads_and_parses(server, browser):
    page = open_page(browser, f"{server}/prices")
    settled(page)
    # The index chart's own Data view and button (by their keys): `.first` of all the page's buttons could
    # be another table's while a rerun was still drawing (seen once on a loaded machine).
    page.locator(".st-key-data_pr_index summary").click()
    button = page.locator(".st-key-csv_pr_index").get_by_role("button", name="Download CSV")
    button.wait_for(timeout=30000)
    with page.expect_download(timeout=30000) as download:
        button.click()
    frame = pd.read_csv(download.value.path())
    assert download.value.suggested_filename == "computewatch_price_index.csv"
    assert not frame.empty
    assert {"day", "gpu_model", "series", "p25", "median", "p75", "source"} <= set(frame.columns)
    assert frame["median"].gt(0).all()
    page.context.close()


def test_the_stale_banner_appears_when_a_source_is_stale(server, browser, warehouses):
    page = open_page(browser, server)
    banner = page.get_by_text("Stale data:")
    assert banner.count() == 0, "a fresh warehouse shows the stale banner"
    page.context.close()
    served = warehouses["served"]
    # Publish the stale warehouse the way the ETL does (atomic replace), then put the fresh one back.
    shutil.copyfile(warehouses["stale"], served + ".new")
    os.replace(served + ".new", served)
    try:
        page = open_page(browser, server)
        banner = page.get_by_text("Stale data:")
        banner.wait_for(timeout=30000)
        assert "vast" in banner.inner_text()
        shot(page, "stale-banner")
        page.context.close()
    finally:
        shutil.copyfile(warehouses["fresh"], served + ".new")
        os.replace(served + ".new", served)


# --------------------------------------------------------------------------- phone and dark theme

# Visible elements of the main area that stick out of the viewport.
CLIPPED_JS = """() => {
  const vw = document.documentElement.clientWidth, out = [];
  // Content inside a box that fits the viewport and clips or scrolls its overflow (a table, a
  // multiselect's typing field) is that widget's own design, reachable or deliberately hidden.
  const contained = el => { for (let p = el.parentElement; p; p = p.parentElement) {
      const s = getComputedStyle(p), r = p.getBoundingClientRect();
      if (s.overflowX !== 'visible' && r.left >= -1 && r.right <= vw + 1) return true; }
    return false; };
  // Plotly's own SVG (legends, tick labels) is clipped by the chart's box, which is checked itself.
  for (const el of document.querySelectorAll('[data-testid="stMain"] *')) {
    if (el.closest('svg')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
    if ((r.right > vw + 1 || r.left < -1) && !contained(el))
      out.push(`${el.tagName.toLowerCase()}.${el.getAttribute('data-testid') || el.getAttribute('class')}`.slice(0, 80) + ` ${Math.round(r.left)}-${Math.round(r.right)}`);
  }
  return {viewport: vw, page: document.documentElement.scrollWidth, clipped: out.slice(0, 10), n: out.length};
}"""
SIDEBAR_JS = """() => {
  const main = document.querySelector('[data-testid="stMain"]').getBoundingClientRect();
  const bar = document.querySelector('[data-testid="stSidebar"]');
  const r = bar ? bar.getBoundingClientRect() : {left: 0, right: 0, width: 0};
  const shown = bar && bar.getAttribute('data-collapsed') !== 'true' && r.right > 0 && r.width > 0;
  const vw = document.documentElement.clientWidth;
  return {main_width: main.width, main_left: main.left, sidebar_covers: shown ? Math.max(0, Math.min(r.right, vw) - Math.max(r.left, 0)) / vw : 0};
}"""


@pytest.mark.parametrize("path", PAGES)
def test_on_a_phone_nothing_is_clipped(server, browser, path):
    page = open_page(browser, f"{server}/{path}", viewport=PHONE, charts=path in CHART_PAGES)
    settled(page)
    found = page.evaluate(CLIPPED_JS)
    shot(page, f"phone-{path or 'overview'}")
    assert found["page"] <= found["viewport"] + 1, f"the page scrolls sideways: {found}"
    assert found["n"] == 0, f"{found['n']} elements stick out of the {found['viewport']}px viewport: {found['clipped']}"
    page.context.close()


def test_on_a_phone_the_sidebar_leaves_the_page_usable(server, browser):
    # The sidebar's initial state is the app's (app.py), the same on every page: one page tells.
    page = open_page(browser, f"{server}/prices", viewport=PHONE)
    settled(page)
    layout = page.evaluate(SIDEBAR_JS)
    assert layout["sidebar_covers"] < 0.5, f"the sidebar covers {layout['sidebar_covers']:.0%} of the viewport"
    assert layout["main_width"] >= PHONE["width"] * 0.9 and layout["main_left"] >= -1, layout
    page.context.close()


def luminance(colour: str) -> float:
    """Relative luminance (WCAG 2.x) of 'rgb(r, g, b)', 'rgba(...)' or '#rrggbb'."""
    colour = colour.strip()
    if colour.startswith("#"):
        rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    else:
        rgb = [float(v) for v in colour[colour.index("(") + 1:-1].split(",")[:3]]
    lin = [c / 255 / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def transparent(colour: str | None) -> bool:
    return not colour or colour == "transparent" or (colour.startswith("rgba") and colour.replace(" ", "").endswith(",0)"))


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_luminance_and_contrast_follow_wcag():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("rgb(255, 255, 255)", "rgba(255, 255, 255, 1)") == pytest.approx(1.0)
    assert transparent("rgba(0, 0, 0, 0)") and not transparent("rgb(0, 0, 0)")


@pytest.fixture(scope="module")
def dark_server(warehouses):
    # .streamlit/config.toml pins the light theme and the viewer toolbar has no theme switch, so the
    # dark theme is the same app served with theme.base = dark.
    with serve({"COMPUTEWATCH_DB": warehouses["fresh"], "STREAMLIT_THEME_BASE": "dark"}) as base:
        yield base


@pytest.mark.parametrize("path", CHART_PAGES)
def test_in_the_dark_theme_every_chart_follows_the_theme(dark_server, browser, path):
    page = open_page(browser, f"{dark_server}/{path}", color_scheme="dark")
    settled(page)
    background = page.evaluate("() => getComputedStyle(document.querySelector('[data-testid=\"stApp\"]')).backgroundColor")
    shot(page, f"dark-{path or 'overview'}")
    assert luminance(background) < 0.2, f"the app is not dark: {background}"
    for i, chart in enumerate(page.evaluate(CHARTS_JS)):
        paper = background if transparent(chart["paper"]) else chart["paper"]
        assert contrast(chart["font"], paper) >= 4.5, f"chart {i}: text {chart['font']} on {paper}"
        assert contrast(paper, background) < 1.5, f"chart {i}: paper {paper} on a {background} page"
    page.context.close()
