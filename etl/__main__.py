"""The ETL command line: sources, run, parse, status (see DESIGN.md "Commands")."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from pathlib import Path

from etl import config, pipeline, sources, warehouse
from etl.provenance import Payload


def sources_markdown() -> str:
    """The README's sources table, generated from the registry so the two cannot drift."""
    lines = ["| source | what | producer | segment | licence | cadence |", "|---|---|---|---|---|---|"]
    for name, s in sources.SOURCES.items():
        cadence = f"{s.cadence_hours // 24} d" if s.cadence_hours >= 48 else f"{s.cadence_hours} h"
        lines.append(f"| `{name}` | {s.title} | {s.producer} | {s.segment or 'mixed / demand'} | "
                     f"[{s.license.name}]({s.license.url}) | {cadence} |")
    return "\n".join(lines)


def cmd_sources(args) -> int:
    if args.markdown:
        print(sources_markdown())
        return 0
    if args.readme:
        path = Path(args.readme)
        text = path.read_text(encoding="utf-8")
        start, end = "<!-- sources:start -->", "<!-- sources:end -->"
        head, rest = text.split(start, 1)
        path.write_text(f"{head}{start}\n{sources_markdown()}\n{end}{rest.split(end, 1)[1]}", encoding="utf-8")
        return 0
    db = config.get().db_path
    last = {}
    if Path(db).exists():
        con = warehouse.connect_readonly(db)
        last = {r[0]: r[1:] for r in con.execute(
            "SELECT source, last_ok_at, status FROM marts.freshness").fetchall()}
        con.close()
    print(f"{'name':<22} {'segment':<12} {'cadence':>8}  {'licence':<34} {'last ok':<20} status")
    for name, s in sources.SOURCES.items():
        ok_at, status = last.get(name, (None, "never"))
        ok = ok_at.strftime("%Y-%m-%d %H:%M") if ok_at else "-"
        print(f"{name:<22} {s.segment or '-':<12} {s.cadence_hours:>7}h  {s.license.name[:34]:<34} {ok:<20} {status}")
    return 0


def cmd_run(args) -> int:
    mode = "offline" if args.offline else "replay" if args.replay else "live"
    if args.replay and not Path(args.replay).is_dir():
        print(f"error: replay directory {args.replay} does not exist", file=sys.stderr)
        return 2
    try:
        report = pipeline.run(args.names or None, mode=mode,
                              replay_dir=Path(args.replay) if args.replay else None, due=args.due)
    except (KeyError, warehouse.LockedError) as exc:
        print(f"error: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2
    ok = sum(r.status == "ok" for r in report.results)
    print(f"run {report.run_id} ({mode}): {ok} ok, {len(report.failed)} failed; published {config.get().db_path}",
          file=sys.stderr)
    return 1 if report.failed else 0


def cmd_ensure(args) -> int:
    """Build the warehouse from data/seed (and the raw archive) when none is published yet."""
    if Path(config.get().db_path).exists():
        return 0
    print("no warehouse yet: building it from data/seed (no network)...", file=sys.stderr)
    report = pipeline.run(mode="offline")
    return 1 if report.failed else 0


def _json_default(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def cmd_parse(args) -> int:
    try:
        module = sources.get(args.name)
    except KeyError as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 2
    payload = Payload.from_file(args.file)
    out = sys.stdout
    for row in module.parse(payload):
        out.write(json.dumps(row, default=_json_default, sort_keys=False) + "\n")
    return 0


def cmd_status(args) -> int:
    db = config.get().db_path
    if not Path(db).exists():
        print(f"no warehouse at {db}; run `python -m etl run --offline` first", file=sys.stderr)
        return 1 if args.fail_on_stale else 0
    con = warehouse.connect_readonly(db)
    rows = con.execute(
        "SELECT source, status, last_ok_at, cadence_hours, last_status, last_error FROM marts.freshness ORDER BY source"
    ).fetchall()
    con.close()
    stale = 0
    print(f"{'source':<22} {'status':<7} {'last ok':<17} {'cadence':>8}  last run / error")
    for source, status, ok_at, cadence, last_status, error in rows:
        stale += status == "stale"
        ok = ok_at.strftime("%Y-%m-%d %H:%M") if ok_at else "-"
        tail = (last_status or "-") + (f": {error[:100]}" if error else "")
        print(f"{source:<22} {status:<7} {ok:<17} {cadence:>7}h  {tail}")
    if args.fail_on_stale and stale:
        print(f"{stale} source(s) stale", file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m etl", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("sources", help="list sources with licence, cadence and last run")
    p.add_argument("--markdown", action="store_true", help="print the README sources table")
    p.add_argument("--readme", metavar="FILE", help="rewrite the sources table between the markers in FILE")
    p.set_defaults(func=cmd_sources)
    p = sub.add_parser("run", help="fetch, archive, parse, validate, load and publish")
    p.add_argument("names", nargs="*", help="sources to run (default: all)")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--offline", action="store_true", help="rebuild from data/seed and data/raw, no network")
    group.add_argument("--replay", metavar="DIR", help="parse captured payloads under DIR as if fetched")
    p.add_argument("--due", action="store_true", help="only sources whose last success is older than their cadence")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("parse", help="print the rows a source's parser makes of FILE, one JSON object a line")
    p.add_argument("name")
    p.add_argument("file")
    p.set_defaults(func=cmd_parse)
    p = sub.add_parser("status", help="freshness per source")
    p.add_argument("--fail-on-stale", action="store_true", help="exit 1 if any source is stale")
    p.set_defaults(func=cmd_status)
    sub.add_parser("ensure", help="build from the seed if no warehouse exists").set_defaults(func=cmd_ensure)
    from etl import backfill  # its subcommand is declared beside its logic

    backfill.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
