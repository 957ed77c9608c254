"""The pytest plugin: ``pytest --pyargs convspec.conformance --conv-backend TARGET``.

Registered through the ``pytest11`` entry point, so pytest loads it in every
run of every project; it therefore only adds options (and a report header when
``--conv-backend`` is given) and changes nothing else.  The tests live in
`convspec.conformance.test_suite`, one test per property, so ``-k``,
``-x`` and ``-n`` (pytest-xdist: each worker process builds its own session)
work as usual.  Without ``--conv-backend`` those tests skip.
"""

from __future__ import annotations

from .profiles import PROFILES


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


def pytest_report_header(config) -> str | None:
    target = config.getoption("--conv-backend", default=None)
    if not target:
        return None
    return (f"convspec: backend {target}, profile {config.getoption('--conv-profile')}, "
            f"seed {config.getoption('--conv-seed')}")
