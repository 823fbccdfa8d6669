"""huggingface: Link-header cursor paging, page cap, per-task sums and top models."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

import pytest
import responses

from etl import warehouse
from etl.http import FetchError
from etl.provenance import Payload
from etl.sources import huggingface as hf

WHEN = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
FIRST = f"{hf.API}?sort=downloads&direction=-1&limit=100&pipeline_tag=text-generation"


def merged(fixture_path) -> Payload:
    models = (json.loads(fixture_path("huggingface_page1.json").read_text())
              + json.loads(fixture_path("huggingface_page2.json").read_text()))
    return Payload(json.dumps(models).encode(), FIRST, WHEN, "text-generation.json")


def test_parse_task_sum_and_top_models(fixture_path):
    rows = list(hf.parse(merged(fixture_path)))
    task = rows[0]
    assert task["indicator"] == "hf_downloads_30d" and task["entity"] == "text-generation"
    assert task["value"] == 5_200_000 + 3_100_000 + 950_000 + 400_000 + 50_000
    assert task["unit"] == "downloads (30 days)" and task["period"] == "2026-03-02"
    assert task["note"] == "sum over the top 5 models by 30-day downloads"
    models = rows[1:]
    assert [(r["entity"], r["value"]) for r in models] == [
        ("example-org/tiny-chat-1b", 5_200_000), ("example-org/mid-chat-8b", 3_100_000),
        ("another/coder-7b", 950_000), ("another/small-0.5b", 400_000), ("third/tiny-story", 50_000)]
    assert {r["indicator"] for r in models} == {"hf_model_downloads_30d"}
    assert {r["note"] for r in models} == {"text-generation"}
    assert warehouse.validate("huggingface", rows).rejects == []


def test_overlapping_pages_count_a_model_once(fixture_path):
    page1 = json.loads(fixture_path("huggingface_page1.json").read_text())
    body = json.dumps(page1 + page1[-1:]).encode()
    [task, *_] = hf.parse(Payload(body, FIRST, WHEN, "text-generation.json"))
    assert task["value"] == 5_200_000 + 3_100_000 + 950_000


def test_task_from_name_when_url_has_none(fixture_path):
    body = fixture_path("huggingface_page1.json").read_bytes()
    [task, *_] = hf.parse(Payload(body, "replay:huggingface/text-to-image.json", WHEN, "text-to-image.json"))
    assert task["entity"] == "text-to-image"


def test_next_link():
    header = ('<https://huggingface.co/api/models?sort=downloads&direction=-1&limit=100'
              '&pipeline_tag=text-generation&cursor=eyJfaWQiOnsiJGd0IjoiNjUifX0%3D>; rel="next"')
    assert hf.next_link({"link": header}).endswith("cursor=eyJfaWQiOnsiJGd0IjoiNjUifX0%3D")
    assert hf.next_link({}) is None
    assert hf.next_link({"link": '<https://x/prev>; rel="prev"'}) is None


def test_schema_drift_raises():
    with pytest.raises(ValueError, match="list of models"):
        list(hf.parse(Payload(b'{"error":"Invalid"}', FIRST, WHEN, "text-generation.json")))
    with pytest.raises(ValueError, match="id/downloads"):
        list(hf.parse(Payload(b'[{"modelId":"a/b","likes":3}]', FIRST, WHEN, "text-generation.json")))


def _callback(fixture_path, *, endless=False):
    state = {"calls": 0}

    def reply(request):
        state["calls"] += 1
        query = parse_qs(urlparse(request.url).query)
        if "cursor" in query:
            page = int(query["cursor"][0])
            body = fixture_path("huggingface_page2.json").read_text()
        else:
            page = 1
            body = fixture_path("huggingface_page1.json").read_text()
        task = query.get("pipeline_tag", ["?"])[0]
        headers = {}
        if page == 1 or endless:
            nxt = (f"{hf.API}?sort=downloads&direction=-1&limit=100&pipeline_tag={task}"
                   f"&cursor={page + 1}")
            headers["Link"] = f'<{nxt}>; rel="next"'
        return 200, headers, body

    return reply, state


@responses.activate
def test_fetch_follows_the_link_header_per_task(client, fixture_path):
    reply, state = _callback(fixture_path)
    responses.add_callback(responses.GET, hf.API, callback=reply)
    payloads = hf.fetch(client)
    assert [p.name for p in payloads] == [f"{t}.json" for t in hf.TASKS]
    assert state["calls"] == 2 * len(hf.TASKS)  # two pages per task
    second = responses.calls[1].request.url
    assert "cursor=2" in second and "pipeline_tag=text-generation" in second
    assert len(json.loads(payloads[0].body)) == 5  # both pages, merged in rank order
    assert "pipeline_tag=text-generation" in payloads[0].url
    rows = [r for p in payloads for r in hf.parse(p)]
    tasks = {r["entity"]: r["value"] for r in rows if r["indicator"] == "hf_downloads_30d"}
    assert set(tasks) == set(hf.TASKS)
    assert "Authorization" not in responses.calls[1].request.headers  # keyless by default


@responses.activate
def test_fetch_stops_at_page_cap(client, fixture_path):
    reply, state = _callback(fixture_path, endless=True)
    responses.add_callback(responses.GET, hf.API, callback=reply)
    hf.fetch(client)
    assert state["calls"] == hf.MAX_PAGES * len(hf.TASKS)


@responses.activate
def test_fetch_sends_optional_token(client, fixture_path, monkeypatch):
    monkeypatch.setitem(client.settings.api_keys, "HF_TOKEN", "hf_test")
    reply, _ = _callback(fixture_path)
    responses.add_callback(responses.GET, hf.API, callback=reply)
    hf.fetch(client)
    assert responses.calls[0].request.headers["Authorization"] == "Bearer hf_test"


@responses.activate
def test_fetch_html_fails(client):
    responses.add(responses.GET, hf.API, body="<html>503 Service Unavailable</html>", content_type="text/html")
    with pytest.raises(FetchError, match="HTML"):
        hf.fetch(client)
