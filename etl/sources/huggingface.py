"""Hugging Face Hub: 30-day downloads of the most downloaded open models, per task."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

from etl.provenance import License, Payload, Source

API = "https://huggingface.co/api/models"
TASKS: tuple[str, ...] = (
    "text-generation",
    "image-text-to-text",
    "automatic-speech-recognition",
    "text-to-image",
    "feature-extraction",
    "sentence-similarity",
    "text-to-speech",
)
PAGE_SIZE = 100
MAX_PAGES = 3  # top N = PAGE_SIZE * MAX_PAGES = 300 models per task
TOP_MODELS = 10  # per-model rows for the 10 most downloaded models of each task
INDICATOR_TASK = "hf_downloads_30d"
INDICATOR_MODEL = "hf_model_downloads_30d"
UNIT = "downloads (30 days)"
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')

SOURCE = Source(
    name="huggingface",
    title="Hugging Face Hub: model downloads by task",
    producer="Hugging Face",
    url_main="https://huggingface.co/docs/hub/api",
    url_download=tuple(f"{API}?sort=downloads&direction=-1&limit={PAGE_SIZE}&pipeline_tag={t}" for t in TASKS),
    license=License(
        "No licence stated; Hub metadata served under the Hugging Face terms of service",
        "https://huggingface.co/terms-of-service",
    ),
    citation="Hugging Face (2026). Hub API, GET /api/models sorted by downloads, per pipeline_tag. "
    "https://huggingface.co/api/models",
    cadence_hours=24,
    segment=None,
    tables=("indicators",),
    kind="provider_api",
    description=(
        f"`hf_downloads_30d`: sum of the `downloads` of the top {PAGE_SIZE * MAX_PAGES} models of a "
        "task (entity = pipeline tag), unit downloads (30 days). `downloads` is Hugging Face's "
        "rolling 30-day count of file downloads (not unique users; CI and mirrors count), so each "
        "snapshot is a 30-day window ending on the fetch day, period = fetch date; snapshots "
        f"accumulate (load append). `hf_model_downloads_30d`: the top {TOP_MODELS} models of each "
        "task (entity = repo id, note = task). Pages are followed through the `Link: rel=\"next\"` "
        f"cursor, at most {MAX_PAGES} per task, and the pages of one task are archived together as "
        "one JSON list. Models without a pipeline tag are not counted. An optional HF_TOKEN (sent "
        "as a Bearer token when configured) raises rate limits."
    ),
    load="append",
    captures=(),
    # fetch sends HF_TOKEN when etl/config.py API_KEY_VARS lists it (asked of the lead); until then
    # client.api_key returns None and the source runs keyless, so needs_key stays None.
    needs_key="HF_TOKEN",
    rate_limit_per_minute=60,
)


def next_link(headers: dict[str, str]) -> str | None:
    """The rel="next" URL of a Link header (Hugging Face's cursor paging), or None."""
    link = headers.get("link") or headers.get("Link")
    if not link:
        return None
    found = _NEXT.search(link)
    return found.group(1) if found else None


def fetch(client) -> list[Payload]:
    """One payload per task: the models of up to MAX_PAGES pages, concatenated in rank order."""
    token = client.api_key("HF_TOKEN")
    headers = {"Authorization": f"Bearer {token}"} if token else None
    payloads = []
    for task in TASKS:
        url: str | None = API
        params: dict | None = {"sort": "downloads", "direction": -1, "limit": PAGE_SIZE, "pipeline_tag": task}
        models: list = []
        first = last = None
        for _ in range(MAX_PAGES):
            page = client.request(url, params=params, headers=headers, name=f"{task}.json", expect="json")
            first = first or page
            last = page
            body = json.loads(page.body)
            if not isinstance(body, list):
                raise ValueError(f"huggingface: {page.url} returned {type(body).__name__}, not a list of models")
            models.extend(body)
            url, params = next_link(page.headers), None
            if not url or not body:
                break
        payloads.append(Payload(
            body=json.dumps(models).encode("utf-8"),
            url=first.url,
            fetched_at=last.fetched_at,
            name=f"{task}.json",
        ))
    return payloads


def _task(payload: Payload, models: list[dict]) -> str:
    query = parse_qs(urlparse(payload.url).query)
    if query.get("pipeline_tag"):
        return query["pipeline_tag"][0]
    stem = payload.name.rsplit(".", 1)[0]
    if stem in TASKS:
        return stem
    tags = {m.get("pipeline_tag") for m in models if m.get("pipeline_tag")}
    if len(tags) == 1:
        return tags.pop()
    raise ValueError(f"huggingface: cannot tell the task of {payload.name} ({payload.url})")


def parse(payload: Payload) -> Iterator[dict]:
    """hf_downloads_30d for the task, and hf_model_downloads_30d for its top models."""
    models = payload.json("huggingface")
    if not isinstance(models, list):
        raise ValueError(f"huggingface: {payload.name} is a {type(models).__name__}, expected a list of models")
    for m in models:
        if not isinstance(m, dict) or "id" not in m or "downloads" not in m:
            got = sorted(m)[:8] if isinstance(m, dict) else type(m).__name__
            raise ValueError(f"huggingface: model entry without id/downloads (schema drift?): {got}")
    task = _task(payload, models)
    day = payload.fetched_at.date().isoformat()
    seen: dict[str, dict] = {}
    for m in models:  # pages can overlap when rankings move between requests
        seen.setdefault(m["id"], m)
    ranked = sorted(seen.values(), key=lambda m: -(m.get("downloads") or 0))
    total = sum(int(m.get("downloads") or 0) for m in ranked)
    yield {
        "table": "indicators",
        "period": day,
        "period_label": day,
        "indicator": INDICATOR_TASK,
        "entity": task,
        "value": total,
        "unit": UNIT,
        "ref_url": f"https://huggingface.co/models?pipeline_tag={task}&sort=downloads",
        "confidence": "primary",
        "note": f"sum over the top {len(ranked)} models by 30-day downloads",
    }
    for m in ranked[:TOP_MODELS]:
        yield {
            "table": "indicators",
            "period": day,
            "period_label": day,
            "indicator": INDICATOR_MODEL,
            "entity": m["id"],
            "value": int(m.get("downloads") or 0),
            "unit": UNIT,
            "ref_url": f"https://huggingface.co/{m['id']}",
            "confidence": "primary",
            "note": task,
        }
