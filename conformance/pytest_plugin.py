"""The pytest plugin: ``pytest --pyargs convspec.conformance --conv-backend TARGET``.

Registered through the ``pytest11`` entry point, so pytest loads it in every
run of every project; it therefore only adds options (and a report header when
``--conv-backend`` is given) and changes nothing else.  The tests live in
`convspec.conformance.test_suite`, one test per property, so ``-k``,
``-x`` and ``-n`` (pytest-xdist: each worker process builds its own session)
work as usual.

The plugin acts only when those tests are collected (so it stays inert for
every other test run).  Then a backend is loaded once per test process,
before any test runs: a target that cannot be loaded is one usage error
(exit status 4).  Collecting the suite without ``--conv-backend`` is a usage
error too, so that a misconfigured CI job cannot go green with every test
skipped; ``--conv-allow-skip`` (or the environment variable
``CONVSPEC_ALLOW_SKIP=1``) makes those tests skip instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .profiles import PROFILES

_SUITE = Path(__file__).with_name("test_suite.py").resolve()
_SESSION = pytest.StashKey[object]()
ALLOW_SKIP_ENV = "CONVSPEC_ALLOW_SKIP"


def pytest_addoption(parser) -> None:
    group = parser.getgroup("convspec", "convspec conformance suite")
    group.addoption("--conv-backend", metavar="TARGET", default=None,
                    help="backend to check: 'package.module:attr', 'path/file.py:attr' or a bundled name")
    group.addoption("--conv-profile", choices=list(PROFILES), default="default",
                    help="convspec profile (default: %(default)s)")
    group.addoption("--conv-seed", type=int, default=0, help="convspec seed (default: %(default)s)")
    group.addoption("--conv-dtypes", default=None, metavar="DTYPES",
                    help="comma-separated subset of the claimed dtypes to check")
    group.addoption("--conv-known", default=None, metavar="FILE", help="known-deviation file (TOML)")
    group.addoption("--conv-timeout", type=float, default=None, metavar="SECONDS",
                    help="seconds one backend call may take (default: the claims')")
    group.addoption("--conv-isolation", choices=["subprocess", "inprocess"], default="subprocess",
                    help="run the backend in a worker process or in the test process (default: %(default)s)")
    group.addoption("--conv-cache-dir", default=".convspec", metavar="DIR",
                    help="example database directory; 'none' disables it (default: %(default)s)")
    group.addoption("--conv-allow-skip", action="store_true", default=False,
                    help=f"skip the suite when no --conv-backend is given (also: {ALLOW_SKIP_ENV}=1); "
                         "without it that is a usage error")


def _is_suite(item) -> bool:
    path = getattr(item, "path", None)
    try:
        return path is not None and Path(path).resolve() == _SUITE
    except OSError:
        return False


def allow_skip(config) -> bool:
    return bool(config.getoption("--conv-allow-skip", default=False)
                or os.environ.get(ALLOW_SKIP_ENV, "") not in ("", "0"))


def build_session(config):
    """The backend session of the plugin's options (raises ``pytest.UsageError`` on a bad option)."""
    from .backend import BackendLoadError
    from .runner import Session
    target = config.getoption("--conv-backend")
    dtypes = config.getoption("--conv-dtypes")
    cache = config.getoption("--conv-cache-dir")
    try:
        return Session(target, profile=config.getoption("--conv-profile"), seed=config.getoption("--conv-seed"),
                       dtypes=[d for d in dtypes.split(",") if d] if dtypes is not None else None,
                       known=config.getoption("--conv-known"), timeout=config.getoption("--conv-timeout"),
                       isolation=config.getoption("--conv-isolation"),
                       cache_dir=None if cache.lower() == "none" else cache)
    except (BackendLoadError, ValueError) as exc:
        raise pytest.UsageError(f"convspec: cannot check {target!r}: {exc}") from None


def _targets_suite(config) -> bool:
    """Whether the command line points at the suite (used where collection is not seen: the xdist controller)."""
    for arg in config.args:
        base = str(arg).split("::")[0]
        if getattr(config.option, "pyargs", False) and base in ("convspec.conformance",
                                                                 "convspec.conformance.test_suite"):
            return True
        try:
            if Path(base).exists() and Path(base).resolve() in (_SUITE, _SUITE.parent):
                return True
        except OSError:
            pass
    return False


def _require_backend(config) -> bool:
    """False when the suite is to skip; raises ``pytest.UsageError`` when it cannot run."""
    if config.getoption("--conv-backend", default=None):
        return True
    if allow_skip(config):
        return False
    raise pytest.UsageError(
        "convspec: the conformance suite was collected without a backend: pass --conv-backend TARGET "
        f"(or --conv-allow-skip, or {ALLOW_SKIP_ENV}=1, to skip it)")


@pytest.hookimpl(trylast=True)
def pytest_configure(config) -> None:
    """The pytest-xdist controller collects nothing itself: check the options there, before workers start."""
    controller = getattr(config.option, "dist", "no") != "no" and not hasattr(config, "workerinput")
    if controller and _targets_suite(config) and _require_backend(config):
        build_session(config).close()


def pytest_collection_finish(session) -> None:
    """Once the suite's tests are collected: load the backend, or refuse to run without one."""
    if not any(_is_suite(item) for item in session.items):
        return
    config = session.config
    if _require_backend(config):
        config.stash[_SESSION] = build_session(config)


def suite_session(config):
    """The session built at collection, or None when the suite skips."""
    return config.stash.get(_SESSION, None)


def pytest_sessionfinish(session) -> None:
    built = session.config.stash.get(_SESSION, None)
    if built is not None:
        del session.config.stash[_SESSION]
        built.close()


def pytest_report_header(config) -> str | None:
    target = config.getoption("--conv-backend", default=None)
    if not target:
        return None
    return (f"convspec: backend {target}, profile {config.getoption('--conv-profile')}, "
            f"seed {config.getoption('--conv-seed')}")
