"""Hypothesis strategies shared by convspec's own tests.

Every draw carries a label, so a falsifying example reads as a list of named
choices (``m rows``, ``stride rows``, ``M values``, ...).  Sizes are kept small
because the exact oracle evaluates Eq 2 with rational arithmetic.

Geometry (Eq 1): an input of shape ``(m, n)``, a kernel that fits in it
(VA3), and a stride ``(sx, sy)`` that may exceed the input's size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from convspec.conformance.strategies import Geometry
from convspec.spec import ADMITTED_DTYPES

ADMITTED = tuple(np.dtype(name) for name in ADMITTED_DTYPES)
INTEGER_DTYPES = tuple(d for d in ADMITTED if d.kind in "iu")
FLOAT_DTYPES = tuple(d for d in ADMITTED if d.kind == "f")
COMPLEX_DTYPES = tuple(d for d in ADMITTED if d.kind == "c")
INEXACT_DTYPES = FLOAT_DTYPES + COMPLEX_DTYPES

#: Memory layouts of one logical array (IN4).
LAYOUTS = ("C", "F", "strided", "reversed", "readonly")


@st.composite
def geometries(draw, max_side: int = 7, max_kernel: int = 4, max_stride: int = 4) -> Geometry:
    """A valid geometry: ``1 <= m' <= m``, ``1 <= n' <= n``, strides in ``[1, max_stride]``."""
    m = draw(st.integers(1, max_side), label="m rows")
    n = draw(st.integers(1, max_side), label="n columns")
    mk = draw(st.integers(1, min(m, max_kernel)), label="kernel rows")
    nk = draw(st.integers(1, min(n, max_kernel)), label="kernel columns")
    sx = draw(st.integers(1, max_stride), label="stride rows")
    sy = draw(st.integers(1, max_stride), label="stride columns")
    return Geometry((m, n), (mk, nk), (sx, sy))


def finite_elements(dtype: np.dtype, *, magnitude: float | None = None) -> st.SearchStrategy:
    """Finite values of ``dtype``; floats bounded by ``magnitude`` when given.

    Subnormals are allowed for floating dtypes, so the exact arithmetic meets
    them too.
    """
    dtype = np.dtype(dtype)
    if dtype.kind in "iu":
        return hnp.from_dtype(dtype)
    kwargs = dict(allow_nan=False, allow_infinity=False, allow_subnormal=True)
    if magnitude is not None:
        kwargs.update(min_value=-magnitude, max_value=magnitude)
    if dtype.kind == "c":
        part = np.dtype(f"f{dtype.itemsize // 2}")
        real = st.floats(width=part.itemsize * 8, **kwargs)
        return st.builds(complex, real, real)
    return st.floats(width=dtype.itemsize * 8, **kwargs)


def small_integers(dtype: np.dtype, bound: int = 100) -> st.SearchStrategy:
    """Integers of ``dtype`` in ``[-bound, bound]`` (or ``[0, bound]`` if unsigned)."""
    info = np.iinfo(dtype)
    return st.integers(max(info.min, -bound), min(info.max, bound))


@st.composite
def arrays(draw, dtype, shape: tuple[int, int], elements: st.SearchStrategy | None = None,
           *, label: str = "array") -> np.ndarray:
    """A C-contiguous array of ``dtype`` and ``shape``."""
    dtype = np.dtype(dtype)
    elements = finite_elements(dtype) if elements is None else elements
    return draw(hnp.arrays(dtype, shape, elements=elements), label=label)


@dataclass(frozen=True)
class Problem:
    """Valid arguments of one call."""

    M: np.ndarray
    K: np.ndarray
    stride: tuple[int, int]


@st.composite
def problems(draw, m_dtypes=ADMITTED, k_dtypes=None, *, max_side: int = 7, max_kernel: int = 4,
             max_stride: int = 4, magnitude: float | None = None) -> Problem:
    """A valid problem with finite values; ``k_dtypes`` defaults to ``m_dtypes``."""
    geometry = draw(geometries(max_side, max_kernel, max_stride), label="geometry")
    m_dtype = draw(st.sampled_from(m_dtypes), label="M dtype")
    k_dtype = draw(st.sampled_from(m_dtypes if k_dtypes is None else k_dtypes), label="K dtype")
    M = draw(arrays(m_dtype, geometry.m_shape, finite_elements(m_dtype, magnitude=magnitude),
                    label="M values"), label="M")
    K = draw(arrays(k_dtype, geometry.k_shape, finite_elements(k_dtype, magnitude=magnitude),
                    label="K values"), label="K")
    return Problem(M, K, geometry.stride)


def with_layout(base: np.ndarray, layout: str) -> np.ndarray:
    """A new array equal to ``base`` element for element, stored in ``layout``.

    ``"C"`` and ``"F"`` are contiguous copies; ``"strided"`` is a view taking
    every other element of a larger buffer on both axes; ``"reversed"`` is a
    view with negative strides on both axes; ``"readonly"`` is a C copy whose
    write flag is cleared.
    """
    if layout == "C":
        return base.copy(order="C")
    if layout == "F":
        return base.copy(order="F")
    if layout == "strided":
        rows, cols = base.shape
        big = np.zeros((2 * rows, 2 * cols), dtype=base.dtype)
        big[::2, ::2] = base
        return big[::2, ::2]
    if layout == "reversed":
        return base[::-1, ::-1].copy()[::-1, ::-1]
    if layout == "readonly":
        view = base.copy()
        view.flags.writeable = False
        return view
    raise ValueError(f"unknown layout {layout!r}")


@st.composite
def laid_out(draw, base: np.ndarray, *, label: str = "layout") -> np.ndarray:
    """``base`` in a drawn memory layout."""
    return with_layout(base, draw(st.sampled_from(LAYOUTS), label=label))


@st.composite
def special_floats(draw, dtype, shape: tuple[int, int], *, label: str = "array",
                   magnitude: float = 1e3) -> np.ndarray:
    """A float array of small finite values in which some elements are NaN or +-inf.

    Zeros of both signs are likely too, so ``0 * inf`` occurs.
    """
    dtype = np.dtype(dtype)
    finite = st.one_of(
        st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.0]),
        st.floats(-magnitude, magnitude, width=dtype.itemsize * 8),
    )
    special = st.sampled_from([np.nan, np.inf, -np.inf])
    values = draw(st.lists(st.one_of(finite, finite, special), min_size=shape[0] * shape[1],
                           max_size=shape[0] * shape[1]), label=f"{label} values")
    return np.array(values, dtype=dtype).reshape(shape)
