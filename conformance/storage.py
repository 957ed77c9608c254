"""Where hypothesis keeps its own files during a run.

Besides the example database, hypothesis writes caches (such as the constants
it collects from the modules under test) under its home directory, by default
``.hypothesis`` in the current directory.  During a run the harness points
that home inside the cache directory (``CACHE_DIR/hypothesis-home``), or,
with the cache disabled, at a temporary directory removed afterwards, so a
run never leaves a ``.hypothesis`` folder in the user's directory.  The
previous home is restored when the run ends.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

from hypothesis import configuration

_HOME = "__hypothesis_home_directory"


@contextlib.contextmanager
def hypothesis_home(cache_dir: str | os.PathLike | None) -> Iterator[Path]:
    """Point hypothesis's home directory away from the current directory while the block runs."""
    previous = getattr(configuration, _HOME, None)
    scratch = None
    if cache_dir is None:
        scratch = home = Path(tempfile.mkdtemp(prefix="convspec-hypothesis-"))
    else:
        home = Path(cache_dir) / "hypothesis-home"
    configuration.set_hypothesis_home_dir(home)
    try:
        yield home
    finally:
        configuration.set_hypothesis_home_dir(previous)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
