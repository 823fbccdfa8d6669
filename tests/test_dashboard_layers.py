"""The dashboard's layers hold: only data/ reads DuckDB, pages hold no SQL, pure layers import no I/O."""

from __future__ import annotations

import ast
import re
from pathlib import Path

DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard"
PURE = ["model", "charts", "text", "fmt.py"]


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            out |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return out


def files(*parts: str) -> list[Path]:
    out = []
    for part in parts:
        target = DASHBOARD / part
        out += [target] if target.is_file() else sorted(target.rglob("*.py"))
    return out


def test_pure_layers_import_neither_duckdb_nor_streamlit_nor_the_data_layer():
    for path in files(*PURE):
        bad = {name for name in imports(path) if name.split(".")[0] in ("duckdb", "streamlit")
               or name.startswith("dashboard.data")}
        assert not bad, f"{path.relative_to(DASHBOARD)} imports {sorted(bad)}"


def test_only_the_data_layer_touches_duckdb():
    for path in files("."):
        if path.parts[-2] == "data":
            continue
        assert "duckdb" not in {name.split(".")[0] for name in imports(path)}, path


def test_pages_hold_no_sql():
    for path in files("app_pages"):
        assert not re.search(r"\b(SELECT|FROM marts|INSERT|JOIN)\b", path.read_text(encoding="utf-8")), path


def test_the_dashboard_never_imports_mart_builders_or_connectors():
    for path in files("."):
        bad = {name for name in imports(path) if name.startswith(("etl.marts", "etl.sources"))}
        assert not bad, f"{path.relative_to(DASHBOARD)} imports {sorted(bad)}"
