"""The package keeps the shape docs/architecture.md gives it: modules a reader can hold in mind and
functions read as named steps. (The layers are checked by import-linter in `make lint`, and
complexity by ruff's C901.)"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "carebridge"

# Past this a module is split by concern into a package of the same name.
MODULE_MAX_LINES = 600
# Past this a function is read as its named steps instead. Demo seeding is a script of data and
# may run longer.
FUNCTION_MAX_LINES = 80


def _modules(*roots: Path) -> Iterator[Path]:
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            if "migrations" not in path.parts and "node_modules" not in path.parts:
                yield path


def long_modules(paths: Iterable[Path]) -> dict[str, int]:
    """The modules over MODULE_MAX_LINES, with their lengths."""
    return {
        path.name if not path.is_relative_to(ROOT) else str(path.relative_to(ROOT)): lines
        for path in paths
        if (lines := len(path.read_text().splitlines())) > MODULE_MAX_LINES
    }


def long_functions(paths: Iterable[Path]) -> dict[str, int]:
    """The functions over FUNCTION_MAX_LINES, as "module:line name", with their lengths."""
    long: dict[str, int] = {}
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > FUNCTION_MAX_LINES:
                    long[f"{path.name}:{node.lineno} {node.name}"] = lines
    return long


def _product(path: Path) -> bool:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] != "demo" and "tests" not in parts


def test_no_module_is_over_600_lines() -> None:
    assert long_modules(_modules(PACKAGE, ROOT / "tests", ROOT / "bench")) == {}


def test_no_function_of_the_product_is_over_80_lines() -> None:
    assert long_functions(path for path in _modules(PACKAGE) if _product(path)) == {}


def test_the_checks_find_a_long_module_and_a_long_function(tmp_path: Path) -> None:
    body = "".join(f"    x{n} = {n}\n" for n in range(FUNCTION_MAX_LINES))
    short = tmp_path / "short.py"
    short.write_text(f"def short():\n{body[: body.rindex('    x')]}")
    long = tmp_path / "long.py"
    long.write_text(f"def long():\n{body}" + "\n" * (MODULE_MAX_LINES - FUNCTION_MAX_LINES))
    assert long_modules([short, long]) == {"long.py": MODULE_MAX_LINES + 1}
    assert long_functions([short, long]) == {"long.py:1 long": FUNCTION_MAX_LINES + 1}
