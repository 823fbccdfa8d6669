"""A run: fetch (or read the archive / a replay folder), archive, parse, validate, load, build marts, publish."""

from __future__ import annotations

import contextlib
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

from etl import alerts, config, guards, parsecache, sources, warehouse
from etl import archive as raw_archive
from etl.http import Client
from etl.provenance import Payload, utcnow

MODES = ("live", "offline", "replay")
LOG_FORMATS = ("text", "json")
# The time a run stamps on meta.runs and on the archive folders it writes (UTC); tests pass their own.
Clock = Callable[[], datetime]


@dataclass
class SourceResult:
    source: str
    status: str  # ok / failed / skipped
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_duplicate: int = 0
    rows_kept: int = 0  # a failed source's rows carried over from the published warehouse
    payloads: int = 0
    seconds: float = 0.0
    error: str | None = None


@dataclass
class RunReport:
    run_id: str
    mode: str
    results: list[SourceResult] = field(default_factory=list)
    published: bool = False
    nothing_due: bool = False
    rebuilt: bool = False  # `run --due` first rebuilt an unreadable warehouse from seed + archive

    @property
    def failed(self) -> list[SourceResult]:
        return [r for r in self.results if r.status == "failed"]


class Unreadable(RuntimeError):
    """The published warehouse cannot be read; the message says what is wrong and what to run."""


# --------------------------------------------------------------------------- logs

class RunLog:
    """One line per event, each with a UTC timestamp and the run id; text or JSON lines."""

    def __init__(self, stream, run_id: str, fmt: str = "text"):
        if fmt not in LOG_FORMATS:
            raise ValueError(f"log format must be one of {LOG_FORMATS}")
        self.stream, self.run_id, self.fmt = stream, run_id, fmt

    def emit(self, event: str, text: str, **fields) -> None:
        ts = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if self.fmt == "json":
            line = json.dumps({"ts": ts, "run_id": self.run_id, "event": event, **fields}, default=str)
        else:
            line = f"{ts} {self.run_id} {text}"
        print(line, file=self.stream, flush=True)

    def source(self, r: SourceResult) -> None:
        text = (f"{r.source:<22} {r.status:<7} {r.rows_loaded:>9,} rows {r.rows_rejected:>6,} rejected "
                f"{r.rows_duplicate:>5,} duplicate {r.seconds:6.1f}s")
        if r.rows_kept:
            text += f"  kept {r.rows_kept:,} rows from the published warehouse"
        if r.error:
            text += f"  {r.error[:160]}"
        self.emit("source", text, **dataclasses.asdict(r))


# --------------------------------------------------------------------------- raw archive

# The archive itself lives in etl/archive.py (atomic, write-once snapshots); these names stay.
read_archive = raw_archive.read_snapshot
archived_snapshots = raw_archive.snapshots


def archive(raw_dir: Path, source: str, payloads: list[Payload], stamp: datetime) -> Path:
    """Archive payloads as one snapshot under raw/<source>/<stamp>/ (see etl.archive.write_snapshot)."""
    return raw_archive.write_snapshot(raw_dir, source, payloads, stamp)


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


def parse_for_validation(module: ModuleType, payloads: Iterable[Payload]):
    """What warehouse.validate reads: the (table, columns) pairs of a module's parse_columns where it
    has one (the same rows, without a dict per row), else parse()'s rows."""
    by_columns = getattr(module, "parse_columns", None)
    if by_columns is None:
        yield from parse_all(module, payloads)
        return
    for payload in payloads:
        yield from by_columns(payload)


@dataclass(frozen=True)
class Batch:
    """One snapshot's payloads, read only when it is its turn (reading can fail, e.g. a bad archive).

    folder: the archived snapshot `read` reads (offline), whose parse may be cached; for live and
    replay batches, `read` archives what it got and leaves the folder in `archived`.
    """

    label: str
    read: Callable[[], list[Payload]]
    folder: Path | None = None
    archived: dict = field(default_factory=dict)


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
    for payload in payloads:
        reason = guards.truncated_csv(payload)
        if reason:
            raise ValueError(reason)
    data = warehouse.validate(source.name, parse_for_validation(module, payloads), default_segment=source.segment)
    if data.n_rows == 0:
        reasons = sorted({r for _, r, _ in data.rejects})[:3]
        raise ValueError(f"parsed 0 usable rows from {len(payloads)} payload(s)"
                         + (f"; rejects: {'; '.join(reasons)}" if reasons else ""))
    return data


def _cache(cache_folder: Path, data: warehouse.Validated, snapshot: Path):
    return parsecache.write(cache_folder, warehouse.CORE, data.rows, data.rejects, data.duplicates, snapshot)


def _load_batch(module: ModuleType, batch: Batch, settings: config.Settings, code: str):
    """(part, payload facts) for one batch: a parse cache entry, or rows in memory (the seed)."""
    name = module.SOURCE.name
    if batch.folder is not None:
        cache_folder = parsecache.folder_for(settings.cache_dir, name, batch.folder, code)
        cached = parsecache.read(cache_folder, batch.folder)
        if cached is None:
            cached = _cache(cache_folder, _parse_batch(module, batch.read()), batch.folder)
        return cached, cached.payloads
    payloads = batch.read()
    data = _parse_batch(module, payloads)
    folder = batch.archived.get("folder")
    if folder is not None:  # so that an offline rebuild finds this snapshot already parsed
        with contextlib.suppress(OSError, duckdb.Error):
            _cache(parsecache.folder_for(settings.cache_dir, name, folder, code), data, folder)
    return data, payloads


def run_source(con: duckdb.DuckDBPyConnection, module: ModuleType, run_id: str, mode: str, plan: Plan,
               clock: Clock = utcnow, *, settings: config.Settings | None = None, baseline: str = "core",
               carry_from: str | None = None, accept_drops: bool = False) -> SourceResult:
    """Fetch (or read), parse, validate and load one source in one transaction; a failure loads nothing.

    baseline: the schema a replace load is compared with (guards against losing rows); carry_from:
    in a build that started empty, the attached published warehouse whose rows a failing source keeps.
    """
    settings = settings or config.get()
    source = module.SOURCE
    started = clock()
    t0 = time.perf_counter()
    result = SourceResult(source.name, "failed")
    data_as_of = None
    skipped: list[str] = []
    code = parsecache.fingerprint(module, settings.seed_dir)
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            parts, facts = [], []
            for batch in plan.batches:
                try:
                    part, part_facts = _load_batch(module, batch, settings, code)
                except Exception as exc:
                    if warehouse.is_disk_full(exc):
                        raise
                    if len(plan.batches) == 1:
                        raise
                    skipped.append(f"{batch.label}: {type(exc).__name__}: {exc}"[:300])
                    continue
                parts.append(part)
                facts += part_facts
                if plan.first_good:
                    break
            if not parts:
                raise ValueError(f"none of {len(plan.batches)} snapshots parsed: {'; '.join(skipped)[:1500]}")
            staged = warehouse.stage(con, parts)
            if not accept_drops:
                warehouse.check_replace(con, source, staged, baseline)
            result.rows_loaded = warehouse.apply_staged(con, source, staged)
            rejects = [r for part in parts for r in part.rejects]
            result.payloads = len(facts)
            result.rows_rejected = len(rejects)
            result.rows_duplicate = sum(part.duplicates for part in parts)
            warehouse.record_rejects(con, run_id, source.name, rejects)
            warehouse.record_payloads(con, run_id, source.name, facts)
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        data_as_of = max(p.fetched_at for p in facts).replace(tzinfo=None)
        result.status = "ok"
        if skipped:
            result.error = f"skipped {len(skipped)} archived snapshot(s): {'; '.join(skipped)}"[:2000]
    except Exception as exc:  # one source failing never stops the others
        if warehouse.is_disk_full(exc):
            raise
        result.rows_loaded = result.rows_duplicate = 0
        result.error = f"{type(exc).__name__}: {exc}"[:2000]
        if carry_from:
            result.rows_kept = warehouse.carry_over(con, source.name, carry_from)
    result.seconds = time.perf_counter() - t0
    warehouse.record_run(con, run_id, source.name, mode, started, clock(), status=result.status,
                         rows_loaded=result.rows_loaded, rows_rejected=result.rows_rejected,
                         payloads=result.payloads, data_as_of=data_as_of, error=result.error,
                         rows_duplicate=result.rows_duplicate)
    return result


# --------------------------------------------------------------------------- a whole run

def due_sources(db_path: str) -> list[str]:
    """Sources whose last success is older than their cadence (or that never succeeded)."""
    if not Path(db_path).exists() or warehouse.check_readable(db_path):
        return list(sources.MODULES)
    con = warehouse.connect_readonly(db_path)
    try:
        fresh = {r[0] for r in con.execute("SELECT source FROM marts.freshness WHERE status = 'fresh'").fetchall()}
    finally:
        con.close()
    return [name for name in sources.MODULES if name not in fresh]


def new_run_id(clock: Clock = utcnow) -> str:
    return f"{clock():%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"


def run(
    names: list[str] | None = None,
    *,
    mode: str = "live",
    replay_dir: Path | None = None,
    due: bool = False,
    client: Client | None = None,
    settings: config.Settings | None = None,
    log=sys.stderr,
    log_format: str = "text",
    clock: Clock = utcnow,
    accept_drops: bool = False,
    run_id: str | None = None,
) -> RunReport:
    """Run the named sources (default: all) in `mode` and publish the result atomically.

    `clock` gives the run's times (run id, meta.runs, archive folder names, which are to the second).
    With `due`, nothing is built when nothing is due, and an unreadable published warehouse is first
    rebuilt from the seed and the archive. A full disk raises warehouse.DiskFull after removing the
    build's files; the failure is recorded in meta.runs by the next run that can write.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    settings = settings or config.get()
    selected = list(names) if names else list(sources.MODULES)
    for name in selected:
        sources.get(name)  # unknown names fail before anything is touched
    run_id = run_id or new_run_id(clock)
    logger = RunLog(log, run_id, log_format)
    report = RunReport(run_id, mode)
    fresh = mode == "offline" and not names and not due  # a full offline run rebuilds from nothing
    logger.emit("started", f"run started ({mode}{', due' if due else ''}): {len(selected)} source(s) selected",
                mode=mode, due=due, selected=selected)
    problem = warehouse.check_readable(settings.db_path) if Path(settings.db_path).exists() else None
    if problem and due:
        logger.emit("rebuild", f"{problem}; rebuilding it from data/seed and the raw archive first",
                    problem=problem)
        rebuilt = run(mode="offline", client=client, settings=settings, log=log, log_format=log_format,
                      clock=clock)
        report.results += rebuilt.results
        report.rebuilt = True
    elif problem and not fresh:
        raise Unreadable(f"{problem}. Run `python -m etl run --due` (or `python -m etl run --offline`) to "
                         "rebuild it from data/seed and data/raw; nothing was changed")
    if due:
        pending = set(due_sources(settings.db_path))
        selected = [n for n in selected if n in pending]
        if not selected:
            report.nothing_due = True
            logger.emit("nothing_due", "nothing due: every selected source is fresh; nothing built or published")
            _alert(settings, logger)
            return report

    with warehouse.run_lock(settings.lock_path):
        pending_failures = _read_failures(settings)
        con = None
        try:
            con = warehouse.open_build(settings.db_path, fresh=fresh)
            published = warehouse.attach_published(con, settings.db_path) if fresh else None
            warehouse.register_sources(con, list(sources.SOURCES.values()))
            warehouse.load_reference(con, settings.seed_dir)
            client = client or Client(settings)
            for name in selected:
                module = sources.get(name)
                plan = _plan(module, mode, replay_dir, settings, client, clock)
                if plan is None:
                    if published:  # nothing archived to rebuild it from: keep what was published
                        kept = warehouse.carry_over(con, name, published)
                        if kept:
                            logger.emit("kept", f"{name:<22} kept {kept:,} rows from the published warehouse "
                                        "(no archived snapshot)", source=name, rows_kept=kept)
                    continue
                result = run_source(con, module, run_id, mode, plan, clock, settings=settings,
                                    baseline=f"{published}.core" if published else "core",
                                    carry_from=published, accept_drops=accept_drops)
                report.results.append(result)
                logger.source(result)
            _record_failures(con, pending_failures)
            if published:
                con.execute(f"DETACH {published}")
            built = warehouse.build_marts(con)
            logger.emit("marts", f"marts: {', '.join(built)}", marts=built)
            warehouse.publish(con, settings.db_path, run_id)
            report.published = True
            settings.failed_runs_path.unlink(missing_ok=True)
        except BaseException as exc:
            if con is not None and not report.published:
                with contextlib.suppress(Exception):
                    con.close()
            warehouse.discard_build(settings.db_path)
            if warehouse.is_disk_full(exc):
                where = Path(settings.db_path).parent
                message = (f"disk full: no space left on the device holding {where}; run {run_id} stopped, "
                           "its partial files were removed and the published warehouse is unchanged")
                _journal_failure(settings, run_id, mode, selected, message)
                raise warehouse.DiskFull(message) from None
            _journal_failure(settings, run_id, mode, selected, f"run {run_id} died: {type(exc).__name__}: {exc}")
            raise
    _alert(settings, logger)
    return report


def _alert(settings: config.Settings, logger: RunLog) -> None:
    """Post incident changes to the webhook, if one is set; an alert failure never fails a run."""
    if not settings.alert_webhook or not Path(settings.db_path).exists():
        return
    try:
        sent = alerts.notify(settings.db_path, settings.alert_state_path, settings.alert_webhook)
    except Exception as exc:
        logger.emit("alert", f"alerts: could not check or post ({type(exc).__name__}: {exc})"[:300])
        return
    if sent:
        logger.emit("alert", f"alerts: posted {len(sent)} message(s)", messages=sent)


def _journal_failure(settings: config.Settings, run_id: str, mode: str, selected: list[str], error: str) -> None:
    """Remember a run that could not record itself, so the next run puts it in meta.runs."""
    line = json.dumps({"run_id": run_id, "mode": mode, "sources": selected, "error": error[:1500],
                       "at": utcnow().isoformat()})
    with contextlib.suppress(OSError):
        settings.failed_runs_path.parent.mkdir(parents=True, exist_ok=True)
        with open(settings.failed_runs_path, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")


def _read_failures(settings: config.Settings) -> list[dict]:
    try:
        lines = settings.failed_runs_path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    out = []
    for line in lines:
        with contextlib.suppress(ValueError):
            out.append(json.loads(line))
    return out


def _record_failures(con: duckdb.DuckDBPyConnection, failures: list[dict]) -> None:
    for f in failures:
        at = datetime.fromisoformat(f["at"])
        for source in f.get("sources") or []:
            warehouse.record_run(con, f["run_id"], source, f.get("mode", "live"), at, at, status="failed",
                                 rows_loaded=0, rows_rejected=0, payloads=0, data_as_of=None, error=f["error"])


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
            return Plan([Batch(f.name, lambda f=f: read_archive(f), folder=f) for f in folders])
        return Plan([Batch(f.name, lambda f=f: read_archive(f), folder=f) for f in reversed(folders)],
                    first_good=True)
    if mode == "replay":
        if not source.captures or not replay_payloads(module, replay_dir):
            return None
        batch = Batch(f"replay of {replay_dir}", lambda: replayed())

        def replayed():
            payloads = replay_payloads(module, replay_dir)
            stamp = max(p.fetched_at for p in payloads)
            batch.archived["folder"] = raw_archive.write_snapshot(settings.raw_dir, source.name, payloads, stamp)
            return payloads

        return Plan([batch])

    batch = Batch("live fetch", lambda: fetched())

    def fetched():
        client.throttle(source.rate_limit_per_minute)
        client.set_deadline(settings.deadline_for(source.name))
        payloads = list(module.fetch(client))
        if payloads:
            batch.archived["folder"] = raw_archive.write_snapshot(settings.raw_dir, source.name, payloads, clock())
        return payloads

    return Plan([batch])


def snapshot_keys(module: ModuleType, folder: Path, settings: config.Settings | None = None) -> dict | None:
    """{table: set of snapshot keys} an archived snapshot loads, or None when it cannot be loaded
    (for `etl prune`; parsed through the parse cache, so a snapshot is parsed at most once)."""
    settings = settings or config.get()
    batch = Batch(folder.name, lambda: read_archive(folder), folder=folder)
    try:
        cached, _ = _load_batch(module, batch, settings, parsecache.fingerprint(module, settings.seed_dir))
    except Exception:
        return None
    con = duckdb.connect()
    try:
        return {table: {r[0] for r in con.execute(
            f"SELECT DISTINCT {warehouse.SNAPSHOT_KEY[table]} FROM read_parquet(?)", [str(cached.parquet(table))]
        ).fetchall()} for table, n in cached.tables.items() if n}
    finally:
        con.close()
