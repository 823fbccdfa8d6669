"""Parsed archive snapshots, kept so an offline rebuild parses each snapshot once, not on every rebuild.

A snapshot's validated rows are written (Parquet per table, plus its rejects and counts) under
data/cache/parsed/<source>/<snapshot>-<code>/, where <code> fingerprints everything that decides
what parse + validate make of the same bytes: the connector and every module it may use, the
validation code and the seed's CSVs. Change any of them and the cache misses, so the rebuild
re-parses from the raw archive exactly as before; the raw archive stays the source of truth.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import ModuleType

import duckdb
import pandas as pd

from etl import archive

ETL_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Cached:
    """One snapshot's parse result as stored: Parquet files per table and the counts beside them."""

    folder: Path
    tables: dict[str, int]  # table -> rows
    rejects: list[tuple[str, str, dict]]
    duplicates: int
    payloads: list[archive.Entry]

    @property
    def n_rows(self) -> int:
        return sum(self.tables.values())

    def parquet(self, table: str) -> Path:
        return self.folder / f"{table}.parquet"


def fingerprint(module: ModuleType, seed_dir: Path) -> str:
    """A digest of the code and reference data that decide what parsing a snapshot gives."""
    h = hashlib.sha256()
    files = [Path(module.__file__)] if getattr(module, "__file__", None) else []
    # Any module a parser or the validation may use, and every reference table: erring on the side
    # of a miss (one re-parse after an upgrade or a seed edit) rather than a stale hit.
    files += sorted(ETL_DIR.glob("*.py")) + sorted((ETL_DIR / "sources").glob("_*.py"))
    files += sorted(seed_dir.glob("*.csv"))
    for path in files:
        h.update(path.name.encode())
        h.update(path.read_bytes() if path.is_file() else b"<missing>")
    if not getattr(module, "__file__", None):  # a module built in code (tests): its repr is all we know
        h.update(repr(module.SOURCE).encode())
    return h.hexdigest()[:16]


def _manifest_digest(snapshot: Path) -> str:
    return hashlib.sha256((snapshot / archive.MANIFEST).read_bytes()).hexdigest()[:12]


def folder_for(cache_dir: Path, source: str, snapshot: Path, code: str) -> Path:
    return cache_dir / source / f"{snapshot.name}-{_manifest_digest(snapshot)}-{code}"


def _stats(snapshot: Path, entries: list[archive.Entry]) -> dict[str, list[int]]:
    out = {}
    for e in entries:
        st = (snapshot / e.name).stat()
        out[e.name] = [st.st_size, st.st_mtime_ns]
    return out


def read(folder: Path, snapshot: Path | None = None) -> Cached | None:
    """The cached parse in `folder`, or None when there is none, it is unreadable, or (given the
    `snapshot` it was made from) an archived file changed size or time since: then the caller reads
    the snapshot again, and its sha256 check refuses a damaged file."""
    try:
        doc = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        payloads = [archive.Entry(p["name"], p["url"], datetime.fromisoformat(p["fetched_at"]), p["sha256"],
                                  p["bytes"]) for p in doc["payloads"]]
        cached = Cached(folder, {t: int(n) for t, n in doc["tables"].items()},
                        [tuple(r) for r in doc["rejects"]], int(doc["duplicates"]), payloads)
        if snapshot is not None and _stats(snapshot, payloads) != doc["files"]:
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not all(cached.parquet(t).is_file() for t in cached.tables):
        return None
    return cached


def write(folder: Path, columns: dict[str, dict[str, str]], rows: Mapping[str, list[dict]],
          rejects: list[tuple[str, str, dict]], duplicates: int, snapshot: Path) -> Cached:
    """Store one snapshot's validated rows atomically (temporary folder, then rename).

    `rows` is table -> rows as dicts, or a warehouse.TableRows, whose Arrow frames are written as they are.
    """
    payloads = archive.read_manifest(snapshot)
    frames = getattr(rows, "frames", None)
    counts = ({t: f.num_rows for t, f in frames.items()} if frames is not None
              else {t: len(r) for t, r in rows.items()})
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.parent / f".tmp-{folder.name}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    tmp.mkdir()
    try:
        con = duckdb.connect()
        try:
            for table, n in counts.items():
                if not n:
                    continue
                incoming = frames[table] if frames is not None else pd.DataFrame(rows[table], columns=list(columns[table]))
                con.register("incoming", incoming)
                casts = ", ".join(f"CAST({c} AS {t}) AS {c}" for c, t in columns[table].items())
                con.execute(f"COPY (SELECT {casts} FROM incoming) TO '{tmp / (table + '.parquet')}' (FORMAT parquet)")
                con.unregister("incoming")
        finally:
            con.close()
        doc = {"tables": {t: n for t, n in counts.items() if n},
               "rejects": [[t, reason, rec] for t, reason, rec in rejects],
               "duplicates": duplicates,
               "files": _stats(snapshot, payloads),
               "payloads": [{"name": e.name, "url": e.url, "fetched_at": e.fetched_at.isoformat(),
                             "sha256": e.sha256, "bytes": e.bytes} for e in payloads]}
        (tmp / "meta.json").write_text(json.dumps(doc, default=str), encoding="utf-8")
        if folder.exists():  # another run cached the same snapshot meanwhile: same content, keep it
            shutil.rmtree(tmp)
        else:
            os.rename(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return read(folder, snapshot)


def stale_folders(cache_dir: Path, keep: set[Path]) -> list[Path]:
    """Cache folders not in `keep` (superseded code versions, pruned snapshots, interrupted writes)."""
    if not cache_dir.is_dir():
        return []
    return sorted(f for base in cache_dir.iterdir() if base.is_dir() for f in base.iterdir()
                  if f.is_dir() and f not in keep)
