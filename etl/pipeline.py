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
# The time a run stamps on meta.runs and on the archive folders it writes (UTC); tests pass their own.
Clock = Callable[[], datetime]


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
    """An archived snapshot's payloads; a file whose sha256 differs from the manifest is refused."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    payloads = []
    for m in manifest:
        payload = Payload(body=(folder / m["name"]).read_bytes(), url=m["url"],
                          fetched_at=datetime.fromisoformat(m["fetched_at"]), name=m["name"])
        if payload.sha256 != m["sha256"]:
            raise ValueError(f"{folder / m['name']} does not match its manifest sha256 (truncated or edited)")
        payloads.append(payload)
    return payloads


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


@dataclass(frozen=True)
class Batch:
    """One snapshot's payloads, read only when it is its turn (reading can fail, e.g. a bad archive)."""

    label: str
    read: Callable[[], list[Payload]]


@dataclass(frozen=True)
class Plan:
    """The snapshots a run gives one source, in load order.

    first_good: load only the first snapshot that parses (a replace source rebuilt from its
    archive, newest first). Otherwise every snapshot loads in order, each replacing rows of the
    same observed_at, exactly as the live runs that fetched them did. With several snapshots, one
    that fails is skipped and reported; with one, its failure fails the source.
    """

    batches: list[Batch]
    first_good: bool = False


def _parse_batch(module: ModuleType, payloads: list[Payload]) -> warehouse.Validated:
    source = module.SOURCE
    if not payloads:
        raise ValueError("no payloads to parse")
    data = warehouse.validate(source.name, parse_all(module, payloads), default_segment=source.segment)
    if data.n_rows == 0:
        reasons = sorted({r for _, r, _ in data.rejects})[:3]
        raise ValueError(f"parsed 0 usable rows from {len(payloads)} payload(s)"
                         + (f"; rejects: {'; '.join(reasons)}" if reasons else ""))
    return data


def run_source(con: duckdb.DuckDBPyConnection, module: ModuleType, run_id: str, mode: str, plan: Plan,
               clock: Clock = utcnow) -> SourceResult:
    """Fetch (or read), parse, validate and load one source in one transaction; a failure loads nothing."""
    source = module.SOURCE
    started = clock()
    t0 = time.perf_counter()
    result = SourceResult(source.name, "failed")
    data_as_of = None
    skipped: list[str] = []
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            rejects = []
            loaded: list[Payload] = []
            for batch in plan.batches:
                try:
                    payloads = batch.read()
                    data = _parse_batch(module, payloads)
                except Exception as exc:
                    if len(plan.batches) == 1:
                        raise
                    skipped.append(f"{batch.label}: {type(exc).__name__}: {exc}"[:300])
                    continue
                result.rows_loaded += warehouse.load(con, source, data)
                rejects += data.rejects
                loaded += payloads
                if plan.first_good:
                    break
            if not loaded:
                raise ValueError(f"none of {len(plan.batches)} snapshots parsed: {'; '.join(skipped)[:1500]}")
            result.payloads = len(loaded)
            result.rows_rejected = len(rejects)
            warehouse.record_rejects(con, run_id, source.name, rejects)
            warehouse.record_payloads(con, run_id, source.name, loaded)
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        data_as_of = max(p.fetched_at for p in loaded).replace(tzinfo=None)
        result.status = "ok"
        if skipped:
            result.error = f"skipped {len(skipped)} archived snapshot(s): {'; '.join(skipped)}"[:2000]
    except Exception as exc:  # one source failing never stops the others
        result.rows_loaded = 0
        result.error = f"{type(exc).__name__}: {exc}"[:2000]
    result.seconds = time.perf_counter() - t0
    warehouse.record_run(con, run_id, source.name, mode, started, clock(), status=result.status,
                         rows_loaded=result.rows_loaded, rows_rejected=result.rows_rejected,
                         payloads=result.payloads, data_as_of=data_as_of, error=result.error)
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
    clock: Clock = utcnow,
) -> RunReport:
    """Run the named sources (default: all) in `mode` and publish the result atomically.

    `clock` gives the run's times (run id, meta.runs, archive folder names, which are to the second).
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    settings = settings or config.get()
    selected = list(names) if names else list(sources.MODULES)
    for name in selected:
        sources.get(name)  # unknown names fail before anything is touched
    if due:
        pending = set(due_sources(settings.db_path))
        selected = [n for n in selected if n in pending]
    started = clock()
    run_id = f"{started:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"
    report = RunReport(run_id, mode)

    with warehouse.run_lock(settings.lock_path):
        # A full offline run rebuilds from nothing; a partial one (names, --due) updates a copy.
        fresh = mode == "offline" and not names and not due
        con = warehouse.open_build(settings.db_path, fresh=fresh)
        try:
            warehouse.register_sources(con, list(sources.SOURCES.values()))
            warehouse.load_reference(con, settings.seed_dir)
            client = client or Client(settings)
            for name in selected:
                module = sources.get(name)
                plan = _plan(module, mode, replay_dir, settings, client, clock)
                if plan is None:
                    continue
                result = run_source(con, module, run_id, mode, plan, clock)
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


def _plan(module, mode, replay_dir, settings, client, clock: Clock = utcnow) -> Plan | None:
    """What a run gives `module` to load, or None when the mode has nothing for it."""
    source = module.SOURCE
    if source.name == "seed":  # the seed is read from the checkout in every mode
        return Plan([Batch("data/seed", lambda: module.fetch(client))])
    if mode == "offline":
        folders = archived_snapshots(settings.raw_dir, source.name)
        if not folders:
            return None
        if source.load == "append":  # every snapshot, oldest first, as the live runs loaded them
            return Plan([Batch(f.name, lambda f=f: read_archive(f)) for f in folders])
        return Plan([Batch(f.name, lambda f=f: read_archive(f)) for f in reversed(folders)], first_good=True)
    if mode == "replay":
        if not source.captures or not replay_payloads(module, replay_dir):
            return None

        def replayed():
            payloads = replay_payloads(module, replay_dir)
            stamp = max(p.fetched_at for p in payloads)
            archive(settings.raw_dir, source.name, payloads, stamp)
            return payloads

        return Plan([Batch(f"replay of {replay_dir}", replayed)])

    def fetched():
        client.throttle(source.rate_limit_per_minute)
        payloads = list(module.fetch(client))
        if payloads:
            archive(settings.raw_dir, source.name, payloads, clock())
        return payloads

    return Plan([Batch("live fetch", fetched)])


def _progress(log, r: SourceResult) -> None:
    line = f"  {r.source:<22} {r.status:<7} {r.rows_loaded:>9,} rows {r.rows_rejected:>6,} rejected {r.seconds:6.1f}s"
    if r.error:
        line += f"  {r.error[:160]}"
    print(line, file=log, flush=True)
