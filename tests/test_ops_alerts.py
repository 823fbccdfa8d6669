"""Item 13: webhook alerts, one per incident and one on recovery, against a real server on 127.0.0.1."""

import duckdb
import pytest

from etl import alerts, pipeline
from tests.ops_support import OFFERS, QUIET, fake_source, only_seed_plus, recording_server, ticking_clock


@pytest.fixture
def registry(monkeypatch):
    return only_seed_plus(monkeypatch)


def _age_last_success(db_path: str, source: str, hours: int) -> None:
    con = duckdb.connect(db_path)
    con.execute("UPDATE meta.runs SET data_as_of = data_as_of - to_hours(?) WHERE source = ?", [hours, source])
    con.close()


def test_one_message_per_failure_incident_and_one_on_recovery(settings, registry):
    module = registry(fake_source(body=OFFERS))
    state = settings.data_dir / "alerts.json"
    clock = ticking_clock()
    with recording_server() as (url, posted, _):
        def run():
            pipeline.run(["fakeprices"], log=QUIET, clock=clock)
            return alerts.notify(settings.db_path, state, url)

        assert run() == [] and posted == []  # healthy: nothing to say
        module.state["fail"] = RuntimeError("connection refused by upstream")
        run()
        run()
        run()  # three failing runs, one incident
        assert len(posted) == 1
        assert posted[0]["content_type"] == "application/json"
        assert "fakeprices" in posted[0]["text"] and "connection refused by upstream" in posted[0]["text"]
        module.state["fail"] = None
        run()
        run()
        assert len(posted) == 2 and "recovered" in posted[1]["text"] and "fakeprices" in posted[1]["text"]
        module.state["fail"] = RuntimeError("down again")
        run()
        assert len(posted) == 3 and "down again" in posted[2]["text"]  # a new incident, a new message


def test_a_source_turning_stale_is_one_incident_across_runs(settings, registry):
    registry(fake_source(body=OFFERS, cadence_hours=24))
    state = settings.data_dir / "alerts.json"
    pipeline.run(["fakeprices"], log=QUIET)
    with recording_server() as (url, posted, _):
        assert alerts.notify(settings.db_path, state, url) == []
        _age_last_success(settings.db_path, "fakeprices", 48)
        alerts.notify(settings.db_path, state, url)
        pipeline.run(["seed"], log=QUIET)  # other runs happen; fakeprices stays stale
        alerts.notify(settings.db_path, state, url)
        assert [("stale" in p["text"], "fakeprices" in p["text"]) for p in posted] == [(True, True)]


def test_a_message_the_webhook_refused_is_sent_again_next_run(settings, registry):
    registry(fake_source(fail=RuntimeError("boom")))
    state = settings.data_dir / "alerts.json"
    pipeline.run(["fakeprices"], log=QUIET)
    with recording_server(status=503) as (url, posted, control):
        assert alerts.notify(settings.db_path, state, url) == []
        control["status"] = 200
        sent = alerts.notify(settings.db_path, state, url)
        assert len(sent) == 1 and len(posted) == 1 and "boom" in posted[0]["text"]


def test_seed_only_warehouse_raises_no_alert_for_sources_never_run(settings, registry):
    registry(fake_source(body=OFFERS))
    pipeline.run(["seed"], log=QUIET)
    with recording_server() as (url, posted, _):
        assert alerts.notify(settings.db_path, settings.data_dir / "alerts.json", url) == []
        assert posted == []


def test_runs_post_alerts_when_the_webhook_is_configured(settings, registry, monkeypatch):
    module = registry(fake_source(body=OFFERS))
    with recording_server() as (url, posted, _):
        monkeypatch.setenv("COMPUTEWATCH_ALERT_WEBHOOK", url)
        clock = ticking_clock()
        pipeline.run(["fakeprices"], log=QUIET, clock=clock)
        module.state["fail"] = RuntimeError("HTTP 503 from upstream")
        pipeline.run(["fakeprices"], log=QUIET, clock=clock)
        pipeline.run(["fakeprices"], log=QUIET, clock=clock)
        module.state["fail"] = None
        pipeline.run(["fakeprices"], log=QUIET, clock=clock)
    assert ["recovered" in p["text"] for p in posted] == [False, True] and "HTTP 503" in posted[0]["text"]
    assert (settings.data_dir / "alerts.json").is_file()


def test_an_unreachable_webhook_never_fails_the_run(settings, registry, monkeypatch):
    registry(fake_source(fail=RuntimeError("down")))
    monkeypatch.setenv("COMPUTEWATCH_ALERT_WEBHOOK", "http://127.0.0.1:9/nothing-listens-here")
    report = pipeline.run(["fakeprices"], log=QUIET)
    assert report.published and [r.status for r in report.results] == ["failed"]
