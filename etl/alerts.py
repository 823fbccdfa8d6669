"""Webhook alerts: one Slack-compatible message when a source starts failing or turns stale, one when it recovers."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import requests

POST_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Health:
    """One source's state in the published warehouse (marts.freshness)."""

    source: str
    status: str  # fresh / stale / never
    last_status: str | None  # ok / failed / None (never run)
    last_error: str | None
    last_ok_at: datetime | None
    cadence_hours: int


def read_health(db_path: str) -> list[Health]:
    con = duckdb.connect(db_path, read_only=True)
    try:
        rows = con.execute(
            "SELECT source, status, last_status, last_error, last_ok_at, cadence_hours FROM marts.freshness"
        ).fetchall()
    finally:
        con.close()
    return [Health(*r) for r in rows]


def trouble(h: Health) -> str | None:
    """Why a source needs a maintainer, or None. A source never tried (seed-only) is no incident."""
    if h.last_status == "failed":
        return f"failing: {(h.last_error or 'no error recorded')[:300]}"
    if h.status == "stale":
        since = f"{h.last_ok_at:%Y-%m-%d %H:%M} UTC" if h.last_ok_at else "never"
        return f"stale: last success {since}, cadence {h.cadence_hours} h"
    return None


def transitions(previous: dict[str, dict], health: list[Health], now: datetime) -> tuple[list[tuple[str, str]], dict]:
    """(source, message) pairs to send and the incident state after them.

    An incident opens when a source gets into trouble and stays open, silently, across any number of
    runs (even if its reason changes from failing to stale) until the source is healthy again; then one
    recovery message closes it.
    """
    messages: list[tuple[str, str]] = []
    state: dict[str, dict] = {}
    for h in sorted(health, key=lambda h: h.source):
        reason = trouble(h)
        open_incident = previous.get(h.source)
        if reason and open_incident:
            state[h.source] = open_incident
        elif reason:
            state[h.source] = {"since": now.isoformat(), "reason": reason}
            messages.append((h.source, f":rotating_light: ComputeWatch: source `{h.source}` is {reason}"))
        elif open_incident:
            messages.append((h.source, f":white_check_mark: ComputeWatch: source `{h.source}` recovered "
                                       f"(incident since {open_incident['since']}: {open_incident['reason'][:200]})"))
    # A source removed from the registry closes its incident without a message.
    return messages, state


def post_json(url: str, text: str) -> None:
    """POST one Slack-compatible message ({"text": ...}); raises on a non-2xx answer."""
    response = requests.post(url, json={"text": text}, timeout=POST_TIMEOUT_S)
    response.raise_for_status()


def load_state(path: Path) -> dict:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except ValueError:
        return {}  # an unreadable state file: start again (worst case one repeated message)
    return doc if isinstance(doc, dict) else {}


def save_state(path: Path, state: dict) -> None:
    """Write the incident state atomically (temporary file, fsync, rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(state, fh, indent=1, sort_keys=True)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def notify(db_path: str, state_path: Path, webhook: str, *, post: Callable[[str, str], None] = post_json,
           now: datetime | None = None) -> list[str]:
    """Post what changed since the last call; returns the messages sent.

    A message that cannot be delivered leaves its source's state as it was, so the next run tries again.
    """
    now = now or datetime.now(UTC).replace(microsecond=0)
    previous = load_state(state_path)
    messages, state = transitions(previous, read_health(db_path), now)
    sent: list[str] = []
    for source, text in messages:
        try:
            post(webhook, text)
            sent.append(text)
        except requests.RequestException:
            if source in previous:
                state[source] = previous[source]
            else:
                state.pop(source, None)
    save_state(state_path, state)
    return sent
