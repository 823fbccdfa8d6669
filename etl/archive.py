"""The raw archive: write-once snapshots made atomic (temporary name, fsync, rename), complete only with a manifest."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from etl.provenance import Payload

MANIFEST = "manifest.json"
INCOMPLETE_PREFIX = ".incomplete-"  # a snapshot being written; never read, removed by `etl prune`
STAMP_FORMAT = "%Y-%m-%dT%H%M%S"


@dataclass(frozen=True)
class Entry:
    """One archived file as its manifest records it."""

    name: str
    url: str
    fetched_at: datetime
    sha256: str
    bytes: int


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_file_once(path: Path, body: bytes) -> None:
    """Create `path` with `body` and fsync it; an existing file is an error, never overwritten."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        view = memoryview(body)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    finally:
        os.close(fd)


def manifest_entries(payloads: Iterable[Payload]) -> list[tuple[Entry, bytes]]:
    """File names (made unique) and manifest facts for payloads, in their order."""
    out: list[tuple[Entry, bytes]] = []
    names: set[str] = set()
    for i, p in enumerate(payloads):
        name = p.name if p.name not in names and p.name != MANIFEST else f"{i:04d}-{p.name}"
        names.add(name)
        out.append((Entry(name, p.url, p.fetched_at, p.sha256, len(p.body)), p.body))
    return out


def _manifest_json(entries: list[Entry]) -> bytes:
    """The manifest: a JSON list of the files with their url, fetch time, sha256 and size."""
    doc = [{"name": e.name, "url": e.url, "fetched_at": e.fetched_at.isoformat(), "sha256": e.sha256,
            "bytes": e.bytes} for e in entries]
    return json.dumps(doc, indent=1).encode("utf-8")


def read_manifest(folder: Path) -> list[Entry]:
    """A snapshot's manifest entries (a list; an object with "files" is read too)."""
    doc = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    files = doc["files"] if isinstance(doc, dict) else doc
    return [Entry(m["name"], m["url"], datetime.fromisoformat(m["fetched_at"]), m["sha256"], m["bytes"])
            for m in files]


def is_complete(folder: Path) -> bool:
    return folder.is_dir() and not folder.name.startswith(".") and (folder / MANIFEST).is_file()


def _content_key(entries: list[Entry]) -> list[tuple[str, str]]:
    return [(e.name, e.sha256) for e in entries]


def write_snapshot(raw_dir: Path, source: str, payloads: list[Payload], stamp: datetime) -> Path:
    """Archive payloads as raw/<source>/<stamp>/ and return the folder; nothing existing is rewritten.

    The files go into a hidden temporary folder, each fsynced, the manifest last; the folder is then
    renamed into place, so a snapshot either exists whole with its manifest or not at all. Archiving
    the same content under the same stamp again (a replay) returns the existing snapshot; different
    content under a taken stamp gets a new folder named by its digest.
    """
    entries = manifest_entries(payloads)
    facts = [e for e, _ in entries]
    base = raw_dir / source
    base.mkdir(parents=True, exist_ok=True)
    name = stamp.strftime(STAMP_FORMAT)
    digest = hashlib.sha256(json.dumps(_content_key(facts)).encode()).hexdigest()[:10]
    candidates = [name, f"{name}-{digest}"] + [f"{name}-{digest}-{n}" for n in range(2, 100)]
    for candidate in candidates:
        final = base / candidate
        if is_complete(final):
            try:
                if _content_key(read_manifest(final)) == _content_key(facts):
                    return final  # already archived whole: never write it twice
            except (ValueError, KeyError, OSError):
                pass  # an unreadable manifest: leave that folder alone, use another name
            continue
        if final.exists():
            continue  # a folder without a manifest (an older, interrupted write): keep it out of the way
        break
    else:  # pragma: no cover - a hundred different contents under one stamp
        raise RuntimeError(f"no free archive name for {source} at {name}")

    tmp = base / f"{INCOMPLETE_PREFIX}{candidate}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    tmp.mkdir()
    try:
        for entry, body in entries:
            write_file_once(tmp / entry.name, body)
        write_file_once(tmp / MANIFEST, _manifest_json(facts))
        _fsync_dir(tmp)
        os.rename(tmp, final)  # atomic; fails rather than merge if `final` appeared meanwhile
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _fsync_dir(base)
    return final


def read_snapshot(folder: Path) -> list[Payload]:
    """An archived snapshot's payloads; a file whose sha256 differs from the manifest is refused."""
    payloads = []
    for e in read_manifest(folder):
        payload = Payload(body=(folder / e.name).read_bytes(), url=e.url, fetched_at=e.fetched_at, name=e.name)
        if payload.sha256 != e.sha256:
            raise ValueError(f"{folder / e.name} does not match its manifest sha256 (truncated or edited)")
        payloads.append(payload)
    return payloads


def snapshots(raw_dir: Path, source: str) -> list[Path]:
    """A source's complete snapshots, oldest first (interrupted writes are not snapshots)."""
    base = raw_dir / source
    if not base.is_dir():
        return []
    return sorted(d for d in base.iterdir() if is_complete(d))


def incomplete(raw_dir: Path) -> list[Path]:
    """Folders a killed archive write left behind (hidden temporaries, folders without a manifest)."""
    if not raw_dir.is_dir():
        return []
    return sorted(d for base in raw_dir.iterdir() if base.is_dir() for d in base.iterdir()
                  if d.is_dir() and not (d / MANIFEST).is_file())
