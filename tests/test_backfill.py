"""etl/backfill.py: past versions from git, archived like a fetch, idempotent, resumable, loaded as history."""

import io
import json
import re
from datetime import date

import duckdb
import pytest
import responses

from etl import backfill, sources
from etl.__main__ import main
from etl.sources import skypilot_catalog

REPO = skypilot_catalog.REPO
LAMBDA = "catalogs/v8/lambda/vms.csv"
GCP = "catalogs/v8/gcp/vms.csv"
COMMITS = re.compile(re.escape(backfill.COMMITS_API.format(repo=REPO)) + r"\?.*")


def commit(sha: str, when: str) -> dict:
    return {"sha": sha, "commit": {"committer": {"date": when}, "message": "update catalog"}}


@pytest.fixture
def only_two_clouds(monkeypatch):
    """A skypilot_catalog whose history is two files, so the mocked API stays small."""
    history = ((REPO, LAMBDA, "lambda_vms.csv"), (REPO, GCP, "gcp_vms.csv"))
    source = skypilot_catalog.SOURCE.__class__(**{**skypilot_catalog.SOURCE.__dict__, "history": history})
    monkeypatch.setattr(skypilot_catalog, "SOURCE", source)
    monkeypatch.setitem(sources.SOURCES, "skypilot_catalog", source)


def mock_github(fixture_path, *, lambda_commits, gcp_commits, pages=None):
    """The commits API per path (optionally split in pages) and raw files at every commit."""
    lam = fixture_path("skypilot_catalog_lambda.csv").read_text()
    gcp = fixture_path("skypilot_catalog_gcp.csv").read_bytes()

    def commits_reply(request):
        query = dict(p.split("=", 1) for p in request.url.split("?", 1)[1].split("&"))
        listed = lambda_commits if "lambda" in query["path"] else gcp_commits
        page, per_page = int(query["page"]), int(query["per_page"])
        return 200, {}, json.dumps(listed[(page - 1) * per_page: page * per_page])

    responses.add_callback(responses.GET, COMMITS, callback=commits_reply)
    for c in lambda_commits:
        # each version's price differs, so each loaded day is tellable apart
        body = lam.replace("23.92", f"{20 + len(c['sha'])}.{lambda_commits.index(c)}0")
        responses.get(backfill.RAW.format(repo=REPO, sha=c["sha"], path=LAMBDA), body=body)
    for c in gcp_commits:
        responses.get(backfill.RAW.format(repo=REPO, sha=c["sha"], path=GCP), body=gcp)


LAMBDA_COMMITS = [commit("c3", "2026-04-20T15:54:04Z"), commit("b2", "2026-04-06T09:50:22Z"),
                  commit("a1", "2026-04-02T15:55:58Z")]  # the API lists newest first
GCP_COMMITS = [commit("a1", "2026-04-02T15:55:58Z")]  # one commit changed both files


@responses.activate
def test_versions_are_one_per_commit_oldest_first_with_the_files_each_changed(client, only_two_clouds,
                                                                                fixture_path):
    mock_github(fixture_path, lambda_commits=LAMBDA_COMMITS, gcp_commits=GCP_COMMITS)
    found = backfill.versions(client, skypilot_catalog.SOURCE.history, date(2026, 4, 1))
    assert [(v.sha, v.stamp, [name for _, _, name in v.files]) for v in found] == [
        ("a1", "2026-04-02T155558", ["lambda_vms.csv", "gcp_vms.csv"]),
        ("b2", "2026-04-06T095022", ["lambda_vms.csv"]),
        ("c3", "2026-04-20T155404", ["lambda_vms.csv"]),
    ]
    sent = responses.calls[0].request.url
    assert "since=2026-04-01T00%3A00%3A00Z" in sent or "since=2026-04-01T00:00:00Z" in sent
    assert "path=catalogs%2Fv8%2Flambda%2Fvms.csv" in sent or f"path={LAMBDA}" in sent


@responses.activate
def test_the_commits_api_is_followed_page_by_page(client, monkeypatch, fixture_path):
    monkeypatch.setattr(backfill, "PER_PAGE", 2)
    mock_github(fixture_path, lambda_commits=LAMBDA_COMMITS, gcp_commits=[])
    listed = backfill.list_commits(client, REPO, LAMBDA, date(2026, 1, 1))
    assert [c["sha"] for c in listed] == ["c3", "b2", "a1"]
    assert len([c for c in responses.calls if "page=" in c.request.url]) == 2


@responses.activate
def test_a_commits_answer_that_is_not_a_list_fails_clearly(client):
    responses.get(COMMITS, json={"message": "API rate limit exceeded"})
    with pytest.raises(ValueError, match="rate limit exceeded"):
        backfill.list_commits(client, REPO, LAMBDA, date(2026, 1, 1))


@responses.activate
def test_backfill_archives_each_version_at_its_commit_time_and_loads_it_as_history(client, settings,
                                                                                    only_two_clouds, fixture_path):
    mock_github(fixture_path, lambda_commits=LAMBDA_COMMITS, gcp_commits=GCP_COMMITS)
    log = io.StringIO()
    backfill.run("skypilot_catalog", date(2026, 4, 1), client=client, settings=settings, log=log)
    folders = sorted(p.name for p in (settings.raw_dir / "skypilot_catalog").iterdir())
    assert folders == ["2026-04-02T155558", "2026-04-06T095022", "2026-04-20T155404"]
    manifest = json.loads((settings.raw_dir / "skypilot_catalog" / folders[0] / "manifest.json").read_text())
    assert [m["name"] for m in manifest] == ["lambda_vms.csv", "gcp_vms.csv"]
    assert manifest[0]["url"].endswith(f"/{REPO}/a1/{LAMBDA}")
    lines = [line for line in log.getvalue().splitlines() if line.startswith("  [")]
    assert len(lines) == 3 and all("archived" in line for line in lines)  # one progress line per version

    con = duckdb.connect(settings.db_path, read_only=True)
    days = con.execute("SELECT CAST(observed_at AS DATE), count(*) FROM core.gpu_prices "
                       "WHERE source = 'skypilot_catalog' AND provider = 'lambda' GROUP BY 1 ORDER BY 1").fetchall()
    h100 = con.execute("SELECT DISTINCT price_usd_per_gpu_hour * 8 FROM core.gpu_prices WHERE provider = 'lambda' "
                       "AND offer_id = 'gpu_8x_h100_sxm5' ORDER BY 1").fetchall()
    con.close()
    assert [(d.isoformat(), n) for d, n in days] == [("2026-04-02", 3), ("2026-04-06", 3), ("2026-04-20", 3)]
    assert [round(v, 2) for (v,) in h100] == [22.0, 22.1, 22.2]


@responses.activate
def test_a_second_backfill_fetches_nothing_again_and_an_interrupted_one_resumes(client, settings,
                                                                                 only_two_clouds, fixture_path):
    mock_github(fixture_path, lambda_commits=LAMBDA_COMMITS, gcp_commits=GCP_COMMITS)
    backfill.run("skypilot_catalog", date(2026, 4, 1), client=client, settings=settings, load=False, log=io.StringIO())
    raw_calls = sum("raw.githubusercontent" in c.request.url for c in responses.calls)
    assert raw_calls == 4  # 3 lambda versions + 1 gcp version

    (settings.raw_dir / "skypilot_catalog" / "2026-04-06T095022" / "manifest.json").unlink()  # as if cut off
    log = io.StringIO()
    backfill.run("skypilot_catalog", date(2026, 4, 1), client=client, settings=settings, load=False, log=log)
    assert sum("raw.githubusercontent" in c.request.url for c in responses.calls) == raw_calls + 1
    assert log.getvalue().count("already archived") == 2


def test_a_source_without_git_history_is_refused_with_the_ones_that_have_it(settings):
    with pytest.raises(ValueError, match="declares no git history.*skypilot_catalog"):
        backfill.run("vast", date(2026, 1, 1), settings=settings)


def test_sources_with_history_in_git_declare_it():
    with_history = {n for n, s in sources.SOURCES.items() if s.history}
    assert with_history == {"skypilot_catalog", "cloud_gpus", "gpu_price_tracker"}
    for name in with_history:
        for repo, path, payload_name in sources.SOURCES[name].history:
            assert repo.count("/") == 1 and path and payload_name


def test_cli_backfill_needs_since_and_a_known_source(capsys, settings):
    with pytest.raises(SystemExit):
        main(["backfill", "skypilot_catalog"])
    assert main(["backfill", "nope", "--since", "2026-01-01"]) == 2
    assert "unknown source" in capsys.readouterr().err
