"""docs/security.md cannot rot: every test it cites exists, and every ASVS 5.0 level 1 and 2
requirement has exactly one row with evidence.

The cited tests are found by parsing the files (ast), never by running or collecting pytest, so
this stays fast and cannot be fooled by a test that is skipped or deselected.
"""

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "security.md"

# `path/to/test_x.py::test_name` or `path/to/test_x.py::TestClass::test_name`, in backticks.
CITATION = re.compile(r"`(?P<path>[\w./-]+\.py)::(?P<name>\w+(?:::\w+)?)`")
# A chapter table's row: | 1.2.3 | requirement | evidence |
ROW = re.compile(r"^\| (?P<id>\d+\.\d+\.\d+) \| (?P<what>[^|]+) \| (?P<evidence>.+) \|$")
EVIDENCE = ("Tests:", "Not applicable:", "GAP", "[")

# The IDs of ASVS 5.0's level 1 and 2 requirements (OWASP/ASVS, 5.0/en), by section: the
# section's number and its requirements' last numbers.
ASVS_5_LEVEL_2 = """
1.1 1-2; 1.2 1-9; 1.3 1-11; 1.4 1-3; 1.5 1-2;
2.1 1-3; 2.2 1-3; 2.3 1-4; 2.4 1;
3.2 1-2; 3.3 1-4; 3.4 1-6; 3.5 1-5; 3.7 1-2;
4.1 1-3; 4.2 1; 4.3 1-2; 4.4 1-4;
5.1 1; 5.2 1-3; 5.3 1-2; 5.4 1-3;
6.1 1-3; 6.2 1-12; 6.3 1-4; 6.4 1-4; 6.5 1-5; 6.6 1-3; 6.8 1-4;
7.1 1-3; 7.2 1-4; 7.3 1-2; 7.4 1-5; 7.5 1-2; 7.6 1-2;
8.1 1-2; 8.2 1-3; 8.3 1; 8.4 1;
9.1 1-3; 9.2 1-4;
10.1 1-2; 10.2 1-2; 10.3 1-4; 10.4 1-11; 10.5 1-5; 10.6 1-2; 10.7 1-3;
11.1 1-2; 11.2 1-3; 11.3 1-3; 11.4 1-4; 11.5 1; 11.6 1;
12.1 1-3; 12.2 1-2; 12.3 1-4;
13.1 1; 13.2 1-5; 13.3 1-2; 13.4 1-5;
14.1 1-2; 14.2 1-4; 14.3 1-3;
15.1 1-3; 15.2 1-3; 15.3 1-7;
16.1 1; 16.2 1-5; 16.3 1-4; 16.4 1-3; 16.5 1-3;
17.1 1; 17.2 1-4; 17.3 1-2;
"""


def expected_ids() -> list[str]:
    ids = []
    for part in ASVS_5_LEVEL_2.replace("\n", " ").split(";"):
        if not part.strip():
            continue
        section, numbers = part.split()
        first, _, last = numbers.partition("-")
        ids += [f"{section}.{n}" for n in range(int(first), int(last or first) + 1)]
    return ids


def citations(text: str) -> list[tuple[str, str]]:
    return [(m["path"], m["name"]) for m in CITATION.finditer(text)]


@cache
def defined_tests(path: str) -> frozenset[str]:
    """Names of a file's test functions: `test_x` and `TestClass::test_x`."""
    file = ROOT / path
    if not file.is_file():
        return frozenset()
    names = set()
    for node in ast.parse(file.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            names |= {
                f"{node.name}::{sub.name}"
                for sub in node.body
                if isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef)
            }
    return frozenset(name for name in names if name.split("::")[-1].startswith("test"))


def missing(text: str) -> list[str]:
    return [f"{path}::{name}" for path, name in citations(text) if name not in defined_tests(path)]


def rows(text: str) -> list[re.Match[str]]:
    return [m for line in text.splitlines() if (m := ROW.match(line))]


def test_every_cited_test_exists():
    text = DOC.read_text(encoding="utf-8")

    assert len(citations(text)) > 200
    assert missing(text) == []


def test_it_finds_a_cited_test_that_does_not_exist():
    text = (
        "| 1.1.1 | x | Tests: `tests/test_security_doc.py::test_every_cited_test_exists`, "
        "`tests/test_security_doc.py::test_that_was_renamed`, "
        "`tests/no_such_file.py::test_anything`, "
        "`carebridge/accounts/tests/test_passwords.py::TestACouncilWithCompositionRules::"
        "test_it_refuses_a_short_password`, "
        "`carebridge/accounts/tests/test_passwords.py::TestNoSuchClass::"
        "test_it_refuses_a_short_password` |"
    )

    assert missing(text) == [
        "tests/test_security_doc.py::test_that_was_renamed",
        "tests/no_such_file.py::test_anything",
        "carebridge/accounts/tests/test_passwords.py::TestNoSuchClass::"
        "test_it_refuses_a_short_password",
    ]


def test_a_helper_that_is_not_a_test_does_not_count():
    assert missing("`tests/test_security_doc.py::citations`") == [
        "tests/test_security_doc.py::citations"
    ]


def test_every_level_two_requirement_has_exactly_one_row():
    found = [m["id"] for m in rows(DOC.read_text(encoding="utf-8"))]

    assert len(expected_ids()) == 253
    assert sorted(set(found) - set(expected_ids())) == []
    assert [i for i in expected_ids() if i not in found] == []
    assert len(found) == len(set(found))


def vague(text: str) -> list[str]:
    """Rows whose evidence is neither tests (with at least one cited), a reason nor a gap."""
    return [
        m["id"]
        for m in rows(text)
        if not m["evidence"].startswith(EVIDENCE)
        or (m["evidence"].startswith("Tests:") and not citations(m["evidence"]))
    ]


def test_every_row_gives_tests_a_reason_or_a_gap():
    assert vague(DOC.read_text(encoding="utf-8")) == []


def test_it_finds_a_row_without_evidence():
    text = "\n".join(
        [
            "| 1.1.1 | x | Tests: none yet |",
            "| 1.1.2 | x | Met by design |",
            "| 1.2.1 | x | Tests: `tests/test_security_doc.py::test_every_cited_test_exists` |",
            "| 1.2.2 | x | Not applicable: no such feature |",
            "| 1.2.3 | x | GAP: missing |",
            "| 1.2.4 | x | [Uploads](#uploads-511) |",
        ]
    )

    assert vague(text) == ["1.1.1", "1.1.2"]
