import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from etl.__main__ import main, sources_markdown

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args, env_dir: Path):
    import os

    env = {**os.environ, "COMPUTEWATCH_DATA_DIR": str(env_dir)}
    env.pop("COMPUTEWATCH_DB", None)
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, env=env, capture_output=True, text=True)


def test_parse_prints_one_json_object_a_line_with_its_table(tmp_path):
    out = run_cli("parse", "seed", str(ROOT / "data" / "seed" / "indicators.csv"), env_dir=tmp_path)
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(rows) > 100 and {r["table"] for r in rows} == {"indicators"}
    assert any(r["indicator"] == "chatgpt_monthly_users" and r["value"] == 180.5 for r in rows)


def test_parse_of_an_unknown_source_is_a_clear_error(tmp_path):
    out = run_cli("parse", "nope", "x.json", env_dir=tmp_path)
    assert out.returncode == 2 and "unknown source 'nope'" in out.stderr


def test_run_offline_prints_a_progress_line_per_source_and_status_reports_freshness(tmp_path):
    out = run_cli("run", "--offline", env_dir=tmp_path)
    assert out.returncode == 0, out.stderr
    # each line: timestamp, run id, then the source and its status
    assert any(line.split()[2:4] == ["seed", "ok"] and "rows" in line for line in out.stderr.splitlines())
    status = run_cli("status", "--fail-on-stale", "--offline-ok", env_dir=tmp_path)
    assert status.returncode == 0 and "seed" in status.stdout and "fresh" in status.stdout
    listing = run_cli("sources", env_dir=tmp_path)
    assert listing.returncode == 0 and "vast" in listing.stdout and "never" in listing.stdout


def test_status_fails_on_stale_sources(tmp_path):
    assert run_cli("run", "--offline", env_dir=tmp_path).returncode == 0
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("UPDATE meta.runs SET data_as_of = data_as_of - INTERVAL 400 DAY")  # older than 90 days
    con.close()
    out = run_cli("status", "--fail-on-stale", env_dir=tmp_path)
    assert out.returncode == 1 and "stale" in out.stdout
    assert run_cli("status", env_dir=tmp_path).returncode == 0  # without the flag it only reports


def test_status_without_a_warehouse_says_how_to_build_one(tmp_path):
    out = run_cli("status", "--fail-on-stale", env_dir=tmp_path)
    assert out.returncode == 1 and "run --offline" in out.stderr


def test_replay_of_a_missing_directory_is_refused(tmp_path):
    out = run_cli("run", "--replay", str(tmp_path / "nowhere"), env_dir=tmp_path)
    assert out.returncode == 2 and "does not exist" in out.stderr


def test_unknown_source_name_fails_before_touching_anything(settings, capsys):
    assert main(["run", "no_such_source"]) == 2
    assert "unknown source" in capsys.readouterr().err
    assert not Path(settings.db_path).exists()


def test_readme_sources_table_is_the_generated_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- sources:start -->")[1].split("<!-- sources:end -->")[0].strip()
    assert block == sources_markdown(), "run: python -m etl sources --readme README.md"


@pytest.mark.parametrize("name", ["vast"])
def test_parse_vast_capture_prints_one_price_row_per_offer(captures, tmp_path, name):
    capture = sorted((captures / "vast").glob("*/*_h100-sxm.json"))[0]
    offers = json.loads(capture.read_bytes())["offers"]
    out = run_cli("parse", name, str(capture), env_dir=tmp_path)
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert sum(r["table"] == "gpu_prices" for r in rows) == len(offers)
