"""Real Chromium (Debian's, not Playwright's download) driving the live server.

Without Chromium the browser tests are skipped, loudly; on CI (env CI set) they fail instead,
because CI must never pass without running them.
"""

import json
import os
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Sync Playwright runs an event loop in this thread; pytest-django's live_server and the ORM
# calls the tests make would otherwise refuse to run "from an async context".
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CHROMIUM_CANDIDATES = ["/usr/bin/chromium", "/usr/lib/chromium/chromium"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CI_FAILURE = "BROWSER TESTS CANNOT RUN ON CI"
SKIP_REASON = "Chromium is not installed: browser tests skipped (apt-get install chromium)"
VIEWPORT = {"width": 1280, "height": 900}

_skipped_for_no_chromium = False
# Console errors seen by each browser context, recorded from the moment it is created.
_console_errors: "weakref.WeakKeyDictionary[Any, list[str]]" = weakref.WeakKeyDictionary()


def find_chromium() -> str | None:
    """CHROMIUM_PATH when set (and nothing else: a wrong path must not fall back), else Debian's."""
    configured = os.environ.get("CHROMIUM_PATH")
    candidates = [configured] if configured else CHROMIUM_CANDIDATES
    for candidate in candidates:
        path = Path(candidate)
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    return None


def _on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _ci_failure_message() -> str:
    where = os.environ.get("CHROMIUM_PATH") or " or ".join(CHROMIUM_CANDIDATES)
    return (
        f"{CI_FAILURE}: Chromium not found at {where}. CI must run the browser tests: "
        "install chromium (apt-get install chromium) or set CHROMIUM_PATH."
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    global _skipped_for_no_chromium
    browser_items = [item for item in items if item.get_closest_marker("browser")]
    if not browser_items or find_chromium() is not None:
        return
    if _on_ci():
        if not hasattr(config, "workerinput"):
            pytest.exit(_ci_failure_message(), returncode=pytest.ExitCode.TESTS_FAILED)
        # An xdist worker cannot end the session: the `chromium` fixture fails every test.
        return
    _skipped_for_no_chromium = True
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in browser_items:
        item.add_marker(skip)


def _reports_mention(terminalreporter: Any, outcome: str, text: str) -> bool:
    # The reports, not a flag: under xdist the skips and failures happen in the workers.
    return any(text in str(report.longrepr) for report in terminalreporter.stats.get(outcome, []))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _skipped_for_no_chromium or _reports_mention(terminalreporter, "skipped", SKIP_REASON):
        line = "BROWSER TESTS SKIPPED: Chromium not installed (apt-get install chromium, or set CHROMIUM_PATH)"
    elif _reports_mention(terminalreporter, "error", CI_FAILURE):
        line = _ci_failure_message()
    else:
        return
    terminalreporter.section("browser tests", sep="!", red=True, bold=True)
    terminalreporter.write_line(line, red=True, bold=True)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    executable = find_chromium()
    if executable is None:  # collection skipped these tests, or this is an xdist worker on CI
        if _on_ci():
            pytest.fail(_ci_failure_message(), pytrace=False)
        pytest.skip(SKIP_REASON)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def new_context(chromium: Any, **options: Any) -> Any:
    """A fresh context (own cookies) whose console errors are recorded for `axe_check`."""
    context = chromium.new_context(viewport=VIEWPORT, **options)
    errors: list[str] = []
    _console_errors[context] = errors

    def on_console(message: Any) -> None:
        if message.type == "error":
            location = message.location or {}
            errors.append(f"{message.text} ({location.get('url', '?')})")

    context.on("console", on_console)
    return context


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = new_context(chromium)
    page = context.new_page()
    yield page
    context.close()


def console_errors(page: Any) -> list[str]:
    return list(_console_errors.get(page.context, []))


def assert_no_csp_or_404_errors(page: Any) -> None:
    bad = [
        error
        for error in console_errors(page)
        if "Content Security Policy" in error or "404" in error
    ]
    assert not bad, f"Console errors in this browser context (now at {page.url}):\n" + "\n".join(
        f"  - {e}" for e in bad
    )


def _describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"[{violation['id']}] ({violation.get('impact')}) {violation['help']} "
            f"<{violation.get('helpUrl', '')}>"
        )
        for node in violation["nodes"]:
            lines.append(f"    target: {json.dumps(node['target'])}")
            lines.append(f"    html:   {node['html']}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"    why:    {summary}")
    return "\n".join(lines)


def axe_check(page: Any) -> None:
    """No WCAG 2.2 AA violations axe can find, and no CSP or 404 errors in the console.

    axe is injected with `evaluate` because the CSP blocks `add_script_tag`.
    """
    page.wait_for_load_state("load")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text())
    violations = page.evaluate(
        """async (tags) => (await axe.run(document, {
            runOnly: {type: 'tag', values: tags},
        })).violations""",
        AXE_TAGS,
    )
    assert not violations, (
        f"axe found {len(violations)} accessibility violation(s) on {page.url}:\n"
        + _describe(violations)
    )
    assert_no_csp_or_404_errors(page)
