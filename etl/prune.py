"""Retention: remove raw snapshots older than a cutoff that an offline rebuild no longer needs, and stale parse caches.

An offline rebuild loads, per source:
- replace sources: the newest snapshot that parses (older ones are only fallbacks);
- append sources: every snapshot in order, each replacing the rows of the same snapshot key
  (observed_at / period) that earlier ones loaded.
So a snapshot older than the cutoff is not needed when it cannot be loaded at all (unreadable, or
parses to no usable row), when it is a replace source's snapshot older than the one the rebuild
loads, or when every key it holds is loaded again by a later snapshot. Pruning by these rules gives
an offline rebuild the same tables as before; a test checks exactly that.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

from etl import archive, parsecache

_AGE = re.compile(r"^(\d+)([dhw])$")


def parse_age(text: str) -> timedelta:
    """'90d', '12h', '2w' -> a timedelta (ValueError otherwise)."""
    match = _AGE.match(text.strip())
    if not match:
        raise ValueError(f"expected an age like 90d, 12h or 2w, got {text!r}")
    n, unit = int(match.group(1)), match.group(2)
    return {"d": timedelta(days=n), "h": timedelta(hours=n), "w": timedelta(weeks=n)}[unit]


@dataclass(frozen=True)
class Removal:
    path: Path
    reason: str
    bytes: int


def snapshot_time(folder: Path) -> datetime:
    """When a snapshot was fetched: its newest payload's fetch time (the manifest is authoritative)."""
    return max(e.fetched_at for e in archive.read_manifest(folder)).astimezone(UTC)


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else 0


def plan(raw_dir: Path, modules: dict[str, ModuleType], keys_of, *, older_than: timedelta,
         now: datetime | None = None) -> list[Removal]:
    """What pruning would remove. keys_of(module, folder) -> {table: set of snapshot keys}, or None
    when the snapshot cannot be loaded (unreadable or no usable rows)."""
    now = now or datetime.now(UTC)
    cutoff = now - older_than
    out = [Removal(f, "interrupted archive write (no manifest)", _size(f)) for f in archive.incomplete(raw_dir)]
    for name, module in modules.items():
        folders = archive.snapshots(raw_dir, name)
        if not folders:
            continue
        times = {f: snapshot_time(f) for f in folders}
        ordered = sorted(folders, key=lambda f: (times[f], f.name))
        keys = {f: keys_of(module, f) for f in ordered}
        if module.SOURCE.load == "replace":
            loaded = next((f for f in reversed(ordered) if keys[f] is not None), None)
            for f in ordered:
                if times[f] >= cutoff or f == loaded:
                    continue
                if keys[f] is None:
                    out.append(Removal(f, "cannot be loaded (unreadable or no usable rows)", _size(f)))
                elif loaded is not None and times[f] < times[loaded]:
                    out.append(Removal(f, f"replace source: superseded by {loaded.name}", _size(f)))
            continue
        for i, f in enumerate(ordered):
            if times[f] >= cutoff:
                continue
            if keys[f] is None:
                out.append(Removal(f, "cannot be loaded (unreadable or no usable rows)", _size(f)))
                continue
            later: dict[str, set] = {}
            for g in ordered[i + 1:]:
                for table, ks in (keys[g] or {}).items():
                    later.setdefault(table, set()).update(ks)
            if all(ks <= later.get(table, set()) for table, ks in keys[f].items()):
                out.append(Removal(f, "every row it holds is reloaded by a later snapshot", _size(f)))
    return out


def stale_cache(cache_dir: Path, raw_dir: Path, modules: dict[str, ModuleType], seed_dir: Path,
                removed: set[Path]) -> list[Removal]:
    """Parse caches of removed snapshots or of code versions no longer current."""
    keep: set[Path] = set()
    for name, module in modules.items():
        code = parsecache.fingerprint(module, seed_dir)
        for f in archive.snapshots(raw_dir, name):
            if f not in removed:
                keep.add(parsecache.folder_for(cache_dir, name, f, code))
    return [Removal(f, "parse cache no longer used", _size(f)) for f in parsecache.stale_folders(cache_dir, keep)]


def apply(removals: list[Removal]) -> None:
    for r in removals:
        shutil.rmtree(r.path, ignore_errors=True)
