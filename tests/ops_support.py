"""Helpers for the operations tests: a fake source, a registry of fakes, a local HTTP recorder."""

from __future__ import annotations

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
