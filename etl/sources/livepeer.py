"""Livepeer network daily usage: fees paid in USD, transcoded minutes, active orchestrators."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime

from etl.provenance import License, Payload, Source
from etl.sources._parse import number

DAY_DATA_URL = "https://explorer.livepeer.org/api/protocol-day-data"
USAGE_URL = "https://explorer.livepeer.org/api/usage"
ENTITY = "Livepeer"
# indicator -> (unit, field names in order of preference across payload shapes)
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "livepeer_fees_usd": ("USD per day", ("volumeUsd", "volumeUSD")),
    "livepeer_minutes": ("minutes per day", ("feeDerivedMinutes", "minutes")),
    "livepeer_active_orchestrators": ("orchestrators", ("activeTranscoderCount",)),
}

SOURCE = Source(
    name="livepeer",
    title="Livepeer Explorer: daily protocol usage",
    producer="Livepeer Inc. (Livepeer Explorer), from the Livepeer subgraph on Arbitrum",
    url_main="https://explorer.livepeer.org",
    url_download=(DAY_DATA_URL, USAGE_URL),
    license=License(
        "No licence stated for the API; public on-chain data. The historical series ships in "
        "livepeer/explorer (MIT)",
        "https://github.com/livepeer/explorer/blob/main/LICENSE",
    ),
    citation="Livepeer Explorer (2026). /api/protocol-day-data and /api/usage; historical series "
    "livepeer/explorer data/historical-usage.ts. https://explorer.livepeer.org",
    cadence_hours=24,
    segment="depin",
    tables=("indicators",),
    kind="provider_api",
    description=(
        "Daily series of the Livepeer video/AI transcoding network (entity Livepeer, period = UTC "
        "day): `livepeer_fees_usd` (fees paid by broadcasters, USD per day; recent explorer "
        "versions subtract senders they flag as anomalous), `livepeer_minutes` (fee-derived transcoded "
        "minutes per day; only /api/usage and the historical file carry it) and "
        "`livepeer_active_orchestrators` (active transcoders in the round). Fetch takes "
        "/api/protocol-day-data ({dayData: [{dateS, volumeUsd, activeTranscoderCount, ...}]}) and "
        "/api/usage (adds feeDerivedMinutes). Replay also reads the explorer's own TypeScript "
        "history, data/historical-usage.ts (2022-02-15 .. 2023-08-20, 551 days). Days with no "
        "active orchestrators are skipped, as the explorer does. Orchestrator stake concentration "
        "needs the subgraph (a Graph API key) and is not covered here."
    ),
    load="append",
    captures=("livepeer/historical-usage.ts",),
    capture_dates=(("livepeer/*", "2023-08-20"),),  # the series' last day
    rate_limit_per_minute=30,
)


def fetch(client) -> list[Payload]:
    return [
        client.request(DAY_DATA_URL, name="protocol-day-data.json", expect="json"),
        client.request(USAGE_URL, name="usage.json", expect="json"),
    ]


# --------------------------------------------------------------------------- parse

_TS_HEAD = re.compile(r"^\s*(?:export\s+)?(?:const|let|var)\s+\w+\s*(?::[^=]+)?=\s*", re.S)
_KEY = re.compile(r"([{,]\s*)([A-Za-z_$][\w$]*)\s*:")
_TRAILING = re.compile(r",(\s*[}\]])")


def ts_array_to_json(text: str) -> list:
    """The array literal of `export const x = [ {key: "v", n: 1,}, ... ];` as Python objects.

    Handles unquoted keys, trailing commas and // comments; values in this file are JSON-compatible
    (double-quoted strings and numbers).
    """
    body = _TS_HEAD.sub("", text, count=1).strip()
    body = re.sub(r"^\s*//.*$", "", body, flags=re.M).strip()
    if body.endswith(";"):
        body = body[:-1].rstrip()
    body = _KEY.sub(r'\1"\2":', body)
    body = _TRAILING.sub(r"\1", body)
    return json.loads(body)


def _days(payload: Payload) -> list[dict]:
    text = payload.body.decode("utf-8", errors="replace")
    stripped = text.lstrip()
    if stripped.startswith("<"):
        raise ValueError(f"livepeer: {payload.name} is HTML, not data")
    if stripped[:1] in ("{", "["):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ValueError(f"livepeer: {payload.name} is not JSON: {exc}") from None
    else:
        try:
            data = ts_array_to_json(text)
        except ValueError as exc:
            raise ValueError(f"livepeer: {payload.name} is neither JSON nor a TypeScript array literal: {exc}") from None
    if isinstance(data, dict):
        if not isinstance(data.get("dayData"), list):
            raise ValueError(f"livepeer: {payload.name} has no dayData list (got keys {sorted(data)[:8]})")
        data = data["dayData"]
    if not isinstance(data, list):
        raise ValueError(f"livepeer: {payload.name} is a {type(data).__name__}, expected daily records")
    return data


def parse(payload: Payload) -> Iterator[dict]:
    """indicators rows: fees, minutes and active orchestrators per day.

    /api/usage (records with feeDerivedMinutes) repeats the fees and orchestrators of
    /api/protocol-day-data without its anomaly filter, so from it only minutes are taken; the
    historical TypeScript file gives all three.
    """
    days = _days(payload)
    usage_api = payload.body.lstrip()[:1] == b"{" and any(
        isinstance(d, dict) and "feeDerivedMinutes" in d for d in days)
    wanted = ("livepeer_minutes",) if usage_api else tuple(FIELDS)
    for day in days:
        if not isinstance(day, dict):
            raise ValueError(f"livepeer: a daily record is {type(day).__name__}, not an object")
        stamp = day.get("dateS", day.get("date"))
        if stamp is None or not any(f in day for _, names in FIELDS.values() for f in names):
            raise ValueError(f"livepeer: daily record without date/volume fields (schema drift?): "
                             f"{sorted(day)[:8]}")
        if not number(day.get("activeTranscoderCount")):
            continue  # the explorer drops days without active orchestrators (incomplete days)
        when = datetime.fromtimestamp(int(float(stamp)), UTC).date().isoformat()
        for indicator in wanted:
            unit, names = FIELDS[indicator]
            value = next((number(day[n]) for n in names if number(day.get(n)) is not None), None)
            if value is None:
                continue
            yield {
                "table": "indicators",
                "period": when,
                "period_label": when,
                "indicator": indicator,
                "entity": ENTITY,
                "value": value,
                "unit": unit,
                "ref_url": "https://explorer.livepeer.org",
                "confidence": "primary",
            }
