"""wikipedia_pageviews: monthly items -> indicator rows; fetch per article with a descriptive agent."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
import responses

from etl import warehouse
from etl.http import FetchError
from etl.provenance import Payload
from etl.sources import wikipedia_pageviews as wp

WHEN = datetime(2026, 3, 2, tzinfo=UTC)
URL_RE = re.compile(r"https://wikimedia\.org/api/rest_v1/metrics/pageviews/per-article/en\.wikipedia/"
                    r"all-access/user/([^/]+)/monthly/20150701/\d{8}")


def payload(path) -> Payload:
    return Payload(body=path.read_bytes(), url="https://wikimedia.org/test", fetched_at=WHEN, name=path.name)


def test_parse_monthly_items(fixture_path):
    rows = list(wp.parse(payload(fixture_path("wikipedia_pageviews.json"))))
    assert [(r["period"], r["period_label"], r["value"]) for r in rows] == [
        ("2022-12-01", "2022-12", 9157251), ("2023-01-01", "2023-01", 11431460), ("2023-02-01", "2023-02", 10503370)]
    assert {r["indicator"] for r in rows} == {"wikipedia_pageviews"}
    assert {r["unit"] for r in rows} == {"views per month"}
    assert {r["entity"] for r in rows} == {"ChatGPT"}
    assert rows[0]["note"] == "en.wikipedia, all-access, user"


def test_article_title_uses_spaces(fixture_path):
    rows = list(wp.parse(payload(fixture_path("wikipedia_pageviews_llm.json"))))
    assert {r["entity"] for r in rows} == {"Large language model"}
    assert warehouse.validate("wikipedia_pageviews", rows).rejects == []


def test_schema_drift_and_an_unknown_granularity_raise(fixture_path):
    with pytest.raises(ValueError, match="items"):
        list(wp.parse(Payload(b'{"type":"https://mediawiki.org/wiki/HyperSwitch/errors/not_found"}',
                              "u", WHEN, "x.json")))
    hourly = json.loads(fixture_path("wikipedia_pageviews.json").read_text())
    hourly["items"][0]["granularity"] = "hourly"
    with pytest.raises(ValueError, match="monthly"):
        list(wp.parse(Payload(json.dumps(hourly).encode(), "u", WHEN, "x.json")))
    with pytest.raises(ValueError, match="article/timestamp/views"):
        list(wp.parse(Payload(b'{"items":[{"article":"ChatGPT"}]}', "u", WHEN, "x.json")))


def test_articles_default_and_override():
    assert wp.articles() == ("ChatGPT", "Nvidia", "Large_language_model")
    assert wp.articles(SimpleNamespace(wikipedia_articles=["Akash_Network"])) == ("Akash_Network",)
    assert wp.articles(SimpleNamespace()) == wp.ARTICLES


@responses.activate
def test_fetch_each_article(client, fixture_path):
    calls = {"ChatGPT": 0}

    def reply(request):
        article = URL_RE.match(request.url).group(1)
        if article == "ChatGPT":
            calls["ChatGPT"] += 1
            return 200, {}, fixture_path("wikipedia_pageviews.json").read_text()
        body = json.loads(fixture_path("wikipedia_pageviews_llm.json").read_text())
        for item in body["items"]:
            item["article"] = article
        return 200, {}, json.dumps(body)

    responses.add_callback(responses.GET, URL_RE, callback=reply)
    payloads = wp.fetch(client)
    assert [p.name for p in payloads] == ["ChatGPT.json", "Nvidia.json", "Large_language_model.json"]
    assert calls["ChatGPT"] == 1
    agent = responses.calls[0].request.headers["User-Agent"]
    assert "ComputeWatch" in agent and "@" in agent  # Wikimedia's User-Agent policy
    rows = [r for p in payloads for r in wp.parse(p)]
    assert {r["entity"] for r in rows} == {"ChatGPT", "Nvidia", "Large language model"}


@responses.activate
def test_fetch_html_fails(client):
    responses.add(responses.GET, URL_RE, body="<!DOCTYPE html><html>Error</html>", content_type="text/html")
    with pytest.raises(FetchError, match="HTML"):
        wp.fetch(client)


def _daily(days: range, month: str = "202502") -> bytes:
    items = [{"project": "en.wikipedia", "article": "ChatGPT", "granularity": "daily",
              "timestamp": f"{month}{d:02d}00", "access": "all-access", "agent": "user", "views": 1000 + d}
             for d in days]
    return json.dumps({"items": items}).encode()


def test_a_daily_answer_is_summed_to_whole_months():
    [row] = wp.parse(Payload(_daily(range(1, 29)), "u", WHEN, "ChatGPT.json"))  # February 2025: 28 days
    assert (row["period"], row["value"]) == ("2025-02-01", sum(1000 + d for d in range(1, 29)))
    assert "summed from 28 daily values" in row["note"]
    assert warehouse.validate("wikipedia_pageviews", [row]).rejects == []


def test_a_partial_month_of_a_daily_answer_is_rejected_with_the_reason_not_dropped():
    rows = list(wp.parse(Payload(_daily(range(1, 11)), "u", WHEN, "ChatGPT.json")))
    data = warehouse.validate("wikipedia_pageviews", rows)
    assert data.rows["indicators"] == []
    [(_, reason, _)] = data.rejects
    assert "10 of 28 days: partial month of a daily answer" in reason


@pytest.mark.captures
def test_real_daily_answer_is_rejected_as_a_partial_month(captures):
    path = captures / "wikimedia" / "ChatGPT_daily_20250101-20250110.json"
    data = warehouse.validate("wikipedia_pageviews", list(wp.parse(Payload.from_file(path))))
    assert data.rows["indicators"] == []
    [(_, reason, record)] = data.rejects
    assert "in 10 of 31 days" in reason and record["period"] == "2025-01-01"
