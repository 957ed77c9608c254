"""Assertion helpers for convspec's own tests.

Two arrays are *identical* here when they have the same type, shape and dtype and
every element matches bit for bit in value: NaN matches NaN (of any payload), and
zeros match only when their signs agree.  A failure names the first differing
element in the form ``out[i, j]=..., but should be ...`` so the report reads as a
sentence about the output.

:func:`assert_refused` checks the error contract of the specification: the
exception class is exactly the promised one (a ``TypeError`` that is not also a
``ValueError``, or the reverse), the message starts with ``[ID]``, and it names
the offending value.

:func:`implementation` resolves the implementations under test by name, so a
parametrised test can run against the oracle and the reference alike.
"""

from __future__ import annotations

import importlib
import math

import numpy as np
import pytest

#: The implementations whose error contract the negative tests check.
IMPLEMENTATIONS = ("spec", "reference")


def implementation(name: str):
    """The ``conv2d`` callable of ``convspec.<name>`` (imported when first needed)."""
    return importlib.import_module(f"convspec.{name}").conv2d


def format_scalar(value) -> str:
    """A short text for one element that keeps the sign of zeros and NaN visible."""
    if isinstance(value, (np.floating, float)):
        f = float(value)
        if f == 0:
            return "-0.0" if math.copysign(1.0, f) < 0 else "0.0"
        return repr(f)
    if isinstance(value, (np.complexfloating, complex)):
        z = complex(value)
        return f"complex({format_scalar(z.real)}, {format_scalar(z.imag)})"
    if isinstance(value, np.generic):
        return repr(value.item())
    return repr(value)


def _same_real(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def same_scalar(a, b) -> bool:
    """True when two elements are identical: NaN matches NaN, zeros match by sign."""
    if isinstance(a, (np.complexfloating, complex)) or isinstance(b, (np.complexfloating, complex)):
        za, zb = complex(a), complex(b)
        return _same_real(za.real, zb.real) and _same_real(za.imag, zb.imag)
    if isinstance(a, (np.floating, float)) or isinstance(b, (np.floating, float)):
        return _same_real(float(a), float(b))
    return int(a) == int(b)


def mismatches(actual: np.ndarray, expected: np.ndarray) -> list[tuple[int, ...]]:
    """Indices (in C order) where two arrays of one shape differ."""
    return [idx for idx in np.ndindex(expected.shape) if not same_scalar(actual[idx], expected[idx])]


def _index_text(idx: tuple[int, ...]) -> str:
    return ", ".join(str(i) for i in idx)


def assert_identical(actual, expected: np.ndarray, *, name: str = "out") -> None:
    """Fail unless ``actual`` is an ndarray identical to ``expected`` (see module doc)."""
    assert isinstance(actual, np.ndarray) and not isinstance(actual, np.ma.MaskedArray), (
        f"{name} is a {type(actual).__name__}, but should be a numpy.ndarray"
    )
    assert actual.shape == expected.shape, (
        f"{name}.shape={actual.shape}, but should be {expected.shape}"
    )
    assert actual.dtype == expected.dtype, (
        f"{name}.dtype={actual.dtype}, but should be {expected.dtype}"
    )
    bad = mismatches(actual, expected)
    if bad:
        idx = bad[0]
        raise AssertionError(
            f"{name}[{_index_text(idx)}]={format_scalar(actual[idx])}, but should be "
            f"{format_scalar(expected[idx])} ({len(bad)} of {expected.size} elements differ)"
        )


def assert_element(actual, expected, idx: tuple[int, ...], *, name: str = "out") -> None:
    """Fail unless one element equals ``expected`` in the identical sense."""
    assert same_scalar(actual, expected), (
        f"{name}[{_index_text(idx)}]={format_scalar(actual)}, but should be {format_scalar(expected)}"
    )


def assert_refused(call, exc_type: type, clause_id: str, *fragments: str) -> BaseException:
    """Run ``call()`` and check it raises the clause error the specification promises.

    ``exc_type`` is ``TypeError``, ``ValueError`` or ``OverflowError``; the raised
    exception must be an instance of it and of none of the other two.  The
    message must start with ``[clause_id]`` and contain every fragment.
    """
    families = (TypeError, ValueError, OverflowError)
    with pytest.raises(Exception) as info:
        call()
    exc = info.value
    assert isinstance(exc, exc_type), (
        f"raised {type(exc).__name__}: {exc}, but should raise {exc_type.__name__} [{clause_id}]"
    )
    others = [f.__name__ for f in families if f is not exc_type and isinstance(exc, f)]
    assert not others, f"raised {type(exc).__name__}, which is also a {others}; should be only {exc_type.__name__}"
    message = str(exc)
    assert message.startswith(f"[{clause_id}]"), (
        f"message={message!r}, but should start with '[{clause_id}]'"
    )
    for fragment in fragments:
        assert fragment in message, f"message={message!r}, but should name {fragment!r}"
    return exc
