"""TLS as nginx serves it (docs/security.md, 12.1.1 and 12.1.2). nginx settles the protocol
version with the address's default server before it reads the name asked for, so the versions and
suites must be set outside every server block, for all of them: set only in the site's server,
TLS 1.3 was never offered and weak suites were (found by openssl s_client, 7 December 2026).
scripts/deploy-check.sh proves the handshakes against a running nginx; this keeps the file so."""

import re
from pathlib import Path

CONF = Path(__file__).resolve().parent.parent / "deploy" / "nginx" / "carebridge.conf"


def _outside_servers(text: str) -> str:
    """The configuration with every `server { ... }` block (nested braces included) removed."""
    text = re.sub(r"#[^\n]*", "", text)
    kept, depth, i = [], 0, 0
    for found in re.finditer(r"\bserver\s*\{|\{|\}", text):
        if depth == 0 and found.group().startswith("server"):
            kept.append(text[i : found.start()])
            depth = 1
        elif depth and found.group() == "{":
            depth += 1
        elif depth and found.group() == "}":
            depth -= 1
            if depth == 0:
                i = found.end()
    kept.append(text[i:] if depth == 0 else "")
    return "".join(kept)


def _directive(text: str, name: str) -> list[list[str]]:
    return [m.group(1).split() for m in re.finditer(rf"\b{name}\s+([^;]+);", text)]


def test_tls_versions_are_set_for_every_server_and_are_only_1_2_and_1_3():
    outside = _outside_servers(CONF.read_text())
    assert _directive(outside, "ssl_protocols") == [["TLSv1.2", "TLSv1.3"]]
    # And no server block sets its own, which nginx would ignore for the version it settles.
    assert len(_directive(re.sub(r"#[^\n]*", "", CONF.read_text()), "ssl_protocols")) == 1


def test_tls_1_2_suites_are_forward_secret_aead_only():
    (ciphers,) = _directive(_outside_servers(CONF.read_text()), "ssl_ciphers")
    suites = ciphers[0].split(":")
    assert suites, "no suites"
    for suite in suites:
        assert suite.startswith(("ECDHE-", "DHE-")), f"{suite}: no forward secrecy"
        assert suite.endswith(("GCM-SHA256", "GCM-SHA384", "CHACHA20-POLY1305")), suite


def test_the_outside_reader_drops_server_blocks_with_nested_braces():
    text = "a 1;\nserver { b 2; location / { c 3; } }\nd 4;\n"
    assert _outside_servers(text).split() == ["a", "1;", "d", "4;"]
