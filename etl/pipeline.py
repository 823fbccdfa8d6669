"""A run: fetch (or read the archive / a replay folder), archive, parse, validate, load, build marts, publish."""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import duckdb

from etl import config, sources, warehouse
from etl.http import Client
from etl.provenance import Payload, utcnow

MODES = ("live", "offline", "replay")


@dataclass
class SourceResult:
    source: str
    status: str  # ok / failed / skipped
    rows_loaded: int = 0
    rows_rejected: int = 0
    payloads: int = 0
    seconds: float = 0.0
    error: str | None = None


@dataclass
class RunReport:
    run_id: str
    mode: str
    results: list[SourceResult] = field(default_factory=list)
    published: bool = False

    @property
    def failed(self) -> list[SourceResult]:
        return [r for r in self.results if r.status == "failed"]


# --------------------------------------------------------------------------- raw archive

def archive(raw_dir: Path, source: str, payloads: list[Payload], stamp: datetime) -> Path:
    """Write payloads as fetched under raw/<source>/<stamp>/ with a manifest (url, time, sha256)."""
    folder = raw_dir / source / stamp.strftime("%Y-%m-%dT%H%M%S")
    folder.mkdir(parents=True, exist_ok=True)
    manifest = []
    for i, p in enumerate(payloads):
        name = p.name if p.name not in {m["name"] for m in manifest} else f"{i:04d}-{p.name}"
        (folder / name).write_bytes(p.body)
        manifest.append({"name": name, "url": p.url, "fetched_at": p.fetched_at.isoformat(),
                         "sha256": p.sha256, "bytes": len(p.body)})
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return folder


def read_archive(folder: Path) -> list[Payload]:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return [
        Payload(body=(folder / m["name"]).read_bytes(), url=m["url"],
                fetched_at=datetime.fromisoformat(m["fetched_at"]), name=m["name"])
        for m in manifest
    ]


def archived_snapshots(raw_dir: Path, source: str) -> list[Path]:
    base = raw_dir / source
    if not base.is_dir():
        return []
    return sorted(d for d in base.iterdir() if (d / "manifest.json").is_file())


def replay_payloads(module: ModuleType, replay_dir: Path) -> list[Payload]:
    """Captured files a source declares (SOURCE.captures globs), as payloads dated by their path."""
    files: list[Path] = []
    for pattern in module.SOURCE.captures:
        files.extend(sorted(p for p in replay_dir.glob(pattern) if p.is_file()))
    payloads = []
    for path in dict.fromkeys(files):
        relative = path.relative_to(replay_dir).as_posix()
        payload = Payload.from_file(path, url=f"replay:{relative}")
        for pattern, day in module.SOURCE.capture_dates:
            if fnmatch.fnmatch(relative, pattern):
                payload = dataclasses.replace(payload, fetched_at=datetime.fromisoformat(day).replace(tzinfo=UTC))
        payloads.append(payload)
    return payloads


# --------------------------------------------------------------------------- one source

def parse_all(module: ModuleType, payloads: Iterable[Payload]):
    for payload in payloads:
        yield from module.parse(payload)


def run_source(
    con: duckdb.DuckDBPyConnection,
    module: ModuleType,
    run_id: str,
    mode: str,
    get_payloads: Callable[[], list[Payload]],
) -> SourceResult:
    """Fetch, parse, validate and load one source inside a transaction; failures load nothing."""
    source = module.SOURCE
    started = utcnow()
    t0 = time.perf_counter()
    result = SourceResult(source.name, "failed")
    data_as_of = None
    try:
        payloads = get_payloads()
        result.payloads = len(payloads)
        if not payloads:
            raise ValueError("no payloads to parse")
        data = warehouse.validate(source.name, parse_all(module, payloads), default_segment=source.segment)
        if data.n_rows == 0:
            reasons = sorted({r for _, r, _ in data.rejects})[:3]
            raise ValueError(f"parsed 0 usable rows from {len(payloads)} payload(s)"
                             + (f"; rejects: {'; '.join(reasons)}" if reasons else ""))
        con.execute("BEGIN TRANSACTION")
        try:
            result.rows_loaded = warehouse.load(con, source, data)
            result.rows_rejected = len(data.rejects)
            warehouse.record_rejects(con, run_id, source.name, data.rejects)
            for p in payloads:
                con.execute(
                    "INSERT INTO meta.payloads VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [run_id, source.name, p.name, p.url, p.fetched_at.replace(tzinfo=None), p.sha256,
                     len(p.body), None],
                )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        data_as_of = max(p.fetched_at for p in payloads).replace(tzinfo=None)
        result.status = "ok"
    except Exception as exc:  # one source failing never stops the others
        result.error = f"{type(exc).__name__}: {exc}"[:2000]
    result.seconds = time.perf_counter() - t0
    con.execute(
        "INSERT INTO meta.runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [run_id, source.name, mode, started.replace(tzinfo=None), utcnow().replace(tzinfo=None),
         result.status, result.rows_loaded, result.rows_rejected, result.payloads, data_as_of,
         result.error],
    )
    return result


# --------------------------------------------------------------------------- a whole run

def due_sources(db_path: str) -> list[str]:
    """Sources whose last success is older than their cadence (or that never succeeded)."""
    if not Path(db_path).exists():
        return list(sources.MODULES)
    con = warehouse.connect_readonly(db_path)
    try:
        fresh = {r[0] for r in con.execute("SELECT source FROM marts.freshness WHERE status = 'fresh'").fetchall()}
    finally:
        con.close()
    return [name for name in sources.MODULES if name not in fresh]


def run(
    names: list[str] | None = None,
    *,
    mode: str = "live",
    replay_dir: Path | None = None,
    due: bool = False,
    client: Client | None = None,
    settings: config.Settings | None = None,
    log=sys.stderr,
) -> RunReport:
    """Run the named sources (default: all) in `mode` and publish the result atomically."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    settings = settings or config.get()
    selected = list(names) if names else list(sources.MODULES)
    for name in selected:
        sources.get(name)  # unknown names fail before anything is touched
    if due:
        pending = set(due_sources(settings.db_path))
        selected = [n for n in selected if n in pending]
    started = utcnow()
    run_id = f"{started:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"
    report = RunReport(run_id, mode)

    with warehouse.run_lock(settings.lock_path):
        con = warehouse.open_build(settings.db_path, fresh=(mode == "offline"))
        try:
            warehouse.register_sources(con, list(sources.SOURCES.values()))
            warehouse.load_reference(con, settings.seed_dir)
            client = client or Client(settings)
            for name in selected:
                module = sources.get(name)
                getter = _payload_getter(module, mode, replay_dir, settings, client)
                if getter is None:
                    continue
                result = run_source(con, module, run_id, mode, getter)
                report.results.append(result)
                _progress(log, result)
            built = warehouse.build_marts(con)
            print(f"  marts: {', '.join(built)}", file=log)
            warehouse.publish(con, settings.db_path, run_id)
            report.published = True
        finally:
            if not report.published:
                con.close()
    return report


def _payload_getter(module, mode, replay_dir, settings, client) -> Callable[[], list[Payload]] | None:
    source = module.SOURCE
    if source.name == "seed":  # the seed is read from the checkout in every mode
        return lambda: module.fetch(client)
    if mode == "offline":
        snapshots = archived_snapshots(settings.raw_dir, source.name)
        if not snapshots:
            return None
        chosen = snapshots if source.load == "append" else snapshots[-1:]
        return lambda: [p for folder in chosen for p in read_archive(folder)]
    if mode == "replay":
        if not source.captures or not replay_payloads(module, replay_dir):
            return None

        def replayed():
            payloads = replay_payloads(module, replay_dir)
            stamp = max(p.fetched_at for p in payloads)
            archive(settings.raw_dir, source.name, payloads, stamp)
            return payloads

        return replayed

    def fetched():
        client.throttle(source.rate_limit_per_minute)
        payloads = list(module.fetch(client))
        if payloads:
            archive(settings.raw_dir, source.name, payloads, utcnow())
        return payloads

    return fetched


def _progress(log, r: SourceResult) -> None:
    line = f"  {r.source:<22} {r.status:<7} {r.rows_loaded:>9,} rows {r.rows_rejected:>6,} rejected {r.seconds:6.1f}s"
    if r.error:
        line += f"  {r.error[:160]}"
    print(line, file=log, flush=True)
