"""Window geometry of the layer: which input element feeds which output, per spatial axis.

This module is the single owner of that question.  The exact oracle, the error
model, the harness's oracle and the fast reference all read it from here.

Along one spatial axis of an input of length ``i``, with kernel extent ``k``,
stride ``s``, dilation ``d`` and padding ``(lo, hi)`` (StableHLO's
``pad → window → dot`` form):

* the padded input has ``padded = lo + i + hi`` elements; a negative ``lo`` or
  ``hi`` crops that many elements from that side (CV-PD1);
* element ``p`` of the padded input is input element ``p - lo`` when
  ``0 <= p - lo < i``, and a zero otherwise;
* the dilated window spans ``k_eff = (k - 1)·d + 1`` padded elements, and its
  tap ``a`` sits at offset ``a·d`` (the holes between taps are not read);
* the window of output ``j`` starts at ``j·s``, so output ``j`` reads, through
  tap ``a``, padded element ``j·s + a·d``: input element ``j·s + a·d - lo``;
* there are ``⌊(padded − k_eff)/s⌋ + 1`` outputs, or none when ``padded <= 0``
  or ``k_eff > padded`` (CV-SH1).

Read backwards (the gradients and the transposed convolution), input element
``u`` is fed by the pairs ``(j, a)`` with ``j·s + a·d − lo = u``, ``0 <= a < k``
and ``0 <= j < count`` (``count`` is the number of outputs, or of the
transposed convolution's inputs): `Axis.feeders`.  Elements with no pair, the
cropped ones, the ``remainder`` past the last window and the ones skipped by a
stride larger than the dilation, get no term at all.

``SAME_UPPER`` and ``SAME_LOWER`` (CV-PD2) choose the pads that give
``⌈i/s⌉`` outputs: ``total = max((⌈i/s⌉ − 1)·s + k_eff − i, 0)``, split with
the odd element at the end (UPPER) or at the start (LOWER).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Iterator, Sequence

import numpy as np

#: The padding names of CV-PD2.
PADDING_MODES = ("VALID", "SAME_UPPER", "SAME_LOWER")


@dataclass(frozen=True)
class Axis:
    """One spatial axis of a convolution (see the module docstring)."""

    size: int
    kernel: int
    stride: int = 1
    dilation: int = 1
    lo: int = 0
    hi: int = 0

    @property
    def padded(self) -> int:
        """``lo + i + hi``: the length after padding (negative pads crop)."""
        return self.lo + self.size + self.hi

    @property
    def k_eff(self) -> int:
        """``(k − 1)·d + 1``: the span of the dilated window."""
        return (self.kernel - 1) * self.dilation + 1

    @property
    def out(self) -> int:
        """The number of windows along this axis (CV-SH1)."""
        if self.padded <= 0 or self.k_eff > self.padded:  # checks: CV-SH1, CV-SH2
            return 0
        return (self.padded - self.k_eff) // self.stride + 1  # checks: CV-SH1

    @property
    def remainder(self) -> int:
        """``(padded − k_eff) mod s``: padded elements past the last window (0 without windows)."""
        return (self.padded - self.k_eff) % self.stride if self.out else 0

    def source(self, j: int, a: int) -> int:
        """The input index that output ``j`` reads through tap ``a`` (may lie in the padding)."""
        return j * self.stride + a * self.dilation - self.lo

    def reads(self, j: int, a: int) -> bool:
        """True when output ``j``'s tap ``a`` reads an input element, not a padding zero."""
        return 0 <= self.source(j, a) < self.size

    def tap(self, a: int, count: int | None = None) -> slice:
        """The padded positions read by tap ``a`` for outputs ``0 … count − 1`` (default ``out``)."""
        count = self.out if count is None else count
        start = a * self.dilation
        return slice(start, start + self.stride * (count - 1) + 1, self.stride)

    def feeders(self, u: int, count: int | None = None) -> list[tuple[int, int]]:
        """The pairs ``(j, a)`` with ``j·s + a·d − lo = u``, ``0 <= a < k``, ``0 <= j < count``.

        ``count`` defaults to ``out``; the transposed convolution passes its
        input length instead.
        """
        count = self.out if count is None else count
        found = []
        for a in range(self.kernel):
            q = u + self.lo - a * self.dilation
            if q >= 0 and q % self.stride == 0 and q // self.stride < count:
                found.append((q // self.stride, a))
        return found

    def feeder_counts(self, count: int | None = None) -> np.ndarray:
        """``len(feeders(u, count))`` for every input element ``u``."""
        return np.array([len(self.feeders(u, count)) for u in range(self.size)], dtype=np.int64)


@dataclass(frozen=True)
class Geometry:
    """The axes of one problem, spatial axis 0 first."""

    axes: tuple[Axis, ...]

    @property
    def rank(self) -> int:
        return len(self.axes)

    @property
    def out_shape(self) -> tuple[int, ...]:
        return tuple(axis.out for axis in self.axes)

    @property
    def kernel_shape(self) -> tuple[int, ...]:
        return tuple(axis.kernel for axis in self.axes)

    @property
    def padding(self) -> tuple[tuple[int, int], ...]:
        return tuple((axis.lo, axis.hi) for axis in self.axes)

    def taps(self) -> Iterator[tuple[int, ...]]:
        """Every kernel tap (a multi-index), in C order."""
        return iter(np.ndindex(*self.kernel_shape))

    def tap_slices(self, tap: Sequence[int], counts: Sequence[int] | None = None) -> tuple[slice, ...]:
        """The spatial slices of the padded input that ``tap`` reads for all outputs (or ``counts``)."""
        counts = self.out_shape if counts is None else counts
        return tuple(axis.tap(a, c) for axis, a, c in zip(self.axes, tap, counts))

    def window(self, j: Sequence[int]) -> tuple[slice, ...]:
        """The spatial slices of the padded input forming output ``j``'s dilated window."""
        return tuple(slice(jj * axis.stride, jj * axis.stride + axis.k_eff, axis.dilation)
                     for axis, jj in zip(self.axes, j))

    def padded_index(self, j: Sequence[int], a: Sequence[int]) -> tuple[int, ...]:
        """The padded position ``j·s + a·d`` that output ``j`` reads through tap ``a``."""
        return tuple(jj * axis.stride + aa * axis.dilation for axis, jj, aa in zip(self.axes, j, a))

    def feeders(self, u: Sequence[int], counts: Sequence[int] | None = None
                ) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
        """Every ``(j, a)`` (multi-indices) feeding input element ``u``, axis by axis."""
        counts = self.out_shape if counts is None else counts
        per_axis = [axis.feeders(uu, c) for axis, uu, c in zip(self.axes, u, counts)]
        return [(tuple(p[0] for p in combo), tuple(p[1] for p in combo))
                for combo in itertools.product(*per_axis)]

    def feeder_counts(self, counts: Sequence[int] | None = None) -> np.ndarray:
        """The number of ``(j, a)`` pairs feeding each input element, shape ``S``."""
        counts = self.out_shape if counts is None else counts
        total = np.ones((), dtype=np.int64)
        for axis, c in zip(self.axes, counts):
            total = np.multiply.outer(total, axis.feeder_counts(c))
        return total

    def pad(self, x: np.ndarray) -> np.ndarray:
        """``x`` (spatial axes last) padded with zeros of its dtype, or cropped where a pad is negative."""
        lead = x.ndim - self.rank
        grow = [(0, 0)] * lead + [(max(ax.lo, 0), max(ax.hi, 0)) for ax in self.axes]
        padded = np.pad(x, grow, mode="constant", constant_values=np.zeros((), x.dtype))
        crop = [slice(None)] * lead + [slice(max(-ax.lo, 0), padded.shape[lead + n] - max(-ax.hi, 0))
                                       for n, ax in enumerate(self.axes)]
        return padded[tuple(crop)]

    def unpad(self, xp: np.ndarray, spatial: Sequence[int] | None = None) -> np.ndarray:
        """The adjoint of `pad`: padded-length values (spatial axes last) back on the input.

        Input element ``u`` takes padded element ``u + lo``; elements a negative
        pad cropped get zeros.  ``xp``'s spatial lengths are ``max(padded, 0)``.
        """
        lead = xp.ndim - self.rank
        spatial = tuple(ax.size for ax in self.axes) if spatial is None else tuple(spatial)
        out = np.zeros(xp.shape[:lead] + spatial, dtype=xp.dtype)
        dst, src = [slice(None)] * lead, [slice(None)] * lead
        for ax, size in zip(self.axes, spatial):
            u0, u1 = max(0, -ax.lo), min(size, size + ax.hi)
            if u1 <= u0:
                return out
            dst.append(slice(u0, u1))
            src.append(slice(u0 + ax.lo, u1 + ax.lo))
        out[tuple(dst)] = xp[tuple(src)]
        return out


def same_pads(size: int, kernel: int, stride: int, dilation: int, mode: str) -> tuple[int, int]:
    """``(lo, hi)`` of ``SAME_UPPER`` / ``SAME_LOWER`` (CV-PD2); ``VALID`` is ``(0, 0)``."""
    if mode == "VALID":
        return 0, 0
    k_eff = (kernel - 1) * dilation + 1
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + k_eff - size, 0)  # checks: CV-PD2
    small, large = total // 2, total - total // 2
    return (small, large) if mode == "SAME_UPPER" else (large, small)  # checks: CV-PD2


def geometry(spatial: Sequence[int], kernel: Sequence[int], stride: Sequence[int],
             dilation: Sequence[int], padding: Sequence[tuple[int, int]]) -> Geometry:
    """The `Geometry` of a problem whose padding is already a tuple of pairs."""
    return Geometry(tuple(Axis(int(i), int(k), int(s), int(d), int(lo), int(hi))
                          for i, k, s, d, (lo, hi) in zip(spatial, kernel, stride, dilation, padding)))


def transposed_size(size: int, kernel: int, stride: int, dilation: int, lo: int, hi: int,
                    output_padding: int) -> int:
    """The transposed convolution's output length ``s·(i − 1) + (k − 1)·d + 1 + output_padding − lo − hi``.

    The layer read forwards with this input length, the same kernel and pads has
    ``i + ⌊output_padding / s⌋`` outputs and remainder ``output_padding mod s``
    (when ``i >= 1``).
    """
    return stride * (size - 1) + (kernel - 1) * dilation + 1 + output_padding - lo - hi  # checks: TC-SH1
