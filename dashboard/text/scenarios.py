"""What each pass-through scenario input means: label, unit, help text and slider range, looked up by name.

The name is the input's URL parameter and command-line name (dashboard/model/scenarios.py INPUTS). The
texts (each states the default and why it was chosen) are page copy, so they live in
dashboard/text/scenarios.toml and not in the model; the range and step are the slider's, and also the
range a URL or command-line value must fall in.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

PATH = Path(__file__).with_suffix(".toml")


@dataclass(frozen=True)
class FieldHelp:
    """One model field's control: `low`, `high` and `step` are None for a choice (preset, mode)."""

    label: str
    unit: str
    help: str
    low: float | None = None
    high: float | None = None
    step: float | None = None


def _load(path: Path = PATH) -> dict[str, FieldHelp]:
    with path.open("rb") as handle:
        return {name: FieldHelp(**entry) for name, entry in tomllib.load(handle).items()}


# Input name -> its control.
FIELDS: dict[str, FieldHelp] = _load()
