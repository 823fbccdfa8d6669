"""Item 1 (archive layer): snapshots are written once, atomically, and complete only with their manifest."""

import os
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from etl import archive
from etl.provenance import Payload

ROOT = Path(__file__).resolve().parent.parent
STAMP = datetime(2026, 3, 4, tzinfo=UTC)


def payloads(*bodies: bytes) -> list[Payload]:
    return [Payload(b, f"https://example.test/{i}", STAMP, f"part{i}.json") for i, b in enumerate(bodies)]


def test_archiving_the_same_content_again_rewrites_nothing(tmp_path):
    first = archive.write_snapshot(tmp_path, "src", payloads(b"[1]", b"[2]"), STAMP)
    before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in first.iterdir()}
    again = archive.write_snapshot(tmp_path, "src", payloads(b"[1]", b"[2]"), STAMP)
    assert again == first
    assert {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in again.iterdir()} == before
    assert [p.body for p in archive.read_snapshot(first)] == [b"[1]", b"[2]"]


def test_new_content_under_a_taken_stamp_gets_its_own_snapshot(tmp_path):
    first = archive.write_snapshot(tmp_path, "src", payloads(b"[1]"), STAMP)
    second = archive.write_snapshot(tmp_path, "src", payloads(b"[1, 2]"), STAMP)
    assert second != first and second.name.startswith(first.name)
    assert [p.body for p in archive.read_snapshot(first)] == [b"[1]"]
    assert [p.body for p in archive.read_snapshot(second)] == [b"[1, 2]"]
    assert archive.snapshots(tmp_path, "src") == [first, second]


def test_a_folder_without_manifest_is_not_a_snapshot_and_is_never_written_into(tmp_path):
    leftover = tmp_path / "src" / STAMP.strftime(archive.STAMP_FORMAT)
    leftover.mkdir(parents=True)
    (leftover / "part0.json").write_bytes(b"[half")  # an interrupted write of an older version
    assert archive.snapshots(tmp_path, "src") == []
    made = archive.write_snapshot(tmp_path, "src", payloads(b"[1]"), STAMP)
    assert made != leftover and (leftover / "part0.json").read_bytes() == b"[half"
    assert archive.snapshots(tmp_path, "src") == [made]
    assert archive.incomplete(tmp_path) == [leftover]


def test_existing_files_are_never_overwritten(tmp_path):
    path = tmp_path / "f"
    archive.write_file_once(path, b"good")
    with pytest.raises(FileExistsError):
        archive.write_file_once(path, b"bad")
    assert path.read_bytes() == b"good"


def test_manifests_written_before_this_module_still_read(tmp_path):
    folder = tmp_path / "src" / "2026-01-01T000000"
    folder.mkdir(parents=True)
    (folder / "a.json").write_bytes(b"{}")
    p = Payload(b"{}", "https://example.test/a", STAMP, "a.json")
    (folder / "manifest.json").write_text(
        f'[{{"name": "a.json", "url": "{p.url}", "fetched_at": "{STAMP.isoformat()}", '
        f'"sha256": "{p.sha256}", "bytes": 2}}]')
    assert archive.read_snapshot(folder) == [p]


KILLED_WRITER = textwrap.dedent("""
    import resource, signal, sys
    from datetime import datetime, UTC
    from pathlib import Path
    from etl import archive
    from etl.provenance import Payload
    # The kernel kills this process (SIGXFSZ, default action) the moment a file reaches the limit:
    # a kill at an exact byte in the middle of an archive write.
    signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
    limit = int(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    stamp = datetime(2026, 3, 4, tzinfo=UTC)
    bodies = [b"[" + b"1," * 200_000 + b"1]", b"[" + b"2," * 2_000_000 + b"2]"]
    payloads = [Payload(b, f"https://example.test/{i}", stamp, f"part{i}.json") for i, b in enumerate(bodies)]
    archive.write_snapshot(Path(sys.argv[1]), "src", payloads, stamp)
""")


@pytest.mark.parametrize("limit", [100_000, 1_000_000, 3_000_000])
def test_a_process_killed_mid_archive_leaves_the_previous_snapshot_whole(tmp_path, limit):
    big = [b"[" + b"1," * 200_000 + b"1]", b"[" + b"2," * 2_000_000 + b"2]"]
    good = archive.write_snapshot(tmp_path, "src", payloads(*big[:1]), STAMP)  # yesterday's good snapshot
    proc = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(tmp_path), str(limit)], cwd=ROOT,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}, capture_output=True)
    assert proc.returncode == -signal.SIGXFSZ, proc.stderr  # killed mid-write, not finished
    assert archive.snapshots(tmp_path, "src") == [good]
    assert [p.body for p in archive.read_snapshot(good)] == big[:1]
    # and the interrupted write is visible as such, for `etl prune` to remove
    assert len(archive.incomplete(tmp_path)) == 1
