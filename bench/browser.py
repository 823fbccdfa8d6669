"""Browser probe: first drawn chart per page and slider-to-redraw latency, against a bare Streamlit floor app.

    python bench/browser.py                      # on a seed + replay warehouse, 9 runs
    COMPUTEWATCH_DB=/tmp/w.duckdb python bench/browser.py --runs 9 --json out.json
    python bench/browser.py --sessions 10        # also: ten concurrent sessions vs one, app and floor

In one run, headless Debian Chromium (never a downloaded browser) drives the dashboard and
bench/floor_app.py (one slider, one 500-point Plotly chart), both served by `streamlit run`,
interleaved (app, floor, app, floor, ...) so load on the shared machine hits both alike:

- first chart: from navigation start (performance.now() = 0 in the new page) to the first
  `.js-plotly-plot` whose traces Plotly has drawn, per page (Overview, Demand, GPU prices,
  Concentration, Scenarios) and on the floor;
- slider: from an ArrowRight key press on a focused slider to the first chart whose data differ
  from before (polled every animation frame): the scenario page's "GPU price change" slider, the
  concentration entry simulator's share slider, and the floor's slider;
- with --sessions N: the scenario slider with N sessions (browser contexts) pressing at once against
  one session, and the same for the floor's slider: the floor under N sessions shows what the
  machine itself allows (every browser shares its cores). Then the same with N - 1 "remote" sessions:
  their tabs get a stub for Plotly's chunk, so their charts are not drawn here (as a user's browser
  draws on the user's own machine) while the server does all their work (the same reruns, figures and
  messages); the one full session's latency is measured against that session alone;
- the tab's main-thread CPU for each of those (Chrome DevTools Protocol `Performance.getMetrics`
  TaskDuration in thread time, so load from other processes on the shared machine does not inflate it):
  from navigation to the first chart and to the end of the script run (idle), and per slider press;
- the dashboard server's peak memory: RSS of the streamlit process and its children, sampled
  every 0.2 s over the whole probe.

Medians over the runs (the first, cold run is included and also printed apart) and each median's
ratio to the floor's median.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import CHROMIUM, CHROMIUM_ARGS, IDLE_JS, chromium_available, streamlit_server  # noqa: E402

PAGES = {"overview": "", "demand": "demand", "prices": "prices", "concentration": "concentration",
         "scenarios": "scenarios"}
FLOOR_APP = ROOT / "bench" / "floor_app.py"
APP = ROOT / "dashboard" / "app.py"
VIEWPORT = {"width": 1400, "height": 1200}
TIMEOUT_MS = 120_000

# True once a Plotly chart has drawn traces: Plotly sets _fullData and draws .main-svg.
FIRST_CHART_JS = """() => {
  for (const el of document.querySelectorAll('.js-plotly-plot')) {
    if (el._fullData && el._fullData.length > 0 && el.querySelector('.main-svg')) return performance.now();
  }
  return false;
}"""
# A cheap fingerprint of every chart's data: lengths and a few values of each trace.
SIGNATURE_JS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(el =>
  JSON.stringify((el.data || []).map(t => {
    const pick = a => (a && a.length !== undefined) ? [a.length, Array.from(a).slice(0, 40)] : a;
    return [pick(t.x), pick(t.y), pick(t.base), pick(t.measure), t.name];
  })))"""
CHANGED_JS = """(before) => {
  const now = (""" + SIGNATURE_JS + """)();
  if (now.length === 0) return false;
  for (let i = 0; i < now.length; i++) { if (now[i] !== before[i]) return performance.now(); }
  return now.length !== before.length ? performance.now() : false;
}"""


# --------------------------------------------------------------------------- serving and memory

def tree_rss_mb(pid: int) -> float:
    """Resident memory of `pid` and all its descendants (from /proc), in MB."""
    total, todo, seen = 0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total / 1024


class PeakRss(threading.Thread):
    """Samples a process tree's RSS every `every` seconds; .peak_mb is the highest seen."""

    def __init__(self, pid: int, every: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.every, self.peak_mb = pid, every, 0.0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak_mb = max(self.peak_mb, tree_rss_mb(self.pid))
            self._stop_event.wait(self.every)

    def stop(self) -> float:
        self._stop_event.set()
        self.join(timeout=2)
        return self.peak_mb


@contextlib.contextmanager
def streamlit(app: Path, env: dict[str, str], timeout: float = 90.0):
    """`streamlit run app` on a free localhost port; yields (base URL, process)."""
    with streamlit_server(app, env, timeout=timeout) as served:
        yield served


@contextlib.contextmanager
def demo_warehouse():
    """COMPUTEWATCH_DB if set, else a throwaway seed + replayed-captures warehouse."""
    if os.environ.get("COMPUTEWATCH_DB"):
        yield os.environ["COMPUTEWATCH_DB"], "COMPUTEWATCH_DB"
        return
    from bench.make_warehouse import build_base

    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "warehouse.duckdb")
        build_base(db, ROOT.parent / "shared" / "captures", Path(tmp))
        yield db, "seed + replayed captures"


# --------------------------------------------------------------------------- probes

async def cpu_meter(page):
    """A function returning the tab's main-thread CPU seconds so far (DevTools TaskDuration, thread time)."""
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("Performance.enable", {"timeDomain": "threadTicks"})

    async def seconds() -> float:
        metrics = (await cdp.send("Performance.getMetrics"))["metrics"]
        return next(m["value"] for m in metrics if m["name"] == "TaskDuration")
    return seconds


async def first_chart(context, url: str) -> tuple[float, float, float]:
    """In a new tab: seconds from navigation start to the first drawn Plotly chart, and the tab's main-thread
    CPU seconds to that chart and to the end of the script run (every chart drawn)."""
    page = await context.new_page()
    try:
        cpu = await cpu_meter(page)
        start = await cpu()
        await page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
        handle = await page.wait_for_function(FIRST_CHART_JS, polling="raf", timeout=TIMEOUT_MS)
        seconds, at_chart = await handle.json_value() / 1000, await cpu() - start
        # Let the script run finish before the next measure, so its tail does not load that one.
        await page.wait_for_function(IDLE_JS, timeout=TIMEOUT_MS)
        await page.wait_for_timeout(1000)  # Plotly draws after the run ends; its second pass comes ~0.3 s later
        return seconds, at_chart, await cpu() - start
    finally:
        await page.close()


async def open_ready(context, url: str):
    """A tab on `url` with its script run finished and its charts drawn."""
    page = await context.new_page()
    await page.goto(url, timeout=TIMEOUT_MS)
    await page.wait_for_function(FIRST_CHART_JS, polling="raf", timeout=TIMEOUT_MS)
    await page.wait_for_function(IDLE_JS, timeout=TIMEOUT_MS)
    await page.wait_for_timeout(500)
    return page


def slider(page, label: str):
    return page.locator('[data-testid="stSlider"]').filter(has_text=label).first.get_by_role("slider")


async def key_to_redraw(page, thumb, key: str = "ArrowRight", cpu=None, front: bool = True) -> float | tuple[float, float]:
    """Seconds from a key press on a focused slider to the first chart whose data changed; with `cpu` (a
    cpu_meter), also the tab's main-thread CPU seconds for the whole press (until the rerun is drawn)."""
    if front:  # a background tab of the same context gets no animation frames: the raf polling would stall
        await page.bring_to_front()
    await page.wait_for_function(IDLE_JS, timeout=TIMEOUT_MS)
    await thumb.focus()
    before = await page.evaluate(SIGNATURE_JS)
    start = await cpu() if cpu else 0.0
    t0 = await page.evaluate("performance.now()")
    await page.keyboard.press(key)
    handle = await page.wait_for_function(CHANGED_JS, arg=before, polling="raf", timeout=TIMEOUT_MS)
    seconds = (await handle.json_value() - t0) / 1000
    await page.wait_for_timeout(100)  # the rerun's last deltas, untimed, before the next measure
    await page.wait_for_function(IDLE_JS, timeout=TIMEOUT_MS)
    await page.wait_for_timeout(600 if cpu else 200)  # with cpu: the charts' second drawing pass too
    return (seconds, await cpu() - start) if cpu else seconds


SLIDERS = {  # name -> (page path, slider label)
    "scenario slider": ("scenarios", "GPU price change"),
    "concentration simulator slider": ("concentration", "If decentralised supply held"),
}


def summarise(samples: dict[str, list[float]], floor_key: dict[str, str]) -> dict:
    out = {}
    for name, values in samples.items():
        floor = statistics.median(samples[floor_key[name]]) if name in floor_key else None
        median = statistics.median(values)
        out[name] = {"median_s": round(median, 3), "cold_s": round(values[0], 3), "runs": len(values),
                     "ratio_to_floor": round(median / floor, 2) if floor else None,
                     "all_s": [round(v, 3) for v in values]}
    return out


async def probe(app_base: str, floor_base: str, runs: int, sessions: int) -> dict:
    from playwright.async_api import async_playwright

    samples: dict[str, list[float]] = {}
    floor_key: dict[str, str] = {}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context(viewport=VIEWPORT)
        def add(name: str, value: float, floor: str | None = None) -> None:
            samples.setdefault(name, []).append(value)
            if floor:
                floor_key[name] = floor

        for _ in range(runs):  # interleaved: each app page, then the floor
            for name, path in PAGES.items():
                for tab, base in ((name, f"{app_base}/{path}"), ("floor", floor_base)):
                    seconds, at_chart, at_idle = await first_chart(context, base)
                    add(f"first chart: {tab}", seconds, "first chart: floor" if tab != "floor" else None)
                    add(f"cpu to first chart: {tab}", at_chart, "cpu to first chart: floor" if tab != "floor" else None)
                    add(f"cpu to idle: {tab}", at_idle, "cpu to idle: floor" if tab != "floor" else None)
        floor_page = await open_ready(context, floor_base)
        floor_thumb, floor_cpu = slider(floor_page, "Frequency"), await cpu_meter(floor_page)
        for name, (path, label) in SLIDERS.items():
            page = await open_ready(context, f"{app_base}/{path}")
            thumb, cpu = slider(page, label), await cpu_meter(page)
            for _ in range(runs):
                seconds, used = await key_to_redraw(page, thumb, cpu=cpu)
                add(name, seconds, "floor slider")
                add(f"cpu per press: {name}", used, "cpu per press: floor slider")
                seconds, used = await key_to_redraw(floor_page, floor_thumb, cpu=floor_cpu)
                add("floor slider", seconds)
                add("cpu per press: floor slider", used)
            await page.close()
        result = {"timings": summarise(samples, floor_key)}
        if sessions > 1:  # the app's scenario slider, then the floor's: what the machine itself allows
            path, label = SLIDERS["scenario slider"]
            result["sessions"] = await concurrent(browser, app_base, path, label, runs, sessions)
            result["floor_sessions"] = await concurrent(browser, floor_base, "", "Frequency", runs, sessions)
            result["remote_sessions"] = await concurrent_remote(browser, app_base, path, label, runs, sessions)
            result["floor_remote_sessions"] = await concurrent_remote(browser, floor_base, "", "Frequency", runs,
                                                                      sessions)
            result["paced_sessions"] = await concurrent_paced(browser, app_base, path, label, runs, sessions)
            result["floor_paced_sessions"] = await concurrent_paced(browser, floor_base, "", "Frequency", runs, sessions)
        await browser.close()
    return result


# A stand-in for Streamlit's lazily loaded Plotly chunk, for a "remote" session's tab: its charts render
# nothing, so the tab's CPU is not spent here on what a user's own machine would draw.
PLOTLY_CHUNK = "**/static/js/PlotlyChart.*.js"
PLOTLY_STUB = "const Nothing = () => null; export { Nothing as PlotlyChart }; export default Nothing;"


async def remote_session(browser, url: str):
    """A session whose browser draws elsewhere: a tab on `url` with Plotly stubbed out, its run finished."""
    context = await browser.new_context(viewport=VIEWPORT)
    await context.route(PLOTLY_CHUNK, lambda route: route.fulfill(status=200, body=PLOTLY_STUB,
                                                                   content_type="application/javascript"))
    page = await context.new_page()
    await page.goto(url, timeout=TIMEOUT_MS)
    await page.locator('[data-testid="stSlider"]').first.wait_for(timeout=TIMEOUT_MS)  # the app is connected
    await page.wait_for_function(IDLE_JS, timeout=TIMEOUT_MS)
    await page.wait_for_timeout(500)
    return context, page


async def press_remote(page, thumb, key: str = "ArrowRight") -> None:
    """A remote session's slider press, until its rerun is over (it has no chart to watch)."""
    await thumb.focus()
    await page.keyboard.press(key)
    await page.wait_for_timeout(50)  # the rerun starts
    await page.wait_for_function(IDLE_JS, timeout=TIMEOUT_MS)


def against_one(sessions: int, single: list[float], many: list[float], **extra) -> dict:
    """Median latency under `sessions` sessions (`many`) against one session alone (`single`)."""
    one, all_ = statistics.median(single), statistics.median(many)
    return {"sessions": sessions, **extra, "single_median_s": round(one, 3), "concurrent_median_s": round(all_, 3),
            "ratio": round(all_ / one, 2), "concurrent_p90_s": round(sorted(many)[int(0.9 * len(many))], 3)}


@contextlib.asynccontextmanager
async def one_among_remotes(browser, url: str, label: str, sessions: int):
    """(page, slider) of one full session on `url`, with `sessions` - 1 remote sessions' (page, slider)
    beside it; every context closed after."""
    own = await browser.new_context(viewport=VIEWPORT)
    page = await open_ready(own, url)
    others = [await remote_session(browser, url) for _ in range(sessions - 1)]
    try:
        yield (page, slider(page, label)), [(p, slider(p, label)) for _, p in others]
    finally:
        for context in [own, *(c for c, _ in others)]:
            await context.close()


async def concurrent_remote(browser, base: str, path: str, label: str, runs: int, sessions: int) -> dict:
    """Median slider latency of one full session while `sessions` - 1 remote sessions press at the same
    moment, against that session alone."""
    async with one_among_remotes(browser, f"{base}/{path}", label, sessions) as ((page, thumb), others):
        single = [await key_to_redraw(page, thumb) for _ in range(runs)]
        many = [(await asyncio.gather(key_to_redraw(page, thumb), *(press_remote(p, t) for p, t in others)))[0]
                for _ in range(runs)]
    return against_one(sessions, single, many)


# The pace of a "concurrent" user: a press every PACE_S seconds on average (uniformly 0 to 2 x PACE_S apart),
# a policymaker stepping a slider and reading the result, not all ten users pressing at the same instant.
PACE_S = 2.0


async def concurrent_paced(browser, base: str, path: str, label: str, runs: int, sessions: int,
                           pace: float = PACE_S, seed: int = 15) -> dict:
    """Median slider latency of one full session while `sessions` - 1 remote sessions each press at
    random moments, one press every `pace` seconds on average, against that session alone."""
    rng = random.Random(seed)
    stop = asyncio.Event()

    async def user(remote_page, remote_thumb) -> int:
        presses = 0
        while not stop.is_set():
            await asyncio.sleep(rng.uniform(0, 2 * pace))
            if not stop.is_set():  # five steps right, five left: the slider stays inside its range
                await press_remote(remote_page, remote_thumb, "ArrowRight" if (presses // 5) % 2 == 0 else "ArrowLeft")
                presses += 1
        return presses

    async with one_among_remotes(browser, f"{base}/{path}", label, sessions) as ((page, thumb), others):
        single = [await key_to_redraw(page, thumb) for _ in range(runs)]
        users = [asyncio.create_task(user(p, t)) for p, t in others]
        paced: list[float] = []
        await asyncio.sleep(pace)  # every user under way
        for _ in range(runs):
            await asyncio.sleep(rng.uniform(0, 2 * pace))
            paced.append(await key_to_redraw(page, thumb))
        stop.set()
        presses = sum(await asyncio.gather(*users))
    return against_one(sessions, single, paced, pace_s=pace, other_presses=presses)


async def concurrent(browser, base: str, path: str, label: str, runs: int, sessions: int) -> dict:
    """Median slider latency with `sessions` sessions pressing at once, against one session."""
    contexts = [await browser.new_context(viewport=VIEWPORT) for _ in range(sessions)]
    pages = [await open_ready(c, f"{base}/{path}") for c in contexts]
    thumbs = [slider(p, label) for p in pages]
    single = [await key_to_redraw(pages[0], thumbs[0]) for _ in range(runs)]
    many: list[float] = []
    for _ in range(runs):
        many += await asyncio.gather(*(key_to_redraw(p, t, front=False) for p, t in zip(pages, thumbs, strict=True)))
    for c in contexts:
        await c.close()
    return against_one(sessions, single, many)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--sessions", type=int, default=1, help="also measure this many concurrent sessions")
    parser.add_argument("--json", help="write the figures to this JSON file")
    args = parser.parse_args()
    if not chromium_available():
        sys.exit("needs Debian chromium at /usr/bin/chromium (apt-get install chromium)")
    with demo_warehouse() as (db, label), \
            streamlit(APP, {"COMPUTEWATCH_DB": db}) as (app_base, app_proc), \
            streamlit(FLOOR_APP, {}) as (floor_base, _):
        sampler = PeakRss(app_proc.pid)
        sampler.start()
        result = asyncio.run(probe(app_base, floor_base, args.runs, args.sessions))
        result["server_peak_rss_mb"] = round(sampler.stop())
        result["warehouse"] = {"db": db, "what": label, "mb": round(os.path.getsize(db) / 1e6, 1)}
    print(f"warehouse: {db} ({label}, {result['warehouse']['mb']:,.0f} MB); {args.runs} runs, app and floor interleaved")
    print(f"{'measure (cpu: the tab main thread)':<48} {'median s':>9} {'cold s':>8} {'x floor':>8}")
    for name, t in result["timings"].items():
        ratio = f"{t['ratio_to_floor']:.2f}" if t["ratio_to_floor"] else "-"
        print(f"{name:<48} {t['median_s']:>9.3f} {t['cold_s']:>8.3f} {ratio:>8}")
    print(f"dashboard server peak RSS: {result['server_peak_rss_mb']:,} MB")
    if "sessions" in result:
        s = result["sessions"]
        print(f"{s['sessions']} concurrent sessions, scenario slider: median {s['concurrent_median_s']:.3f} s "
              f"(p90 {s['concurrent_p90_s']:.3f} s) vs one session {s['single_median_s']:.3f} s = {s['ratio']:.2f}x")
        f = result["floor_sessions"]
        print(f"{f['sessions']} concurrent sessions, floor slider:    median {f['concurrent_median_s']:.3f} s "
              f"(p90 {f['concurrent_p90_s']:.3f} s) vs one session {f['single_median_s']:.3f} s = {f['ratio']:.2f}x")
        for name, what in (("remote_sessions", "at once, scenario slider"), ("floor_remote_sessions", "at once, floor slider"),
                           ("paced_sessions", f"one press / {PACE_S:g} s each, scenario slider"),
                           ("floor_paced_sessions", f"one press / {PACE_S:g} s each, floor slider")):
            r = result[name]
            print(f"1 + {r['sessions'] - 1} remote sessions {what}: median {r['concurrent_median_s']:.3f} s "
                  f"(p90 {r['concurrent_p90_s']:.3f} s) vs alone {r['single_median_s']:.3f} s = {r['ratio']:.2f}x")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
