"""Item 17 (ETL side): `make run` starts one background `run --due` that never blocks the server, logs
to data/etl.log and gives up quietly without a network; `make run OFFLINE=1` skips it."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from etl.__main__ import main
from tests.ops_support import OFFERS, fake_source, only_seed_plus

ROOT = Path(__file__).resolve().parent.parent


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket closes


def test_make_run_starts_the_background_refresh_unless_offline():
    dry = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    offline = subprocess.run(["make", "-n", "run", "OFFLINE=1"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout
    assert "etl background" in dry and "etl background" not in offline
    # the refresh is started before the server, and the server line is the same either way
    lines = dry.splitlines()
    assert [i for i, ln in enumerate(lines) if "etl background" in ln][0] < \
        [i for i, ln in enumerate(lines) if "streamlit run" in ln][0]


def test_background_refresh_returns_at_once_and_without_network_fails_quietly_into_the_log(tmp_path):
    env = {**os.environ, "COMPUTEWATCH_DATA_DIR": str(tmp_path),
           "COMPUTEWATCH_PROBE_HOSTS": f"127.0.0.1:{closed_port()}"}
    env.pop("COMPUTEWATCH_DB", None)
    assert subprocess.run([sys.executable, "-m", "etl", "run", "seed"], cwd=ROOT, env=env,
                          capture_output=True).returncode == 0
    started = subprocess.run([sys.executable, "-m", "etl", "background"], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=60)
    assert started.returncode == 0 and started.stdout == ""
    assert "data/etl.log" in started.stderr or "etl.log" in started.stderr
    log = tmp_path / "etl.log"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and "no network" not in (log.read_text() if log.exists() else ""):
        time.sleep(0.2)
    text = log.read_text()
    assert "no network" in text and "Traceback" not in text
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM meta.runs").fetchone()[0] == 1  # only the seed run: no fetch tried
    con.close()


def test_if_reachable_runs_the_due_sources_when_a_source_answers(settings, monkeypatch):
    add = only_seed_plus(monkeypatch)
    add(fake_source(body=OFFERS))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    monkeypatch.setenv("COMPUTEWATCH_PROBE_HOSTS", f"127.0.0.1:{listener.getsockname()[1]}")
    try:
        assert main(["run", "--due", "--if-reachable"]) == 0
    finally:
        listener.close()
    con = duckdb.connect(settings.db_path, read_only=True)
    assert con.execute("SELECT count(*) FROM core.gpu_prices WHERE source = 'fakeprices'").fetchone()[0] == 2
    con.close()


@pytest.mark.parametrize("hosts", ["", "nonsense"])
def test_probe_hosts_setting_is_validated(settings, monkeypatch, hosts):
    from etl import config

    monkeypatch.setenv("COMPUTEWATCH_PROBE_HOSTS", hosts)
    if hosts:
        with pytest.raises(ValueError, match="COMPUTEWATCH_PROBE_HOSTS"):
            config.get()
    else:
        assert config.get().probe_hosts == ()  # empty: the CLI probes the live sources' own hosts
