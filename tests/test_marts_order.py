"""etl.marts.MARTS is the build order: every mart file is declared, reads what it says, and after what it reads."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import duckdb
import pytest

from etl import marts, warehouse

ROOT = Path(__file__).resolve().parent.parent
TABLE = re.compile(r"\b((?:core|meta|ref|marts)\.[a-z_0-9]+)\b")


def referenced(mart: marts.Mart) -> set[str]:
    """Every schema-qualified table the mart's code names, comments left out."""
    if mart.build is None:
        code = re.sub(r"--[^\n]*", "", mart.sql_path.read_text(encoding="utf-8"))
    else:
        code = "\n".join(line.split("#")[0] for line in inspect.getsource(inspect.getmodule(mart.build)).splitlines())
        code = re.sub(r'"""(.|\n)*?"""', "", code, count=1)  # the module docstring
    return set(TABLE.findall(code))


def test_every_sql_file_is_a_declared_mart_named_as_the_table_it_builds():
    files = {p.stem for p in (ROOT / "etl" / "sql" / "marts").glob("*.sql")}
    declared = {m.name for m in marts.MARTS if m.build is None}
    assert files == declared
    for name in files:
        sql = re.sub(r"--[^\n]*", "", (ROOT / "etl" / "sql" / "marts" / f"{name}.sql").read_text())
        assert re.findall(r"CREATE OR REPLACE (?:TABLE|VIEW) (marts\.[a-z_0-9]+)", sql) == [f"marts.{name}"]


@pytest.mark.parametrize("mart", marts.MARTS, ids=lambda m: m.name)
def test_a_mart_declares_exactly_the_tables_its_code_reads(mart):
    assert referenced(mart) - set(mart.tables) == set(mart.reads)


def test_every_mart_read_is_built_earlier_and_every_other_read_exists_before_the_marts():
    con = duckdb.connect(":memory:")
    warehouse.create_schema(con)
    warehouse.load_reference(con, ROOT / "data" / "seed")
    existing = {f"{s}.{t}" for s, t in con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema <> 'marts'").fetchall()}
    built: set[str] = set()
    for mart in marts.MARTS:
        for table in mart.reads:
            assert table in built if table.startswith("marts.") else table in existing, (mart.name, table)
        built |= set(mart.tables)


def test_building_every_mart_creates_exactly_the_declared_tables():
    con = duckdb.connect(":memory:")
    warehouse.create_schema(con)
    warehouse.load_reference(con, ROOT / "data" / "seed")
    assert warehouse.build_marts(con) == [m.name for m in marts.MARTS]
    tables = {f"marts.{t}" for (t,) in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'").fetchall()}
    assert tables == {t for m in marts.MARTS for t in m.tables}


def test_a_subset_is_built_in_the_declared_order_whatever_order_it_is_asked_in():
    con = duckdb.connect(":memory:")
    warehouse.create_schema(con)
    assert warehouse.build_marts(con, only={"concentration", "gpu_h100e", "price_index"}) == [
        "price_index", "gpu_h100e", "concentration"]


def test_ref_segments_maps_every_segment_to_one_block():
    con = duckdb.connect(":memory:")
    warehouse.create_schema(con)
    blocks = dict(con.execute("SELECT segment, block FROM ref.segments").fetchall())
    assert blocks == {"hyperscaler": "centralised", "neocloud": "centralised", "marketplace": "decentralised",
                      "depin": "decentralised"}
