"""Reference tables from data/seed: canonical GPU model names and the provider -> segment map."""

from __future__ import annotations

import csv
import os
import re
from functools import lru_cache
from pathlib import Path

from etl import config


def _exact(name: str) -> str:
    """Case and punctuation insensitive key: 'H100-SXM5_80GB' ~ 'h100 sxm5 80gb'."""
    key = name.strip().lower().replace("_", " ").replace("-", " ")
    return re.sub(r"\s+", " ", key)


def _norm(name: str) -> str:
    """As _exact, and vendor-prefix insensitive: 'NVIDIA Tesla V100' ~ 'v100'."""
    return re.sub(r"^((nvidia|amd)\s+)?((geforce|tesla|instinct)\s+)?", "", _exact(name))


@lru_cache(maxsize=4)
def _gpu_table(seed_dir: str) -> tuple[dict[str, str], dict[str, str], dict[str, dict]]:
    path = Path(seed_dir) / "gpu_models.csv"
    exact: dict[str, str] = {}
    loose: dict[str, str] = {}
    models: dict[str, dict] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            name = row["gpu_model"].strip()
            models[name] = row
            for spelling in [name, *row.get("aliases", "").split("|")]:
                if spelling.strip():
                    exact.setdefault(_exact(spelling), name)
                    loose.setdefault(_norm(spelling), name)
    return exact, loose, models


@lru_cache(maxsize=4)
def _provider_table(seed_dir: str) -> dict[str, dict]:
    path = Path(seed_dir) / "providers.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        return {row["provider"].strip(): row for row in csv.DictReader(fh)}


@lru_cache(maxsize=4)
def _provider_aliases(seed_dir: str) -> dict[str, str]:
    """Other keys of the same company ('vastai', 'lambda_labs') -> its key, from the optional aliases column."""
    out: dict[str, str] = {}
    for key, row in _provider_table(seed_dir).items():
        for alias in (row.get("aliases") or "").split("|"):
            if alias.strip():
                out.setdefault(provider_key(alias), key)
    return out


def _seed_dir() -> str:
    # config.get() re-reads the whole environment; the seed folder depends on one variable only, and
    # parsers ask for it once a row, so it is worked out once per value of that variable.
    return _seed_dir_for(os.environ.get("COMPUTEWATCH_SEED_DIR"))


@lru_cache(maxsize=8)
def _seed_dir_for(_env_value: str | None) -> str:
    return str(config.get().seed_dir)


def canonical_gpu(name: str | None) -> str | None:
    """The canonical model name for any spelling a source uses; unknown names come back as given."""
    if name is None:
        return None
    exact, loose, _ = _gpu_table(_seed_dir())
    # An exact spelling wins over a prefix-stripped one: "NVIDIA A100" (40GB) is not "A100" (80GB).
    return exact.get(_exact(name)) or loose.get(_norm(name)) or name.strip()


def is_known_gpu(name: str | None) -> bool:
    return name is not None and name in _gpu_table(_seed_dir())[2]


def gpu_models() -> dict[str, dict]:
    return dict(_gpu_table(_seed_dir())[2])


def provider_key(name: str) -> str:
    """'Lambda Labs' -> 'lambda_labs': the key form used in providers.csv."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def canonical_provider(name: str) -> str:
    """The providers.csv key of a company however a source spells it: 'Vast.ai'/'vastai' -> 'vast'."""
    key = provider_key(name)
    if key in _provider_table(_seed_dir()):
        return key
    return _provider_aliases(_seed_dir()).get(key, key)


def segment_for(provider: str) -> str | None:
    """Segment of a provider key (hyperscaler / neocloud / marketplace / depin), None if unlisted."""
    row = _provider_table(_seed_dir()).get(provider_key(provider))
    return row["segment"].strip() if row else None


def providers() -> dict[str, dict]:
    return dict(_provider_table(_seed_dir()))
