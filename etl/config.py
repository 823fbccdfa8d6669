"""Runtime settings; the only module that reads os.environ."""

from __future__ import annotations

import os
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

    @property
    def lock_path(self) -> Path:
        return Path(str(self.db_path) + ".lock")


# Optional keys: env var name -> source that uses it. Keyless is the default for every source.
API_KEY_VARS = {
    "VAST_API_KEY": "vast",
    "RUNPOD_API_KEY": "runpod",
    "GRAPH_API_KEY": "livepeer",
    "IONET_API_KEY": "ionet",
    "HF_TOKEN": "huggingface",
}


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
        db_path=env.get("COMPUTEWATCH_DB", str(data_dir / "warehouse.duckdb")),
        # SEC EDGAR and Wikimedia require a descriptive agent with a contact address.
        user_agent=env.get("COMPUTEWATCH_USER_AGENT", f"ComputeWatch/{VERSION} ({contact})"),
        contact=contact,
        max_payload_bytes=int(env.get("COMPUTEWATCH_MAX_PAYLOAD_MB", "200")) * 1024 * 1024,
        connect_timeout=float(env.get("COMPUTEWATCH_CONNECT_TIMEOUT", "10")),
        read_timeout=float(env.get("COMPUTEWATCH_READ_TIMEOUT", "60")),
        api_keys={var: env[var] for var in API_KEY_VARS if env.get(var)},
    )


def get() -> Settings:
    """Current settings (re-read each call so tests can monkeypatch the environment)."""
    return load()
