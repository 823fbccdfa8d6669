"""Print every page's shown figures and every mart's row count and checksum, on seed + replayed captures.

A refactoring proves it changed no behaviour by printing the same digest before and after:

    python bench/behaviour_digest.py            # the full listing, then one digest line
    python bench/behaviour_digest.py --digest   # the digest lines only

The warehouse is built in a temporary folder (offline seed, then `--replay ../shared/captures`), so
the published data/ is never touched. Run times, run ids and snapshot ids differ on every build, so
columns and texts that carry them are left out of the checksums; everything else is in.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CAPTURES = ROOT.parent / "shared" / "captures"
PAGES = ["overview", "demand", "prices", "concentration", "scenarios", "sources"]
# Columns whose values are the time or identity of a run, not data.
VOLATILE = re.compile(r"(run_id|_at$|^started|^finished|^fetched|^loaded|^snapshot|^id$|age|^status$|^last_|^payloads$|^duration|^data_as_of$)")
# Texts that carry the build time or snapshot id.
VOLATILE_TEXT = re.compile(r"(snapshot|Data as of|UTC|\d{8}T\d{6}Z|fresh ·|ago\b)")


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def build(data_dir: Path) -> str:
    os.environ["COMPUTEWATCH_DATA_DIR"] = str(data_dir)
    os.environ.pop("COMPUTEWATCH_DB", None)
    from etl import pipeline

    devnull = open(os.devnull, "w")
    pipeline.run(mode="offline", log=devnull)
    if CAPTURES.is_dir():
        pipeline.run(mode="replay", replay_dir=CAPTURES, log=devnull)
    return str(data_dir / "warehouse.duckdb")


def mart_lines(db: str) -> list[str]:
    import duckdb

    con = duckdb.connect(db, read_only=True)
    tables = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' ORDER BY 1"
    ).fetchall()
    lines = []
    for (table,) in tables:
        cols = [c for (c,) in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'marts' "
            "AND table_name = ? ORDER BY column_name", [table]).fetchall() if not VOLATILE.search(c)]
        n = con.execute(f'SELECT count(*) FROM marts."{table}"').fetchone()[0]
        select = ", ".join(f'"{c}"' for c in cols) or "1"
        rows = con.execute(f'SELECT {select} FROM marts."{table}"').fetchall()
        body = "\n".join(sorted(repr(tuple(_norm(v) for v in r)) for r in rows))
        lines.append(f"mart {table}: rows={n} cols={len(cols)} checksum={sha(body)}")
    con.close()
    return lines


def _norm(value):
    if isinstance(value, float):
        return round(value, 9)
    return value


def _drop_empty(value):
    """`value` without empty objects: Plotly draws {"title": {}} and no title key alike, and a figure built
    from dicts (dashboard.charts.build) leaves out what one built by update_* calls sets to {}."""
    if isinstance(value, dict):
        return {k: _drop_empty(v) for k, v in value.items() if v != {}}
    if isinstance(value, list):
        return [_drop_empty(v) for v in value]
    return value


def _chart_data(spec: str) -> str:
    """The data and titles of a Plotly chart, without ids that change per render."""
    fig = _drop_empty(json.loads(spec))
    traces = [{k: v for k, v in t.items() if k not in ("uid",)} for t in fig.get("data", [])]
    layout = fig.get("layout", {})
    titles = {k: layout.get(k, {}).get("title") for k in layout if k.startswith(("xaxis", "yaxis"))}
    return json.dumps({"data": traces, "title": layout.get("title"), "axes": titles}, sort_keys=True)


def page_lines(page: str) -> list[str]:
    from tests.conftest import open_page

    at = open_page(page)
    lines = []
    if at.exception:
        lines.append(f"page {page}: EXCEPTION {[e.value for e in at.exception]}")
    for m in at.metric:
        lines.append(f"page {page}: metric {m.label} = {m.value} ({m.delta})")
    texts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "success"):
        for el in getattr(at, kind):
            value = str(el.value)
            if not VOLATILE_TEXT.search(value):
                texts.append(f"{kind}:{value}")
    lines.append(f"page {page}: texts={len(texts)} checksum={sha(chr(10).join(texts))}")
    frames = []
    for df in at.dataframe:
        frame = df.value
        keep = [c for c in frame.columns if not VOLATILE.search(str(c))]
        # Row order among equal sort keys (runs finished in the same second) is not behaviour.
        frames.append("\n".join(sorted(frame[keep].to_csv(index=False).splitlines())))
    lines.append(f"page {page}: tables={len(frames)} checksum={sha(chr(10).join(frames))}")
    charts = [_chart_data(c.proto.spec) for c in at.get("plotly_chart")]
    lines.append(f"page {page}: charts={len(charts)} checksum={sha(chr(10).join(charts))}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--digest", action="store_true", help="print only the digest lines")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = build(Path(tmp))
        marts = mart_lines(db)
        pages = [line for page in PAGES for line in page_lines(page)]
    if not args.digest:
        print("\n".join(marts + pages))
    print(f"marts digest: {sha(chr(10).join(marts))} ({len(marts)} marts)")
    print(f"pages digest: {sha(chr(10).join(pages))} ({len(PAGES)} pages)")


if __name__ == "__main__":
    main()
