"""The source registry: every module in this package with a SOURCE, keyed by SOURCE.name.

How to write a source module (fetch, parse, tests, fixtures): see docs/CONNECTORS.md.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from etl.provenance import Source, precedence


def _discover() -> dict[str, ModuleType]:
    modules: dict[str, ModuleType] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        source = getattr(module, "SOURCE", None)
        if not isinstance(source, Source):
            continue
        if source.name != info.name:  # one name, one thing
            raise ImportError(f"etl/sources/{info.name}.py declares SOURCE.name={source.name!r}")
        modules[source.name] = module
    return modules


MODULES: dict[str, ModuleType] = _discover()
SOURCES: dict[str, Source] = {name: m.SOURCE for name, m in MODULES.items()}


def get(name: str) -> ModuleType:
    """The module of source `name`; KeyError lists the known names."""
    try:
        return MODULES[name]
    except KeyError:
        raise KeyError(f"unknown source {name!r}; known: {', '.join(sorted(MODULES))}") from None


def precedence_rows() -> list[tuple[str, str, int]]:
    """(source, kind, rank) for every source, rank 0 first: what a mart joins to count each provider
    once by its most direct source (etl.provenance.precedence)."""
    return [(name, s.kind, precedence(s.kind)) for name, s in SOURCES.items()]
