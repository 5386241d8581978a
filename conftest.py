"""The shared personas of every test (STYLE.md): a council officer, a provider that works for two
councils, another provider, another council and an anonymous visitor, built once per test by
`tests.support.make_personas`. Log them in with `tests.support.client_for(user)`.

A module's own fixture of the same name (a `world`, a `council`) takes precedence over these."""

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from carebridge.accounts.models import User
    from tests.support import Personas, TwoCouncilProvider


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty cache: rate-limit counts and the once-a-run marks of
    periodic work (core.periodic) would otherwise carry over between the tests of one process.
    Only the in-memory cache the suite uses: a Redis someone points the tests at is left alone."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    if isinstance(caches["default"], LocMemCache):
        caches["default"].clear()


@pytest.fixture
def loopback_allowed(settings) -> None:
    """The peers a test runs (the simulator of councils' systems, a CRM, an identity provider)
    listen on 127.0.0.1, which the address guard (core.outbound) refuses unless this is on."""
    settings.OUTBOUND_ALLOW_LOOPBACK = True


@pytest.fixture
def empty_huey():
    """No task another test left queued runs in this one, and none of this test's is left."""
    from huey.contrib.djhuey import HUEY

    HUEY.flush()
    yield
    HUEY.flush()


@pytest.fixture
def two_council_provider(db) -> "TwoCouncilProvider":
    """A module that freezes the clock asks for its clock fixture first."""
    from tests.support import make_two_council_provider

    return make_two_council_provider()


@pytest.fixture
def personas(two_council_provider: "TwoCouncilProvider") -> "Personas":
    from tests.support import make_personas

    return make_personas(two_council_provider)


@pytest.fixture
def council_officer(personas: "Personas") -> "User":
    return personas.officer


@pytest.fixture
def provider_user(personas: "Personas") -> "User":
    return personas.provider_user


@pytest.fixture
def other_provider_user(personas: "Personas") -> "User":
    return personas.other_provider_user


@pytest.fixture
def other_council_officer(personas: "Personas") -> "User":
    return personas.other_council_officer


@pytest.fixture
def anonymous() -> None:
    return None


# The EICAR test file, in two parts so the repository holds no file a scanner would flag.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


@pytest.fixture(scope="session")
def clamd(tmp_path_factory: pytest.TempPathFactory):
    """A real clamd of our own (Debian's clamav-daemon), on a unix socket in a temporary
    directory, whose only signature is the EICAR test file's (no download of the official
    signatures). Yields its address for CLAMD_ADDRESS; skips when clamd is not installed (CI
    installs it, so CI never skips)."""
    import hashlib
    import os
    import shutil
    import socket
    import subprocess
    import time

    binary = shutil.which("clamd") or "/usr/sbin/clamd"
    if not os.path.exists(binary):
        pytest.skip("clamd is not installed (apt-get install clamav-daemon)")
    root = tmp_path_factory.mktemp("clamd")
    database = root / "db"
    database.mkdir()
    (database / "eicar.hdb").write_text(
        f"{hashlib.md5(EICAR).hexdigest()}:{len(EICAR)}:Carebridge.Test.EICAR\n"  # noqa: S324
    )
    sock = root / "clamd.sock"
    conf = root / "clamd.conf"
    conf.write_text(
        f"LocalSocket {sock}\nForeground yes\nDatabaseDirectory {database}\n"
        f"TemporaryDirectory {root}\nLogFile {root / 'clamd.log'}\nPidFile {root / 'clamd.pid'}\n"
        "StreamMaxLength 50M\nMaxThreads 2\n"
    )
    process = subprocess.Popen(  # noqa: S603
        [binary, "--config-file", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            message = process.stderr.read().decode() if process.stderr else ""
            pytest.fail(f"clamd did not start: {message[-2000:]}")
        try:
            with socket.socket(socket.AF_UNIX) as probe:
                probe.connect(str(sock))
                probe.sendall(b"zPING\0")
                if probe.recv(16).startswith(b"PONG"):
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("clamd did not answer within 60 seconds")
        time.sleep(0.1)
    try:
        yield f"unix://{sock}"
    finally:
        process.terminate()
        process.wait(timeout=10)
