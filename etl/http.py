"""One requests.Session for every source: timeouts, retries with backoff, a size cap, a polite agent."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from datetime import UTC, datetime

import requests
import urllib3

from etl import config
from etl.provenance import Payload, utcnow

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class FetchError(RuntimeError):
    """A fetch that failed for good (after retries), with a message fit for meta.runs."""


class Client:
    """Wraps a requests.Session with the project's fetch policy.

    - connect/read timeouts from config;
    - up to `retries` retries on 429 and 5xx and on connection errors/timeouts, waiting
      `Retry-After` when the server sends it, else backoff * 2**attempt seconds (capped);
    - a minimum interval between requests (`min_interval` seconds) for rate-limited APIs,
      e.g. Vast.ai's 10 searches a minute;
    - a maximum payload size: bodies larger than `max_bytes` are refused, never half-read;
    - a total deadline per request (`deadline` seconds, retries and waits included): a server that
      drips a byte now and then satisfies every read timeout, but not the deadline.
    """

    def __init__(
        self,
        settings: config.Settings | None = None,
        *,
        retries: int = 4,
        backoff: float = 1.0,
        max_wait: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.settings = settings or config.get()
        self.session = requests.Session()
        self.session.headers.update(
            {"User-Agent": self.settings.user_agent, "Accept-Encoding": "gzip, deflate"}
        )
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.sleep = sleep
        self.clock = clock
        self.min_interval = 0.0
        self.deadline: float = self.settings.request_deadline
        self._last_request: float | None = None
        self.requests_made = 0

    def api_key(self, var: str) -> str | None:
        return self.settings.api_keys.get(var)

    def throttle(self, per_minute: float | None) -> None:
        """Space requests so that at most `per_minute` are made each minute (None: no limit)."""
        self.min_interval = 60.0 / per_minute if per_minute else 0.0

    def set_deadline(self, seconds: float) -> None:
        """The total time each following request may take (the pipeline sets it per source)."""
        self.deadline = seconds

    def _wait_turn(self) -> None:
        if self._last_request is not None and self.min_interval:
            gap = self.clock() - self._last_request
            if gap < self.min_interval:
                self.sleep(self.min_interval - gap)
        self._last_request = self.clock()

    def _retry_wait(self, attempt: int, response: requests.Response | None) -> float:
        if response is not None:
            header = response.headers.get("Retry-After")
            if header:
                wait = _parse_retry_after(header)
                if wait is not None:
                    return min(wait, self.max_wait)
        return min(self.backoff * (2**attempt), self.max_wait)

    def request(
        self,
        url: str,
        *,
        method: str = "GET",
        params: dict | None = None,
        json: object | None = None,
        data: bytes | str | None = None,
        headers: dict | None = None,
        name: str = "payload",
        expect: str | None = "json",
    ) -> Payload:
        """Fetch `url` and return its body as a Payload; raise FetchError on final failure.

        expect="json" rejects an HTML (or other non-JSON) body with a clear message, since
        error pages often arrive with status 200.
        """
        last_error = ""
        out_of_time = False
        ends = time.monotonic() + self.deadline  # real time: a deadline is about the wall clock
        for attempt in range(self.retries + 1):
            self._wait_turn()
            self.requests_made += 1
            response = None
            remaining = ends - time.monotonic()
            if remaining <= 0:
                out_of_time = True
                break
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    data=data,
                    headers=headers,
                    timeout=(min(self.settings.connect_timeout, remaining), min(self.settings.read_timeout, remaining)),
                    stream=True,
                )
                if response.status_code in RETRY_STATUSES:
                    last_error = f"HTTP {response.status_code} from {response.url}: {_snippet(response, 120)}"
                elif response.status_code >= 400:
                    raise FetchError(f"HTTP {response.status_code} from {response.url}: {_snippet(response, 200)}")
                else:
                    body = self._read_capped(response, ends)  # inside the try: a body cut off mid-way is retried
                    _check_expected(body, response, expect)
                    return Payload(
                        body=body,
                        url=response.url,
                        fetched_at=utcnow(),
                        name=name,
                        headers={k.lower(): v for k, v in response.headers.items()},
                    )
            except FetchError:
                raise
            except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
                # connect/read timeouts, resets, truncated bodies
                last_error = f"{type(exc).__name__}: {exc}"
            if attempt < self.retries:
                wait = self._retry_wait(attempt, response)
                if wait >= ends - time.monotonic():
                    out_of_time = True  # the next try could not even start before the deadline
                    break
                self.sleep(wait)
        if out_of_time:
            raise FetchError(f"deadline of {self.deadline:g} s exceeded for {url}"
                             + (f" (last error: {last_error})" if last_error else ""))
        raise FetchError(f"gave up after {self.retries + 1} attempts: {last_error}")

    def _read_capped(self, response: requests.Response, ends: float | None = None) -> bytes:
        cap = self.settings.max_payload_bytes
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise FetchError(f"payload of {int(declared):,} bytes exceeds the {cap:,}-byte cap: {response.url}")
        chunks, size = [], 0
        for chunk in _chunks(response, ends):
            size += len(chunk)
            if size > cap:
                response.close()
                raise FetchError(f"payload exceeds the {cap:,}-byte cap: {response.url}")
            chunks.append(chunk)
        return b"".join(chunks)


def _chunks(response: requests.Response, ends: float | None):
    """The body in chunks as they arrive, stopping at the deadline `ends` (time.monotonic())."""
    raw = response.raw
    if ends is None or not hasattr(raw, "read1"):
        yield from response.iter_content(chunk_size=1 << 16)
        return
    while True:
        if time.monotonic() > ends:
            response.close()
            raise FetchError(f"deadline exceeded while reading {response.url}")
        # read1 returns whatever has arrived (at most 64 KiB), so a trickle cannot hold the loop.
        chunk = raw.read1(1 << 16, decode_content=True)
        if not chunk:
            return
        yield chunk


def _snippet(response: requests.Response, limit: int) -> str:
    """The start of an error body, read without downloading the rest (error pages can be huge)."""
    try:
        head = next(response.iter_content(chunk_size=limit), b"")
    except requests.RequestException:
        head = b""
    finally:
        response.close()
    return head[:limit].decode("utf-8", errors="replace").strip().replace("\n", " ")


def _parse_retry_after(value: str) -> float | None:
    """Retry-After is either seconds or an HTTP date (RFC 9110 s.10.2.3)."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _check_expected(body: bytes, response: requests.Response, expect: str | None) -> None:
    if expect != "json":
        return
    head = body.lstrip()[:1]
    if not body.strip():
        raise FetchError(f"empty body from {response.url}")
    if head not in (b"{", b"["):
        kind = "HTML" if body.lstrip()[:1] == b"<" else "non-JSON"
        raise FetchError(f"expected JSON, got {kind} from {response.url}: {body[:80]!r}")
