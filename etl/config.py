"""Runtime settings; the only module that reads os.environ."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSION = "0.1.0"


@dataclass(frozen=True)
class Settings:
    """Paths, identity and optional keys, read once from the environment."""

    root: Path
    data_dir: Path
    seed_dir: Path
    raw_dir: Path
    db_path: str
    user_agent: str
    contact: str
    max_payload_bytes: int
    connect_timeout: float
    read_timeout: float
    api_keys: dict[str, str] = field(default_factory=dict)
    # Total seconds one request may take, retries included (a server dripping bytes resets every
    # read timeout); per source from COMPUTEWATCH_DEADLINE_<SOURCE>.
    request_deadline: float = 300.0
    deadlines: dict[str, float] = field(default_factory=dict)
    alert_webhook: str | None = None
    # host:port pairs a background refresh tries before fetching (empty: the live sources' hosts).
    probe_hosts: tuple[tuple[str, int], ...] = ()

    @property
    def lock_path(self) -> Path:
        return Path(str(self.db_path) + ".lock")

    @property
    def cache_dir(self) -> Path:
        """Parsed archive snapshots (etl/parsecache.py): derived data, safe to delete."""
        return self.data_dir / "cache" / "parsed"

    @property
    def alert_state_path(self) -> Path:
        return self.data_dir / "alerts.json"

    @property
    def failed_runs_path(self) -> Path:
        """Runs that died before they could record themselves (e.g. a full disk), for the next run."""
        return self.data_dir / "failed_runs.jsonl"

    @property
    def log_path(self) -> Path:
        return self.data_dir / "etl.log"

    def deadline_for(self, source: str) -> float:
        return self.deadlines.get(source, self.request_deadline)


# Optional keys: env var name -> source that uses it. Keyless is the default for every source.
API_KEY_VARS = {
    "VAST_API_KEY": "vast",
    "RUNPOD_API_KEY": "runpod",
    "GRAPH_API_KEY": "livepeer",
    "IONET_API_KEY": "ionet",
    "HF_TOKEN": "huggingface",
    "GITHUB_TOKEN": "backfill",  # optional: the GitHub API allows 60 calls an hour without it
}


DEADLINE_PREFIX = "COMPUTEWATCH_DEADLINE_"


def _seconds(name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0:
        raise ValueError(f"{name} must be a number of seconds above 0, got {text!r}")
    return value


def _hosts(text: str) -> tuple[tuple[str, int], ...]:
    out = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        host, sep, port = item.rpartition(":")
        if not sep or not host or not port.isdigit():
            raise ValueError(f"COMPUTEWATCH_PROBE_HOSTS: expected host:port[,host:port...], got {item!r}")
        out.append((host, int(port)))
    return tuple(out)


def db_path(env: Mapping[str, str] | None = None) -> str:
    """The warehouse file's path alone: what load() sets as db_path, without building the rest (the
    dashboard asks for it at every cached read, to key caches by the published file)."""
    env = os.environ if env is None else env
    return env.get("COMPUTEWATCH_DB", str(Path(env.get("COMPUTEWATCH_DATA_DIR", ROOT / "data")) / "warehouse.duckdb"))


def load(env: dict[str, str] | None = None) -> Settings:
    """Build Settings from `env` (default: os.environ)."""
    env = dict(os.environ if env is None else env)
    data_dir = Path(env.get("COMPUTEWATCH_DATA_DIR", ROOT / "data"))
    contact = env.get("COMPUTEWATCH_CONTACT", "computewatch-maintainers@users.noreply.github.com")
    return Settings(
        root=ROOT,
        data_dir=data_dir,
        seed_dir=Path(env.get("COMPUTEWATCH_SEED_DIR", ROOT / "data" / "seed")),
        raw_dir=Path(env.get("COMPUTEWATCH_RAW_DIR", data_dir / "raw")),
        db_path=db_path(env),
        # SEC EDGAR and Wikimedia require a descriptive agent with a contact address.
        user_agent=env.get("COMPUTEWATCH_USER_AGENT", f"ComputeWatch/{VERSION} ({contact})"),
        contact=contact,
        max_payload_bytes=int(env.get("COMPUTEWATCH_MAX_PAYLOAD_MB", "200")) * 1024 * 1024,
        connect_timeout=float(env.get("COMPUTEWATCH_CONNECT_TIMEOUT", "10")),
        read_timeout=float(env.get("COMPUTEWATCH_READ_TIMEOUT", "60")),
        api_keys={var: env[var] for var in API_KEY_VARS if env.get(var)},
        request_deadline=_seconds("COMPUTEWATCH_REQUEST_DEADLINE", env.get("COMPUTEWATCH_REQUEST_DEADLINE", "300")),
        deadlines={k.removeprefix(DEADLINE_PREFIX).lower(): _seconds(k, v) for k, v in env.items()
                   if k.startswith(DEADLINE_PREFIX) and v},
        alert_webhook=env.get("COMPUTEWATCH_ALERT_WEBHOOK") or None,
        probe_hosts=_hosts(env.get("COMPUTEWATCH_PROBE_HOSTS", "")),
    )


def get() -> Settings:
    """Current settings (re-read each call so tests can monkeypatch the environment)."""
    return load()


@contextlib.contextmanager
def environ(**values: str | None) -> Iterator[None]:
    """Set (or, with None, unset) environment variables for the block, then restore them: settings are
    read from the environment (load), so tests and bench scripts point the project elsewhere this way."""
    old = {k: os.environ.get(k) for k in values}
    try:
        _set_environ(values)
        yield
    finally:
        _set_environ(old)


def _set_environ(values: dict[str, str | None]) -> None:
    for k, v in values.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
