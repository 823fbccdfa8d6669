"""Wikimedia pageviews: monthly English Wikipedia views of AI articles, a public-attention proxy."""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date
from urllib.parse import quote

from etl.provenance import License, Payload, Source, utcnow

BASE = ("https://wikimedia.org/api/rest_v1/metrics/pageviews/per-article/en.wikipedia/all-access/user/"
        "{article}/monthly/{start}/{end}")
START = "20150701"  # the pageviews API begins in July 2015
# Articles tracked (titles with underscores, as in the URL). Config-like: a settings attribute
# `wikipedia_articles` (etl/config.py could add one, e.g. from an env var) overrides this tuple.
ARTICLES: tuple[str, ...] = ("ChatGPT", "Nvidia", "Large_language_model")
INDICATOR = "wikipedia_pageviews"
UNIT = "views per month"

SOURCE = Source(
    name="wikipedia_pageviews",
    title="Wikimedia pageviews: English Wikipedia AI articles",
    producer="Wikimedia Foundation (Analytics Query Service)",
    url_main="https://doc.wikimedia.org/generated-data-platform/aqs/analytics-api/reference/page-views.html",
    url_download=tuple(BASE.format(article=a, start=START, end="YYYYMMDD") for a in ARTICLES),
    license=License("CC0 1.0 (Wikimedia pageview data)", "https://creativecommons.org/publicdomain/zero/1.0/"),
    citation="Wikimedia Foundation (2026). Pageviews API, per-article monthly views, en.wikipedia, "
    "all-access, user agents. https://wikimedia.org/api/rest_v1/metrics/pageviews/",
    cadence_hours=24 * 7,
    segment=None,
    tables=("indicators",),
    kind="provider_api",
    description=(
        "Monthly views (all access methods, human `user` agent only, so known bots and spiders "
        "are excluded) of English Wikipedia articles: indicator `wikipedia_pageviews`, unit views "
        "per month, entity = article title (spaces, not underscores), period = first day of the "
        "month. A demand proxy for public attention, not usage. Data start in July 2015; an "
        "article's series starts when it was created (ChatGPT: Dec 2022). Redirects are counted "
        "separately by Wikimedia, so renamed articles lose their earlier history. Articles: "
        + ", ".join(ARTICLES) + " (module tuple ARTICLES; a settings attribute `wikipedia_articles` "
        "overrides it). A daily-granularity answer is summed to its months; a month it does not "
        "cover whole is rejected with that reason."
    ),
    load="replace",
    captures=(),
    # No hard limit for reads; Wikimedia asks for serial requests and a contactable User-Agent
    # (the Client sends config's) and documents a soft 200 requests/s ceiling. One a second is polite.
    rate_limit_per_minute=60,
)


def articles(settings=None) -> tuple[str, ...]:
    override = getattr(settings, "wikipedia_articles", None) if settings is not None else None
    return tuple(override) if override else ARTICLES


def fetch(client) -> list[Payload]:
    end = utcnow().strftime("%Y%m%d")
    payloads = []
    for article in articles(getattr(client, "settings", None)):
        url = BASE.format(article=quote(article, safe=""), start=START, end=end)
        payloads.append(client.request(url, name=f"{article}.json", expect="json"))
    return payloads


def parse(payload: Payload) -> Iterator[dict]:
    """indicators rows, one per article and month."""
    data = payload.json("wikipedia_pageviews")
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        got = sorted(data)[:6] if isinstance(data, dict) else type(data).__name__
        raise ValueError(f"wikipedia_pageviews: {payload.name} has no 'items' list (got {got})")
    months: dict[tuple[str, date], dict] = {}
    for item in data["items"]:
        try:
            article, stamp, views = item["article"], str(item["timestamp"]), item["views"]
        except (KeyError, TypeError):
            raise ValueError(f"wikipedia_pageviews: item without article/timestamp/views: {item!r}") from None
        granularity = item.get("granularity", "monthly")
        if granularity not in ("monthly", "daily"):
            raise ValueError(f"wikipedia_pageviews: expected monthly (or daily) items, got {granularity!r}")
        month = date(int(stamp[:4]), int(stamp[4:6]), 1)
        entry = months.setdefault((article, month), {"item": item, "views": 0, "days": set(), "daily": False})
        entry["views"] += views
        if granularity == "daily":
            entry["daily"] = True
            entry["days"].add(int(stamp[6:8]))
    for (article, month), entry in months.items():
        item, views = entry["item"], entry["views"]
        note = (f"{item.get('project', 'en.wikipedia')}, {item.get('access', 'all-access')}, "
                f"{item.get('agent', 'user')}")
        if entry["daily"]:
            # A daily answer is summed to its months; a month it does not cover whole is rejected with
            # the reason (a part of a month would read as a collapse in views), never dropped silently.
            length = calendar.monthrange(month.year, month.month)[1]
            note += f"; summed from {len(entry['days'])} daily values"
            if len(entry["days"]) < length:
                views = f"{views} views in {len(entry['days'])} of {length} days: partial month of a daily answer"
        yield {
            "table": "indicators",
            "period": month.isoformat(),
            "period_label": month.strftime("%Y-%m"),
            "indicator": INDICATOR,
            "entity": article.replace("_", " "),
            "value": views,
            "unit": UNIT,
            "ref_url": f"https://pageviews.wmcloud.org/?project=en.wikipedia.org&pages={article}",
            "confidence": "primary",
            "note": note,
        }
