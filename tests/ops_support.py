"""Helpers for the operations tests: a fake source, a registry of fakes, a local HTTP recorder."""

from __future__ import annotations

import dataclasses
import json
import os
import threading
import types
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from etl import sources
from etl.provenance import License, Payload, Source, utcnow

QUIET = open(os.devnull, "w")  # one sink for every run's progress lines


def fake_source(name="fakeprices", *, load="append", body=None, fail=None, cadence_hours=24):
    """A registered-looking source module whose fetch returns `body` (JSON) or raises `fail`."""
    src = Source(
        name=name, title="Fake prices", producer="Tests", url_main="https://example.test",
        url_download=("https://example.test/prices.json",), license=License("CC0", "https://example.test/l"),
        citation="Tests (2026)", cadence_hours=cadence_hours, segment="marketplace", tables=("gpu_prices",),
        load=load,
    )
    module = types.SimpleNamespace(SOURCE=src)
    state = {"body": body, "fail": fail}

    def fetch(client):
        if state["fail"]:
            raise state["fail"]
        return [Payload(json.dumps(state["body"]).encode(), "https://example.test/prices.json", utcnow(),
                        "prices.json")]

    def parse(payload):
        doc = json.loads(payload.body)
        if not isinstance(doc, dict) or "offers" not in doc:
            raise ValueError("expected an object with 'offers'")
        for o in doc["offers"]:
            yield {"table": "gpu_prices", "observed_at": doc["at"], "provider": "fake", "gpu_model": "H100 SXM",
                   "gpu_count": o["n"], "price_usd_per_gpu_hour": o["dph"] / o["n"], "price_type": "on_demand",
                   "offer_id": str(o["id"])}

    module.fetch, module.parse, module.state = fetch, parse, state
    return module


OFFERS = {"at": "2026-03-01T12:00:00Z", "offers": [{"id": 1, "n": 8, "dph": 16.0}, {"id": 2, "n": 1, "dph": 2.5}]}


def only_seed_plus(monkeypatch):
    """Make the registry the real seed only; returns add(module) to register fakes."""
    modules = {"seed": sources.MODULES["seed"]}
    monkeypatch.setattr(sources, "MODULES", modules)
    monkeypatch.setattr(sources, "SOURCES", {"seed": sources.SOURCES["seed"]})

    def add(module):
        modules[module.SOURCE.name] = module
        sources.SOURCES[module.SOURCE.name] = module.SOURCE
        return module

    return add


@contextmanager
def recording_server(status: int = 200):
    """An HTTP server on 127.0.0.1 recording each POSTed JSON body; yields (url, bodies, control)."""
    bodies: list[dict] = []
    control = {"status": status}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            if control["status"] == 200:
                bodies.append({"content_type": self.headers.get("Content-Type"), **json.loads(raw)})
            self.send_response(control["status"])
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", bodies, control
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def dripping_server(interval: float = 0.3, total: float = 60.0):
    """An HTTP server on 127.0.0.1 that sends a 200 header at once, then one body byte every `interval`
    seconds (for up to `total` seconds): every read succeeds within any read timeout, forever."""
    import socket
    import time

    stop = threading.Event()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)

    def handle(conn):
        with conn:
            try:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n[")
                ends = time.monotonic() + total
                while not stop.is_set() and time.monotonic() < ends:
                    conn.sendall(b"1")
                    time.sleep(interval)
            except OSError:
                pass  # the client hung up: what a deadline does

    def serve():
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/slow.json"
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


def replay_source(name="fakepad", *, load="append"):
    """A fake source read from a replay folder <name>/<date>/*.json of {"at", "offers", "padding"}."""
    module = fake_source(name, load=load)
    module.SOURCE = dataclasses.replace(module.SOURCE, captures=(f"{name}/*/*.json",))
    return module


def register(module) -> None:
    """Add a module to the real registry (for child processes that run one named source)."""
    sources.MODULES[module.SOURCE.name] = module
    sources.SOURCES[module.SOURCE.name] = module.SOURCE


def write_capture(replay_dir, name: str, day: str, offers: list[dict], padding_bytes: int) -> None:
    folder = replay_dir / name / day
    folder.mkdir(parents=True, exist_ok=True)
    for f in folder.iterdir():
        f.unlink()
    (folder / "a-offers.json").write_text(json.dumps({"at": f"{day}T00:00:00Z", "offers": offers}))
    (folder / "b-padding.json").write_text(json.dumps({"at": f"{day}T00:00:00Z", "offers": [],
                                                      "padding": "x" * padding_bytes}))


def indicator_source(name="fakeedgar", *, load="replace"):
    """A fake replace source of quarterly indicators: body {"companies": {entity: [values...]}}."""
    src = Source(
        name=name, title="Fake filings", producer="Tests", url_main="https://example.test",
        url_download=("https://example.test/filings.json",), license=License("CC0", "https://example.test/l"),
        citation="Tests (2026)", cadence_hours=24, segment=None, tables=("indicators",), load=load,
    )
    module = types.SimpleNamespace(SOURCE=src)
    state = {"body": None, "fail": None}

    def fetch(client):
        if state["fail"]:
            raise state["fail"]
        return [Payload(json.dumps(state["body"]).encode(), "https://example.test/filings.json", utcnow(),
                        "filings.json")]

    def parse(payload):
        doc = json.loads(payload.body)
        for entity, values in doc["companies"].items():
            for q, value in enumerate(values):
                yield {"table": "indicators", "period": f"{2024 + q // 4}-{3 * (q % 4) + 1:02d}-01", "indicator": "capex",
                       "entity": entity, "value": value, "unit": "USD bn"}

    module.fetch, module.parse, module.state = fetch, parse, state
    return module


def filings_body(k: int) -> dict:
    """The fake filings body of version k (each version one more quarter per company)."""
    return {"companies": {"Amazon": [20.0 + i for i in range(2 + k)], "Microsoft": [15.0 + i for i in range(2 + k)]}}


def ticking_clock(start=None, step_seconds: int = 60):
    """A clock for pipeline.run(clock=...) that moves `step_seconds` on every reading, so runs made
    within one real second still have distinct, ordered times."""
    from datetime import timedelta

    state = {"now": start or utcnow()}

    def clock():
        state["now"] += timedelta(seconds=step_seconds)
        return state["now"]

    return clock
