"""Items 8, 11 and 14: an unreadable warehouse is explained, not a traceback, and `run --due` heals it;
`status --fail-on-stale` counts sources that never succeeded; logs carry the run id and a timestamp."""

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from etl import pipeline
from etl.__main__ import main
from tests.ops_support import OFFERS, QUIET, fake_source, only_seed_plus

ROOT = Path(__file__).resolve().parent.parent
RUN_ID = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{6}")


@pytest.fixture
def registry(monkeypatch):
    return only_seed_plus(monkeypatch)


def _corrupt(db: Path):
    db.write_bytes(os.urandom(300_000))


def _blank(db: Path):
    db.write_bytes(b"")


def _truncated(db: Path):
    body = db.read_bytes()
    db.write_bytes(body[: len(body) // 2])


BREAKAGES = {"corrupt": _corrupt, "blank": _blank, "truncated": _truncated}

HOLDER = textwrap.dedent("""
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1])  # a writer holds the file's lock
    print("holding", flush=True)
    time.sleep(120)
""")


@pytest.fixture
def broken(settings, registry, request):
    """The published warehouse made unreadable in the way the test is parametrized with."""
    registry(fake_source(body=OFFERS))
    pipeline.run(["seed", "fakeprices"], log=QUIET)
    db = Path(settings.db_path)
    holder = None
    if request.param == "locked":
        holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db)], stdout=subprocess.PIPE, text=True)
        assert holder.stdout.readline().strip() == "holding"
    else:
        BREAKAGES[request.param](db)
    yield request.param
    if holder:
        holder.send_signal(signal.SIGKILL)
        holder.wait()


KINDS = ["corrupt", "blank", "truncated", "locked"]


@pytest.mark.parametrize("broken", KINDS, indirect=True)
@pytest.mark.parametrize("command", [["status"], ["status", "--fail-on-stale"], ["sources"], ["run", "seed"]])
def test_cli_explains_an_unreadable_warehouse_and_what_to_run(broken, command, capsys):
    try:
        rc = main(command)
    except Exception as exc:  # a traceback is exactly what must not happen
        pytest.fail(f"{command} raised {type(exc).__name__}: {exc}")
    err = capsys.readouterr().err
    assert rc != 0
    assert "unreadable" in err or "locked" in err
    assert "run --due" in err or "run --offline" in err or "close" in err


@pytest.mark.parametrize("broken", KINDS, indirect=True)
def test_run_due_rebuilds_from_seed_and_archive_when_the_published_file_is_unreadable(broken, settings, capsys):
    rc = main(["run", "--due"])
    err = capsys.readouterr().err
    assert rc == 0, err
    assert "rebuil" in err
    con = duckdb.connect(settings.db_path, read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM core.gpu_prices WHERE source = 'fakeprices'").fetchone()[0] == 2
        assert con.execute("SELECT count(*) FROM core.indicators WHERE source = 'seed'").fetchone()[0] > 100
    finally:
        con.close()


# --------------------------------------------------------------------------- item 11

def test_fail_on_stale_counts_live_sources_that_never_succeeded(settings, registry, capsys):
    registry(fake_source(body=OFFERS))
    pipeline.run(["seed"], log=QUIET)  # the seed-only default: fakeprices never ran
    assert main(["status", "--fail-on-stale"]) == 1
    assert "never succeeded" in capsys.readouterr().err
    assert main(["status", "--fail-on-stale", "--offline-ok"]) == 0  # a seed-only deployment says so
    pipeline.run(["fakeprices"], log=QUIET)
    assert main(["status", "--fail-on-stale"]) == 0


def test_offline_ok_still_fails_on_a_stale_source(settings, registry):
    module = registry(fake_source(body=OFFERS))
    pipeline.run(["seed"], log=QUIET)
    module.state["fail"] = RuntimeError("down")
    pipeline.run(["fakeprices"], log=QUIET)  # tried, never succeeded: stale
    assert main(["status", "--fail-on-stale", "--offline-ok"]) == 1


# --------------------------------------------------------------------------- item 14

def etl(data_dir: Path, *args: str, **kw):
    env = {**os.environ, "COMPUTEWATCH_DATA_DIR": str(data_dir)}
    env.pop("COMPUTEWATCH_DB", None)
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300, **kw)


def test_one_log_line_per_source_with_run_id_and_timestamp(tmp_path):
    done = etl(tmp_path, "run", "seed")
    assert done.returncode == 0, done.stderr
    source_lines = [ln for ln in done.stderr.splitlines() if " seed " in f" {ln} " and " ok " in f" {ln} "]
    assert len(source_lines) == 1
    line = source_lines[0]
    run_id = RUN_ID.search(line)
    assert run_id and re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", line)
    assert run_id.group(0) in done.stderr.splitlines()[-1]  # the summary names the same run


def test_log_format_json_gives_one_object_a_line(tmp_path):
    done = etl(tmp_path, "run", "seed", "--log-format", "json")
    assert done.returncode == 0, done.stderr
    records = [json.loads(ln) for ln in done.stderr.splitlines() if ln.strip()]
    by_event = {}
    for r in records:
        by_event.setdefault(r["event"], []).append(r)
    (seed,) = [r for r in by_event["source"] if r["source"] == "seed"]
    assert seed["status"] == "ok" and seed["rows_loaded"] > 300 and RUN_ID.fullmatch(seed["run_id"])
    assert {r["run_id"] for r in records} == {seed["run_id"]}
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", r["ts"]) for r in records)


def test_a_run_that_dies_has_already_printed_its_run_id(tmp_path):
    env = {**os.environ, "COMPUTEWATCH_DATA_DIR": str(tmp_path)}
    env.pop("COMPUTEWATCH_DB", None)
    proc = subprocess.Popen([sys.executable, "-m", "etl", "run", "--offline"], cwd=ROOT, env=env,
                            stderr=subprocess.PIPE, text=True)
    first = proc.stderr.readline()
    proc.send_signal(signal.SIGKILL)  # dies before any source line or summary
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert RUN_ID.search(first), first


def test_a_run_that_fails_unexpectedly_names_its_run_id_without_a_traceback(settings, registry, monkeypatch, capsys):
    from etl import warehouse

    def explode(*args, **kwargs):
        raise RuntimeError("marts exploded")

    monkeypatch.setattr(warehouse, "build_marts", explode)
    assert main(["run", "seed"]) == 1
    err = capsys.readouterr().err
    assert "marts exploded" in err and RUN_ID.search(err.splitlines()[-1])
