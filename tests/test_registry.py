"""Registry-wide: every source declares its provenance and licence, has fixtures, tests and a README row."""

import inspect
import re
from pathlib import Path

import pytest

from etl import config, sources
from etl.provenance import KINDS, precedence

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
NAMES = sorted(sources.SOURCES)


@pytest.mark.parametrize("name", NAMES)
def test_source_declares_full_provenance(name):
    s = sources.SOURCES[name]
    for field in ("title", "producer", "citation", "description"):
        assert getattr(s, field).strip(), f"{name}: empty {field}"
    if name != "seed":  # the seed lives in the checkout
        assert s.url_main.startswith("https://"), f"{name}: url_main must be https"
        assert s.url_download and all(u.startswith("https://") for u in s.url_download), name
    assert s.cadence_hours > 0
    assert s.tables, f"{name}: declares no table"
    assert s.kind in KINDS, f"{name}: kind must be one of {KINDS} (precedence among sources of one provider)"
    assert s.needs_key is None or s.needs_key in config.API_KEY_VARS, f"{name}: key var not in config"


@pytest.mark.parametrize("name", NAMES)
def test_source_has_a_licence_with_a_link(name):
    lic = sources.SOURCES[name].license
    assert lic.name.strip() and lic.url.startswith("https://"), name


@pytest.mark.parametrize("name", NAMES)
def test_source_module_splits_fetch_from_parse(name):
    module = sources.MODULES[name]
    assert (module.__doc__ or "").strip(), f"{name}: module docstring"
    assert "\n" not in module.__doc__.strip().splitlines()[0]
    assert list(inspect.signature(module.fetch).parameters) == ["client"]
    assert list(inspect.signature(module.parse).parameters) == ["payload"]


@pytest.mark.parametrize("name", NAMES)
def test_source_has_a_fixture_and_tests(name):
    fixtures = list((ROOT / "tests" / "fixtures").glob(f"{name}*"))
    assert fixtures, f"{name}: no tests/fixtures/{name}*"
    assert (ROOT / "tests" / f"test_source_{name}.py").exists(), f"{name}: no tests/test_source_{name}.py"


@pytest.mark.parametrize("name", NAMES)
def test_source_is_in_the_readme_sources_table(name):
    row = re.search(rf"^\|\s*`{re.escape(name)}`\s*\|.*$", README, flags=re.M)
    assert row, f"README sources table has no row for `{name}`"
    assert sources.SOURCES[name].license.name.split(";")[0].split(" (")[0][:12] in row.group(0)


def test_every_captures_pattern_matches_a_real_capture(captures):
    for name, s in sources.SOURCES.items():
        for pattern in s.captures:
            assert list(captures.glob(pattern)), f"{name}: capture pattern {pattern} matches nothing"


def test_every_public_module_of_the_package_is_a_registered_source():
    modules = {p.stem for p in (ROOT / "etl" / "sources").glob("*.py") if not p.stem.startswith("_")}
    assert modules == set(NAMES)  # a module whose SOURCE is missing or misnamed would vanish silently


def test_precedence_ranks_provider_api_before_catalogue_before_aggregator():
    assert [precedence(k) for k in ("provider_api", "catalogue", "aggregator")] == [0, 1, 2]
    with pytest.raises(ValueError, match="unknown source kind"):
        precedence("blog")


def test_precedence_rows_cover_every_source_with_its_rank():
    rows = {name: (kind, rank) for name, kind, rank in sources.precedence_rows()}
    assert set(rows) == set(NAMES)
    assert rows["runpod"] == ("provider_api", 0) and rows["seed"] == ("aggregator", 2)
