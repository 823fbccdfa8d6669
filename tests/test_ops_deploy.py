"""Item 16: deploy/ holds a crontab line, a systemd service + timer and a scheduled CI workflow, each
working as written: the units pass `systemd-analyze verify`, and every command they schedule is run
here exactly as written (only the install path /srv/computewatch is replaced by a scratch install)."""

import os
import re
import shlex
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
import yaml

from etl import pipeline, sources

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
INSTALL = "/srv/computewatch"
CRON_FIELD = re.compile(r"^(\*|\d+(-\d+)?)(/\d+)?(,(\*|\d+(-\d+)?)(/\d+)?)*$")
CRON_RANGES = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]


def valid_cron_schedule(fields: list[str]) -> bool:
    if len(fields) != 5:
        return False
    for field, (low, high) in zip(fields, CRON_RANGES, strict=True):
        if not CRON_FIELD.match(field):
            return False
        numbers = [int(n) for n in re.findall(r"\d+", re.sub(r"/\d+", "", field))]
        if any(not low <= n <= high for n in numbers):
            return False
    return True


@pytest.fixture
def install(tmp_path, monkeypatch):
    """A scratch install: the checkout's code and venv, its own data dir holding a warehouse in which
    every source is fresh, so `run --due` has nothing to fetch (no network needed)."""
    app = tmp_path / "app"
    app.mkdir()
    for name in ("etl", "dashboard", ".venv", ".streamlit"):
        (app / name).symlink_to(ROOT / name)
    data = app / "data"
    env = {**os.environ, "COMPUTEWATCH_DATA_DIR": str(data), "COMPUTEWATCH_SEED_DIR": str(ROOT / "data" / "seed")}
    env.pop("COMPUTEWATCH_DB", None)
    monkeypatch.setenv("COMPUTEWATCH_DATA_DIR", str(data))
    monkeypatch.delenv("COMPUTEWATCH_DB", raising=False)
    pipeline.run(["seed"], log=open(os.devnull, "w"))
    con = duckdb.connect(str(data / "warehouse.duckdb"))
    now = datetime.now(UTC).replace(tzinfo=None)
    for name in sources.SOURCES:
        con.execute("INSERT INTO meta.runs (run_id, source, mode, started_at, finished_at, status, data_as_of) "
                    "VALUES ('deploy-test', ?, 'live', ?, ?, 'ok', ?)", [name, now, now, now])
    con.close()
    return app, env


def _local(text: str, app: Path) -> str:
    return text.replace(INSTALL, str(app))


def test_crontab_lines_are_valid_and_run_as_written(install):
    app, env = install
    lines = [ln for ln in (DEPLOY / "crontab").read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    assert any("etl run --due" in ln for ln in lines)
    for line in lines:
        fields = line.split()
        assert valid_cron_schedule(fields[:5]), line
        command = _local(" ".join(fields[5:]), app)
        done = subprocess.run(["/bin/sh", "-c", command], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, (line, done.stdout, done.stderr)
    log = (app / "data" / "etl.log").read_text()
    assert re.search(r"run \d{8}T\d{6}Z-\w+", log), log  # the run's summary line, with its run id


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here")
def test_systemd_units_verify_and_the_service_runs_as_written(install, tmp_path):
    app, env = install
    units = tmp_path / "units"
    units.mkdir()
    for unit in ("computewatch-etl.service", "computewatch-etl.timer", "computewatch-dashboard.service"):
        (units / unit).write_text(_local((DEPLOY / unit).read_text(), app))
    verify = subprocess.run(["systemd-analyze", "verify", "--man=no", *sorted(map(str, units.iterdir()))],
                            cwd=units, capture_output=True, text=True, timeout=120)
    assert verify.returncode == 0 and "error" not in verify.stderr.lower(), verify.stderr
    timer = (units / "computewatch-etl.timer").read_text()
    calendar = re.search(r"^OnCalendar=(.+)$", timer, re.M).group(1)
    assert subprocess.run(["systemd-analyze", "calendar", calendar], capture_output=True).returncode == 0
    service = (units / "computewatch-etl.service").read_text()
    workdir = re.search(r"^WorkingDirectory=(.+)$", service, re.M).group(1)
    exec_start = re.search(r"^ExecStart=(.+)$", service, re.M).group(1)
    assert "etl run --due" in exec_start and "Type=oneshot" in service
    done = subprocess.run(shlex.split(exec_start), cwd=workdir, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr


def test_scheduled_ci_workflow_is_valid_and_its_etl_steps_run_as_written(install):
    app, env = install
    workflow = yaml.safe_load((DEPLOY / "github-actions-etl.yml").read_text())
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    schedules = [s["cron"] for s in triggers["schedule"]]
    assert schedules and all(valid_cron_schedule(s.split()) for s in schedules)
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    assert any(s.get("uses", "").startswith("actions/checkout@") for s in steps)
    commands = [s["run"] for s in steps if "run" in s]
    etl_commands = [c for c in commands if c.startswith("python -m etl")]
    assert any("run --due" in c for c in etl_commands) and any("status" in c for c in etl_commands)
    python = str(app / ".venv" / "bin" / "python")
    for command in etl_commands:
        argv = [python, *shlex.split(command)[1:]]
        done = subprocess.run(argv, cwd=app, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, (command, done.stderr)
