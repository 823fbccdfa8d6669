"""`python -m dashboard scenario`: the same numbers as the Scenarios page for the same settings, from a shell."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from dashboard import fmt
from dashboard.model import passthrough as pt
from tests.conftest import ROOT, open_page

SETTINGS = {  # an over-shifting scenario that moves a lever, the conduct model and the users
    "demand_curvature": "constant_elasticity", "conduct_model": "bertrand", "gpu_price_change_pct": "60",
    "users_basis": "monthly", "decentralised_share": "0.25",
}


def cli(*args: str, db: str) -> subprocess.CompletedProcess:
    env = os.environ | {"COMPUTEWATCH_DB": db}
    return subprocess.run([sys.executable, "-m", "dashboard", "scenario", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def scenario_json(db: str, settings: dict[str, str]) -> dict:
    args = [a for k, v in settings.items() for a in ("--set", f"{k}={v}")]
    done = cli("--json", *args, db=db)
    assert done.returncode == 0, done.stderr
    assert "No runtime" not in done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("settings", [{}, SETTINGS], ids=["defaults", "over-shifting"])
def test_cli_and_page_agree(priced_db, settings):
    doc = scenario_json(priced_db, settings)
    at = open_page("scenarios", settings)
    assert not at.exception, [e.value for e in at.exception]
    cards = {m.label: m.value for m in at.metric}
    out = doc["outputs"]
    assert cards["Pass-through rate ρ"] == f"{out['pass_through_rate']:.2f}"
    assert cards["Cost to all users, per year"] == fmt.money_per_year(out["consumer_cost_usd_bn_per_year"])
    assert cards["Passed on, $/user-month"] == fmt.money(out["passed_through_usd_per_user_month"])
    assert cards["Cost change, $/user-month"] == fmt.money(out["cost_change_usd_per_user_month"])
    # every input the page draws has the CLI's value
    for name, row in doc["inputs"].items():
        kind = "slider" if isinstance(row["value"], float) else None
        drawn = at.slider(key=name).value if kind else next(w.value for t in ("radio", "selectbox")
                                                             for w in getattr(at, t) if w.key == name)
        assert drawn == (pytest.approx(row["value"]) if kind else row["value"]), name
        assert drawn is not None


def test_cli_document_has_the_promised_fields(priced_db):
    doc = scenario_json(priced_db, SETTINGS)
    assert doc["model_version"] == pt.MODEL_VERSION
    assert {"pass_through_rate", "consumer_cost_usd_bn_per_year"} <= set(doc["outputs"])
    assert doc["outputs"]["pass_through_rate"] > 1  # constant elasticity over-shifts, uncapped
    for name, row in doc["inputs"].items():
        assert {"value", "unit", "source", "as_of", "active"} <= set(row), name
        assert row["active"] or row["reason"], name
    assert doc["inputs"]["demand_curvature"]["value"] == "constant_elasticity"
    users = doc["inputs"]["users_millions"]
    assert (users["value"], users["as_of"], users["active"]) == (180.5, "2024-01", True)  # the monthly figure
    assert users["source"].startswith("exchangesranking.org")
    assert "not a probability interval" in doc["band"]["label"]
    assert doc["band"]["consumer_cost_usd_bn_per_year"]["p10"] <= doc["band"]["consumer_cost_usd_bn_per_year"]["p90"]


def test_cli_reproduces_an_old_permalink_and_says_current_data_differ(priced_db):
    link = "http://localhost:8501/scenarios?sc_v=1&sc_pin_users=180.5&sc_pin_hhi=1693&sc_pin_price=2.49&sc_snap=old"
    done = cli("--link", link, db=priced_db)
    assert done.returncode == 0, done.stderr
    assert "users pay $95.9m a year" in done.stdout
    assert "model version 1;" in done.stdout and "180.5 in the link, 800 today" in done.stdout


def test_cli_rejects_unknown_inputs(priced_db):
    done = cli("--set", "wobble=1", db=priced_db)
    assert done.returncode == 2 and "unknown input(s): wobble" in done.stderr
