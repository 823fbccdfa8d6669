"""The ETL command line: sources, run, parse, status, prune, background (see DESIGN.md "Commands")."""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

from etl import config, pipeline, prune, sources, warehouse
from etl.provenance import Payload

REBUILD_HINT = "run `python -m etl run --due` (or `python -m etl run --offline`) to rebuild it from data/seed and data/raw"


def _unreadable(db: str) -> str | None:
    """What is wrong with an existing published warehouse (None when fine or absent)."""
    return warehouse.check_readable(db) if Path(db).exists() else None


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
    problem = _unreadable(db)
    if problem:
        print(f"warning: {problem}; {REBUILD_HINT}. Sources are listed without their last runs.", file=sys.stderr)
    elif Path(db).exists():
        con = warehouse.connect_readonly(db)
        last = {r[0]: r[1:] for r in con.execute(
            "SELECT source, last_ok_at, status FROM marts.freshness").fetchall()}
        con.close()
    print(f"{'name':<22} {'segment':<12} {'cadence':>8}  {'licence':<34} {'last ok':<20} status")
    for name, s in sources.SOURCES.items():
        ok_at, status = last.get(name, (None, "never"))
        ok = ok_at.strftime("%Y-%m-%d %H:%M") if ok_at else "-"
        print(f"{name:<22} {s.segment or '-':<12} {s.cadence_hours:>7}h  {s.license.name[:34]:<34} {ok:<20} {status}")
    return 1 if problem else 0


def cmd_run(args) -> int:
    mode = "offline" if args.offline else "replay" if args.replay else "live"
    if args.replay and not Path(args.replay).is_dir():
        print(f"error: replay directory {args.replay} does not exist", file=sys.stderr)
        return 2
    settings = config.get()
    run_id = pipeline.new_run_id()
    logger = pipeline.RunLog(sys.stderr, run_id, args.log_format)
    if args.if_reachable:
        reachable = probe(settings)
        if reachable is not None:
            logger.emit("no_network", f"no network: {reachable}; nothing fetched, the published data stay as they are")
            return 0
    try:
        report = pipeline.run(args.names or None, mode=mode, replay_dir=Path(args.replay) if args.replay else None,
                              due=args.due, settings=settings, log=sys.stderr, log_format=args.log_format,
                              accept_drops=args.accept_drops, run_id=run_id)
    except (KeyError, warehouse.LockedError, pipeline.Unreadable) as exc:
        logger.emit("error", f"error: {exc.args[0] if exc.args else exc}", error=str(exc))
        return 2
    except warehouse.DiskFull as exc:
        logger.emit("disk_full", f"error: {exc}", error=str(exc))
        return 1
    except Exception as exc:  # the run died: say which run and why, in one line, not a traceback
        logger.emit("died", f"run {run_id} failed: {type(exc).__name__}: {exc}"[:2000], error=str(exc))
        return 1
    ok = sum(r.status == "ok" for r in report.results)
    if report.nothing_due:
        logger.emit("summary", f"run {run_id} ({mode}): nothing due; {settings.db_path} unchanged", published=False)
        return 0
    logger.emit("summary", f"run {run_id} ({mode}): {ok} ok, {len(report.failed)} failed; "
                f"published {settings.db_path}", ok=ok, failed=len(report.failed), published=report.published)
    return 1 if report.failed else 0


def probe_targets(settings: config.Settings) -> list[tuple[str, int]]:
    """Where to look for a network: the configured host:port pairs, else the live sources' hosts."""
    if settings.probe_hosts:
        return list(settings.probe_hosts)
    hosts = []
    for s in sources.SOURCES.values():
        for url in (s.url_main, *s.url_download):
            parts = urlsplit(url)
            if parts.scheme == "https" and parts.hostname and (parts.hostname, 443) not in hosts:
                hosts.append((parts.hostname, 443))
    return hosts[:3]


def probe(settings: config.Settings, timeout: float = 3.0) -> str | None:
    """None when one source host accepts a connection, else why none did."""
    tried = []
    for host, port in probe_targets(settings):
        try:
            with socket.create_connection((host, port), timeout=timeout):
                return None
        except OSError as exc:
            tried.append(f"{host}:{port} ({type(exc).__name__})")
    return "no source host reachable: " + (", ".join(tried) or "no host to try")


def cmd_background(args) -> int:
    """Start one `run --due --if-reachable` in the background, logged to data/etl.log; return at once."""
    settings = config.get()
    settings.log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(settings.log_path, "a", encoding="utf-8") as log:
        proc = subprocess.Popen([sys.executable, "-m", "etl", "run", "--due", "--if-reachable"],
                                cwd=config.ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                start_new_session=True, env=os.environ.copy())
    print(f"background refresh started (pid {proc.pid}); progress in {settings.log_path}", file=sys.stderr)
    return 0


def cmd_prune(args) -> int:
    try:
        age = prune.parse_age(args.older_than)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    settings = config.get()
    with warehouse.run_lock(settings.lock_path):  # no run is writing the archive meanwhile
        removals = prune.plan(settings.raw_dir, dict(sources.MODULES), pipeline.snapshot_keys, older_than=age)
        removals += prune.stale_cache(settings.cache_dir, settings.raw_dir, dict(sources.MODULES), settings.seed_dir,
                                      {r.path for r in removals})
        for r in removals:
            print(f"{'would remove' if args.dry_run else 'removed'} {r.path} ({r.bytes:,} bytes): {r.reason}")
        if not args.dry_run:
            prune.apply(removals)
    total = sum(r.bytes for r in removals)
    print(f"{len(removals)} folder(s), {total / 1e6:,.1f} MB {'would be ' if args.dry_run else ''}freed",
          file=sys.stderr)
    return 0


def cmd_ensure(args) -> int:
    """Build the warehouse from data/seed (and the raw archive) when none is published yet."""
    db = config.get().db_path
    problem = _unreadable(db)
    if Path(db).exists() and not problem:
        return 0
    print(f"{problem}: rebuilding it" if problem else "no warehouse yet: building it",
          "from data/seed and data/raw (no network)...", file=sys.stderr)
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
    problem = _unreadable(db)
    if problem:
        print(f"error: {problem}; {REBUILD_HINT}", file=sys.stderr)
        return 1
    con = warehouse.connect_readonly(db)
    rows = con.execute(
        "SELECT source, status, last_ok_at, cadence_hours, last_status, last_error FROM marts.freshness ORDER BY source"
    ).fetchall()
    con.close()
    stale = never = 0
    print(f"{'source':<22} {'status':<7} {'last ok':<17} {'cadence':>8}  last run / error")
    for source, status, ok_at, cadence, last_status, error in rows:
        stale += status == "stale"
        never += status == "never"
        ok = ok_at.strftime("%Y-%m-%d %H:%M") if ok_at else "-"
        tail = (last_status or "-") + (f": {error[:100]}" if error else "")
        print(f"{source:<22} {status:<7} {ok:<17} {cadence:>7}h  {tail}")
    # For monitoring, a source that never ran has never succeeded; a seed-only deployment says so.
    failing = stale + (0 if args.offline_ok else never)
    if args.fail_on_stale and failing:
        parts = [f"{stale} source(s) stale"] if stale else []
        if never and not args.offline_ok:
            parts.append(f"{never} source(s) never succeeded (never run; pass --offline-ok for a seed-only "
                         "deployment)")
        print("; ".join(parts), file=sys.stderr)
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
    p.add_argument("--accept-drops", action="store_true",
                   help="accept a replace load that drops many rows or whole entities (after checking it)")
    p.add_argument("--if-reachable", action="store_true", help="do nothing, quietly, when no source host answers")
    p.add_argument("--log-format", choices=pipeline.LOG_FORMATS, default="text", help="text lines or JSON lines")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("parse", help="print the rows a source's parser makes of FILE, one JSON object a line")
    p.add_argument("name")
    p.add_argument("file")
    p.set_defaults(func=cmd_parse)
    p = sub.add_parser("status", help="freshness per source")
    p.add_argument("--fail-on-stale", action="store_true",
                   help="exit 1 if any source is stale or never succeeded")
    p.add_argument("--offline-ok", action="store_true",
                   help="with --fail-on-stale: sources never run are fine (a seed-only deployment)")
    p.set_defaults(func=cmd_status)
    p = sub.add_parser("prune", help="remove raw snapshots older than an age that no rebuild needs")
    p.add_argument("--older-than", required=True, metavar="AGE", help="e.g. 90d, 12h, 2w")
    p.add_argument("--dry-run", action="store_true", help="list what would be removed, remove nothing")
    p.set_defaults(func=cmd_prune)
    sub.add_parser("background", help="start one `run --due --if-reachable` in the background (make run)"
                   ).set_defaults(func=cmd_background)
    sub.add_parser("ensure", help="build from the seed if no warehouse exists").set_defaults(func=cmd_ensure)
    from etl import backfill  # its subcommand is declared beside its logic

    backfill.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
