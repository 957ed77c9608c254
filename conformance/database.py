"""The example database: failing examples are kept and replayed first on the next run.

Hypothesis stores the choices behind every failing example under a key
derived from the test function.  All properties share one test body, so the
harness prefixes each key with ``backend identity | property id`` before it
reaches the directory database under ``CACHE_DIR/hypothesis``: each (backend,
property) pair replays its own failures and nothing else.  Deleting the
directory forgets every stored example.
"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase


class NamespacedDatabase(ExampleDatabase):
    """An example database that prefixes every key with a fixed namespace."""

    def __init__(self, inner: ExampleDatabase, namespace: str) -> None:
        super().__init__()
        self.inner = inner
        self.prefix = namespace.encode() + b"\x00"

    def save(self, key: bytes, value: bytes) -> None:
        self.inner.save(self.prefix + key, value)

    def fetch(self, key: bytes):
        return self.inner.fetch(self.prefix + key)

    def delete(self, key: bytes, value: bytes) -> None:
        self.inner.delete(self.prefix + key, value)

    def move(self, src: bytes, dest: bytes, value: bytes) -> None:
        self.inner.move(self.prefix + src, self.prefix + dest, value)

    def __repr__(self) -> str:
        return f"NamespacedDatabase({self.inner!r}, {self.prefix[:-1].decode()!r})"


def namespaced_database(cache_dir: str | os.PathLike, namespace: str) -> NamespacedDatabase:
    """The directory database under ``cache_dir/hypothesis``, restricted to ``namespace``."""
    return NamespacedDatabase(DirectoryBasedExampleDatabase(Path(cache_dir) / "hypothesis"), namespace)
