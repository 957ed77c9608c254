"""Known-deviation files: failures a backend declares up front, each pinned to one example.

The file is TOML (read with `tomllib`) holding an array of tables
``[[deviation]]``::

    schema = "convspec-known/1"          # optional

    [[deviation]]
    property = "special.nf1"             # a property id (convspec check --list-properties)
    reason = "inf * 0 gives 0 in the vendor library"

    [deviation.example]                  # the pinned call, written as literals
    M = [[1.0, "inf"], [0.0, 2.0]]
    K = [[0.0]]
    stride = [1, 1]
    dtype = "float32"                    # or M_dtype and K_dtype
    layout = ["C", "C"]                  # optional, default C and C

    [deviation.filter]                   # optional
    dtypes = ["float16"]                 # generated inputs with M or K of these dtypes
    layouts = ["strided"]                # or these layouts are left out of the search

Array elements are TOML integers or floats, or strings for values TOML cannot
write exactly: ``"nan"``, ``"inf"``, ``"-inf"``, ``"-0.0"``, hexadecimal floats
(``"0x1.8p+1"``, see `float.fromhex`), integers beyond 64-bit signed
range (``"18446744073709551615"``) and complex numbers (``"1+2j"``).

Semantics, per entry:

* the pinned example is always run through the property's check; if it still
  fails, the deviation is confirmed and the property reports ``known``; if it
  now passes, the entry is *stale*: the property reports ``fail`` with the kind
  ``stale known deviation`` (the deviation is gone, so the entry must go too);
* without a filter the entry covers the whole property, which is then not
  searched;
* with a filter, the generated inputs it names are left out of the search and
  everything else is searched as usual, so a new failure still fails.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .cases import LAYOUTS, Case

SCHEMA = "convspec-known/1"


@dataclass(frozen=True)
class KnownDeviation:
    """One entry of a known-deviation file."""

    property: str
    reason: str
    case: Case
    dtypes: frozenset[str] | None = None
    layouts: frozenset[str] | None = None
    source: str = ""

    @property
    def filtered(self) -> bool:
        """True when the entry covers only part of the property's inputs."""
        return self.dtypes is not None or self.layouts is not None

    def as_dict(self) -> dict[str, Any]:
        return {"property": self.property, "reason": self.reason, "source": self.source,
                "problem": self.case.descriptor(),
                "filter": None if not self.filtered else {
                    "dtypes": sorted(self.dtypes) if self.dtypes is not None else None,
                    "layouts": sorted(self.layouts) if self.layouts is not None else None}}


def _element(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in ("nan", "inf", "+inf", "-inf", "-0.0", "0.0", "-nan"):
            return float(text)
        if text.lower().lstrip("+-").startswith("0x"):
            return float.fromhex(text)
        if text.endswith("j"):
            return complex(text)
        return int(text)
    return value


def _array(value: Any, dtype: str, where: str) -> np.ndarray:
    if not isinstance(value, list) or not all(isinstance(row, list) for row in value):
        raise ValueError(f"{where}: expected a list of rows (a 2-D array)")
    rows = [[_element(v) for v in row] for row in value]
    try:
        return np.array(rows, dtype=np.dtype(dtype))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{where}: cannot build a {dtype} array: {exc}") from exc


def _entry(raw: dict[str, Any], where: str, known_ids: set[str]) -> KnownDeviation:
    missing = [key for key in ("property", "reason", "example") if key not in raw]
    if missing:
        raise ValueError(f"{where}: missing {', '.join(missing)}")
    prop = raw["property"]
    if prop not in known_ids:
        raise ValueError(f"{where}: unknown property {prop!r}")
    ex = raw["example"]
    m_dtype = ex.get("M_dtype", ex.get("dtype"))
    k_dtype = ex.get("K_dtype", ex.get("dtype"))
    if m_dtype is None or k_dtype is None or "M" not in ex or "K" not in ex or "stride" not in ex:
        raise ValueError(f"{where}: the example needs M, K, stride and dtype (or M_dtype and K_dtype)")
    stride = ex["stride"]
    stride = tuple(stride) if isinstance(stride, list) and len(stride) == 2 else stride
    layout = tuple(ex.get("layout", ("C", "C")))
    if len(layout) != 2 or any(lay not in LAYOUTS for lay in layout):
        raise ValueError(f"{where}: layout must be two of {', '.join(LAYOUTS)}")
    case = Case(_array(ex["M"], m_dtype, f"{where}.example.M"), _array(ex["K"], k_dtype, f"{where}.example.K"),
                stride, layout)
    filt = raw.get("filter", {})
    unknown = set(filt) - {"dtypes", "layouts"}
    if unknown:
        raise ValueError(f"{where}: unknown filter keys {sorted(unknown)}")
    dtypes = frozenset(np.dtype(d).name for d in filt["dtypes"]) if "dtypes" in filt else None
    layouts = frozenset(filt["layouts"]) if "layouts" in filt else None
    return KnownDeviation(prop, str(raw["reason"]), case, dtypes, layouts, where)


def load_known(path: str | Path, property_ids: set[str]) -> list[KnownDeviation]:
    """Parse a known-deviation file; ``ValueError`` names the first problem found."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read known-deviation file {path}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path} is not valid TOML: {exc}") from exc
    schema = data.get("schema", SCHEMA)
    if schema != SCHEMA:
        raise ValueError(f"{path}: unsupported schema {schema!r}; expected {SCHEMA!r}")
    entries = data.get("deviation", [])
    if not isinstance(entries, list):
        raise ValueError(f"{path}: 'deviation' must be an array of tables ([[deviation]])")
    return [_entry(raw, f"{path.name}:deviation[{i}]", property_ids) for i, raw in enumerate(entries)]
