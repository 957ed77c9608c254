"""Layer mutants: ``conv`` backends that each carry one realistic bug the harness must catch.

Every mutant is a ``conv(X, W, B=None, *, stride, padding, dilation, groups)``
wrapped in a :class:`~convspec.conformance.backend.Backend` (``op="conv"``)
whose claims are the ones such a library would publish: every rank, padding
form, dilation, groups, bias, empty outputs and zero-size inputs.  Each one
validates its arguments with :func:`convspec.spec.conv_problem` (so it raises
the specification's errors), computes CV-EQ1 correctly everywhere except where
its bug strikes, and passes the obvious smoke check (:func:`smoke_check`).

:data:`VIOLATES` maps each mutant to the CV- clauses its bug breaks.

Like :mod:`.mutants`, this module imports nothing from its own package, so a
worker process can load any mutant from ``path/to/layer_mutants.py:NAME``.
"""

from __future__ import annotations

import math
import os
from typing import Callable, Sequence

import numpy as np

from convspec import spec
from convspec.conformance.backend import Backend, Claims
from convspec.spec import conv_problem
from convspec.spec.geometry import geometry

#: Every layer mutant by name.
MUTANTS: dict[str, Backend] = {}
#: The clause ids each layer mutant violates.
VIOLATES: dict[str, tuple[str, ...]] = {}


def _mutant(*clauses: str, claims: Claims = Claims()):
    """Register the decorated function as a layer mutant violating ``clauses``."""
    def wrap(fn):
        name = fn.__name__
        backend = Backend(name=name, fn=fn, claims=claims, op="conv",
                          description=(fn.__doc__ or "").strip().splitlines()[0],
                          target=f"{os.path.abspath(__file__)}:{name}")
        MUTANTS[name] = backend
        VIOLATES[name] = clauses
        return backend
    return wrap


def direct(X: np.ndarray, W: np.ndarray, B: np.ndarray | None, stride: Sequence[int],
           pads: Sequence[tuple[int, int]], dilation: Sequence[int], groups: int, dtype,
           *, group_of: Callable[[int], int] | None = None,
           out_spatial: Sequence[int] | None = None) -> np.ndarray:
    """CV-EQ1 by shift-and-add, every operation in ``dtype``.

    For each group and each kernel tap, the strided slice of the padded input
    under that tap is multiplied by the tap's weights and summed over the
    group's input channels (NumPy's pairwise sum), then added to the output.
    Each output is thus a sum of its terms in some fixed order, each product
    and addition rounded to ``dtype`` (CV-AC1 with the output's own unit
    roundoff; integers wrap only when the exact result does not fit).  The
    padding zeros take part in the products (CV-PD3) and IEEE arithmetic keeps
    NaN and infinities inside their windows (CV-NF1, CV-NF2).

    ``group_of`` (the group of an output channel) and ``out_spatial`` (the
    output's spatial shape) default to the specification's; the mutants
    override them, or the geometry arguments, to plant their bugs.
    """
    dtype = np.dtype(dtype)
    d = X.ndim - 2
    N, C = X.shape[:2]
    O, Cg = W.shape[:2]
    Og = O // groups
    geo = geometry(X.shape[2:], W.shape[2:], stride, dilation, pads)
    spatial = tuple(geo.out_shape if out_spatial is None else out_spatial)
    Y = np.zeros((N, O, *spatial), dtype)
    fits = all(0 < n <= axis.out for n, axis in zip(spatial, geo.axes))
    if N and fits and Cg:
        Xp = geo.pad(X.astype(dtype, copy=False))
        Wc = W.astype(dtype, copy=False)
        owner = np.array([(o // Og) if group_of is None else group_of(o) for o in range(O)])
        with np.errstate(all="ignore"):
            for g in range(groups):
                outs = np.flatnonzero(owner == g)
                if not outs.size:
                    continue
                xs = Xp[:, g * Cg:(g + 1) * Cg]
                for tap in np.ndindex(*W.shape[2:]):
                    sl = tuple(slice(a * dd, a * dd + s * (n - 1) + 1, s)
                               for a, dd, s, n in zip(tap, dilation, stride, spatial))
                    part = xs[(slice(None), slice(None), *sl)]            # (N, Cg, *S)
                    w = Wc[(outs, slice(None), *tap)]                     # (Og, Cg)
                    w = w.reshape(w.shape + (1,) * d)
                    Y[:, outs] += (part[:, None] * w[None]).sum(axis=2)
    if B is not None and Y.size:
        with np.errstate(all="ignore"):
            Y += B.astype(dtype, copy=False).reshape((1, O) + (1,) * d)
    return Y


def _solve(p, **kw) -> np.ndarray:
    """``direct`` on a validated problem, with ``kw`` overriding its geometry or bias."""
    args = dict(X=p.X, W=p.W, B=p.B, stride=p.stride, pads=p.padding, dilation=p.dilation,
                groups=p.groups, dtype=p.out_dtype)
    args.update(kw)
    return direct(**args)


def _problem(X, W, B, stride, padding, dilation, groups):
    return conv_problem(X, W, B, stride=stride, padding=padding, dilation=dilation, groups=groups)


def correct(X, W, B=None, *, stride, padding, dilation, groups):
    """The layer without a bug (the base every mutant departs from)."""
    return _solve(_problem(X, W, B, stride, padding, dilation, groups))


# --- padding ------------------------------------------------------------------------------------

@_mutant("CV-PD1", "CV-PD2", "CV-EQ1")
def pads_swapped(X, W, B=None, *, stride, padding, dilation, groups):
    """Each axis is padded with its (lo, hi) pair read as (hi, lo).

    Bug class: the order of a padding pair.  ONNX lists pads as all the
    beginnings then all the ends, ``numpy.pad`` and StableHLO as one (before,
    after) pair per axis, and some APIs as (end, start); translating between
    them swaps the sides.  Symmetric padding, the common case, hides it; the
    output shape never changes.
    """
    p = _problem(X, W, B, stride, padding, dilation, groups)
    return _solve(p, pads=tuple((hi, lo) for lo, hi in p.padding))


@_mutant("CV-PD2", "CV-EQ1")
def same_upper_lower_swapped(X, W, B=None, *, stride, padding, dilation, groups):
    """SAME_UPPER and SAME_LOWER are exchanged: the odd padding element goes to the wrong side.

    Bug class: the naming of SAME modes.  TensorFlow's ``'SAME'`` puts the extra
    element at the end (ONNX's SAME_UPPER), Caffe-style and some cuDNN
    wrappers at the start; a table mapping one name to the other is easy to
    get backwards.  Only an odd total padding shows it.
    """
    if padding in ("SAME_UPPER", "SAME_LOWER"):
        padding = {"SAME_UPPER": "SAME_LOWER", "SAME_LOWER": "SAME_UPPER"}[padding]
    return correct(X, W, B, stride=stride, padding=padding, dilation=dilation, groups=groups)


def _named(p, rule: Callable[[int, int, int, int], int]) -> tuple[tuple[int, int], ...]:
    """SAME pads with the total padding of each axis given by ``rule(i, k_eff, s, out)``."""
    pads = []
    for i, k, s, dd in zip(p.X.shape[2:], p.W.shape[2:], p.stride, p.dilation):
        k_eff = (k - 1) * dd + 1
        total = max(rule(i, k_eff, s, math.ceil(i / s)), 0)
        small, large = total // 2, total - total // 2
        pads.append((small, large) if p.padding_name == "SAME_UPPER" else (large, small))
    return tuple(pads)


@_mutant("CV-PD2", "CV-SH1", "CV-EQ1")
def same_floor_out(X, W, B=None, *, stride, padding, dilation, groups):
    """SAME padding is sized for floor(i / s) outputs instead of ceil(i / s).

    Bug class: floor for ceil in the SAME formula.  Integer division is the
    natural way to write ``i / s`` in C or Python, and the result is right
    whenever the stride divides the input size (always at stride 1); otherwise
    the layer is padded one stride short and loses its last output.
    """
    p = _problem(X, W, B, stride, padding, dilation, groups)
    if p.padding_name not in ("SAME_UPPER", "SAME_LOWER"):
        return _solve(p)
    pads = _named(p, lambda i, k_eff, s, out: ((i // s) - 1) * s + k_eff - i)
    return _solve(p, pads=pads)


@_mutant("CV-PD2", "CV-SH1", "CV-EQ1")
def same_total_ignores_remainder(X, W, B=None, *, stride, padding, dilation, groups):
    """SAME total padding is computed as max(k_eff - s, 0), ignoring i mod s.

    Bug class: a special-case formula used generally.  TensorFlow documents the
    total as ``max(k - s, 0)`` when ``i % s == 0`` and ``max(k - i % s, 0)``
    otherwise; implementations that keep only the first branch pad wrongly
    whenever the stride does not divide the input size.
    """
    p = _problem(X, W, B, stride, padding, dilation, groups)
    if p.padding_name not in ("SAME_UPPER", "SAME_LOWER"):
        return _solve(p)
    return _solve(p, pads=_named(p, lambda i, k_eff, s, out: k_eff - s))


@_mutant("CV-PD1", "CV-SH1", "CV-EQ1")
def negative_pad_clamped(X, W, B=None, *, stride, padding, dilation, groups):
    """Negative pads are clamped to zero instead of cropping.

    Bug class: padding assumed non-negative.  ``numpy.pad`` refuses negative
    widths, so wrappers built on it write ``max(p, 0)``; the cropping that
    StableHLO and ONNX define for negative pads is silently dropped.
    """
    p = _problem(X, W, B, stride, padding, dilation, groups)
    return _solve(p, pads=tuple((max(lo, 0), max(hi, 0)) for lo, hi in p.padding))


@_mutant("CV-PD1", "CV-SH1", "CV-EQ1")
def negative_pad_abs(X, W, B=None, *, stride, padding, dilation, groups):
    """Negative pads are taken by magnitude: -1 pads one zero instead of cropping one element.

    Bug class: a sign lost in normalisation.  Code that parses padding
    strings or converts between conventions with ``abs`` (to "fix" a sign it
    did not expect) pads where it should crop.
    """
    p = _problem(X, W, B, stride, padding, dilation, groups)
    return _solve(p, pads=tuple((abs(lo), abs(hi)) for lo, hi in p.padding))


# --- dilation and stride ------------------------------------------------------------------------

@_mutant("CV-AT2", "CV-SH1", "CV-EQ1")
def dilation_ignored(X, W, B=None, *, stride, padding, dilation, groups):
    """The dilation argument is accepted and validated but not used: k_eff = k.

    Bug class: an attribute accepted for compatibility and ignored.  Early
    ONNX runtimes and several accelerator back ends took a ``dilations``
    attribute for signature compatibility and computed an undilated
    convolution.  The named paddings are still resolved with the dilation.
    """
    p = _problem(X, W, B, stride, padding, dilation, groups)
    return _solve(p, dilation=(1,) * p.rank)


@_mutant("CV-AT2", "CV-SH1")
def dilation_span_k_times_d(X, W, B=None, *, stride, padding, dilation, groups):
    """The dilated window is taken to span k·d elements instead of (k - 1)·d + 1.

    Bug class: an off-by-one in the effective kernel size.  ``k * d`` is an easy
    slip for ``(k - 1) * d + 1``; the taps are read at the right offsets, but the
    output is sized for the longer window and loses its last d - 1 positions
    (rounded to strides) along every dilated axis.
    """
    p = _problem(X, W, B, stride, padding, dilation, groups)
    spatial = tuple(max(0, (axis.padded - axis.kernel * axis.dilation) // axis.stride + 1)
                    if axis.padded >= axis.kernel * axis.dilation and axis.padded > 0 else 0
                    for axis in p.geometry.axes)
    return _solve(p, out_spatial=spatial)


@_mutant("CV-SH1", "CV-EQ1")
def strided_blocks_drop_tail(X, W, B=None, *, stride, padding, dilation, groups):
    """When the stride exceeds the window, outputs are taken from padded // s whole blocks.

    Bug class: a fast path for non-overlapping windows.  When ``s >= k_eff`` the
    windows do not overlap, and a reshape of the axis into blocks of ``s``
    (as pooling code does) is tempting; it counts ``padded // s`` outputs, one
    too few whenever the tail after the last whole block still holds a
    window.
    """
    p = _problem(X, W, B, stride, padding, dilation, groups)
    spatial = tuple(axis.padded // axis.stride if axis.stride > axis.k_eff and axis.out else axis.out
                    for axis in p.geometry.axes)
    return _solve(p, out_spatial=spatial)


# --- groups -------------------------------------------------------------------------------------

@_mutant("CV-AT3", "CV-EQ1")
def groups_read_group_zero(X, W, B=None, *, stride, padding, dilation, groups):
    """The weights of every group are applied to the input channels of group 0.

    Bug class: a missing channel offset.  A grouped convolution written as a
    loop over groups must slice ``X[:, g*C/g:(g+1)*C/g]``; forgetting the offset
    (or slicing with ``[:C/g]``) gives every group the first group's input.
    """
    p = _problem(X, W, B, stride, padding, dilation, groups)
    Cg = p.in_per_group
    X0 = np.concatenate([p.X[:, :Cg]] * p.groups, axis=1) if p.groups > 1 else p.X
    return _solve(p, X=X0)


@_mutant("CV-AT3", "CV-EQ1")
def groups_summed(X, W, B=None, *, stride, padding, dilation, groups):
    """Each output channel sums its weights over the channels of every group, not only its own.

    Bug class: a grouped (or depthwise) layer computed as a dense one.  Code
    that tiles the (O, C/g) weights to (O, C) to reuse a dense kernel
    connects every output to every group's input.
    """
    p = _problem(X, W, B, stride, padding, dilation, groups)
    if p.groups == 1:
        return _solve(p)
    return _solve(p, W=np.concatenate([p.W] * p.groups, axis=1), groups=1)


@_mutant("CV-AT3", "CV-EQ1")
def group_of_modulo(X, W, B=None, *, stride, padding, dilation, groups):
    """Output channel o is assigned to group o % groups instead of o // (O / groups).

    Bug class: interleaved instead of blocked channel groups.  Channel shuffles
    (ShuffleNet) and some memory formats interleave groups, and a kernel
    written for one layout gives the wrong group to every channel whenever
    each group has more than one output.
    """
    p = _problem(X, W, B, stride, padding, dilation, groups)
    return _solve(p, group_of=lambda o: o % p.groups)


@_mutant("CV-NF2")
def groups_as_block_diagonal(X, W, B=None, *, stride, padding, dilation, groups):
    """Groups are computed as one dense layer with block-diagonal weights (zeros off the blocks).

    Bug class: an algebraically exact rewrite that breaks IEEE locality.  A
    grouped layer equals a dense one whose weight matrix is zero outside the
    diagonal blocks, and some compilers lower it so; but an infinity or NaN
    in one group's input now meets those zeros and makes NaN in every other
    group's outputs.  Finite inputs give the right values.
    """
    p = _problem(X, W, B, stride, padding, dilation, groups)
    if p.groups == 1:
        return _solve(p)
    O, Cg = p.out_channels, p.in_per_group
    dense = np.zeros((O, p.in_channels) + p.W.shape[2:], p.W.dtype)
    for o in range(O):
        g = p.group_of(o)
        dense[o, g * Cg:(g + 1) * Cg] = p.W[o]
    return _solve(p, W=dense, groups=1)


# --- bias ---------------------------------------------------------------------------------------

@_mutant("CV-EQ1", "CV-RD1")
def bias_per_group(X, W, B=None, *, stride, padding, dilation, groups):
    """The bias is indexed by group instead of by output channel: channel o gets B[o // (O/g)].

    Bug class: a bias broadcast along the wrong axis.  Reshaping the output to
    (N, g, O/g, ...) for a grouped kernel and adding ``B[:g]`` there gives all
    channels of a group one bias value.
    """
    p = _problem(X, W, B, stride, padding, dilation, groups)
    if p.B is None:
        return _solve(p)
    return _solve(p, B=np.array([p.B[p.group_of(o)] for o in range(p.out_channels)], p.B.dtype))


@_mutant("CV-EQ1", "CV-RD1")
def bias_ignored(X, W, B=None, *, stride, padding, dilation, groups):
    """The bias argument is accepted (and its shape checked) but never added.

    Bug class: a dropped optional argument.  Wrappers that forward only the
    positional operands to a kernel lose ``bias=``; layers built without bias,
    the default in many networks, never notice.
    """
    p = _problem(X, W, B, stride, padding, dilation, groups)
    return _solve(p, B=None)


@_mutant("CV-EQ1", "CV-RD1")
def bias_added_twice(X, W, B=None, *, stride, padding, dilation, groups):
    """The bias is added twice: once by the kernel's epilogue and once more by the wrapper.

    Bug class: a fused epilogue applied on top of an explicit one.  cuDNN's
    ``ConvolutionBiasActivationForward`` adds the bias itself; a wrapper that
    also adds it afterwards doubles it.
    """
    p = _problem(X, W, B, stride, padding, dilation, groups)
    return _solve(p, B=None if p.B is None else 2 * p.B)


# --- empty outputs and zero-size inputs ---------------------------------------------------------

@_mutant("CV-SH2")
def empty_output_raises(X, W, B=None, *, stride, padding, dilation, groups):
    """An output with a zero-size axis is refused with ValueError, although empty outputs are claimed.

    Bug class: an overcautious shape check.  Many libraries raise "kernel size
    can't be greater than actual input size" (PyTorch's message) rather than
    return an empty result, which breaks callers that batch variable sizes.
    """
    p = _problem(X, W, B, stride, padding, dilation, groups)
    if 0 in p.geometry.out_shape:
        raise ValueError(f"kernel larger than the padded input: output would be {p.out_shape}")
    return _solve(p)


@_mutant("CV-SH1", "CV-SH2")
def output_size_not_clamped(X, W, B=None, *, stride, padding, dilation, groups):
    """The output size is ``(padded - k_eff) // s + 1`` without CV-SH1's "0 when k_eff > padded".

    Bug class: Eq L3 taken literally.  A window that overhangs the input by one
    element still gives 0, so the bug hides until it overhangs by two or more,
    where the size is negative and allocating the output raises.
    """
    p = _problem(X, W, B, stride, padding, dilation, groups)
    sizes = [(lo + n + hi - ((k - 1) * d + 1)) // s + 1
             for (lo, hi), n, k, d, s in zip(p.padding, p.X.shape[2:], p.W.shape[2:], p.dilation, p.stride)]
    np.zeros((p.X.shape[0], p.W.shape[0], *sizes), p.out_dtype)  # what the buggy kernel allocates
    return _solve(p)


@_mutant("CV-SH1", "CV-SH2")
def empty_output_is_one(X, W, B=None, *, stride, padding, dilation, groups):
    """A spatial axis that should have no output gets one (filled with the bias, or zero).

    Bug class: ``max(1, n)`` in the output size.  Frameworks that guard against
    zero-size allocations clamp every dimension to at least one, returning a
    made-up row instead of an empty result.
    """
    p = _problem(X, W, B, stride, padding, dilation, groups)
    spatial = p.geometry.out_shape
    if 0 not in spatial:
        return _solve(p)
    Y = np.zeros((p.batch, p.out_channels) + tuple(max(1, n) for n in spatial), p.out_dtype)
    if p.B is not None and Y.size:
        Y += p.B.astype(p.out_dtype).reshape((1, -1) + (1,) * p.rank)
    return Y


@_mutant("CV-SH2", "CV-EQ1")
def zero_channels_give_zeros(X, W, B=None, *, stride, padding, dilation, groups):
    """With C = 0 input channels the result is all zeros: the bias is never added.

    Bug class: an early return for empty sums.  "Nothing to sum, return
    zeros" is a natural shortcut, but each output of a layer with no input
    channels is its bias.
    """
    p = _problem(X, W, B, stride, padding, dilation, groups)
    if p.in_channels == 0:
        return np.zeros(p.out_shape, p.out_dtype)
    return _solve(p)


# --- rank-specific paths ------------------------------------------------------------------------

@_mutant("CV-EQ1", "CV-SH1")
def conv3d_swaps_axes(X, W, B=None, *, stride, padding, dilation, groups):
    """The 3-D path reads the stride, padding and dilation of the last two axes in the wrong order.

    Bug class: axis-order confusion confined to one rank.  A 3-D kernel written
    for (D, W, H) attribute order and called with (D, H, W) attributes is
    right whenever the last two axes share their attributes, which cubic
    examples always do.
    """
    p = _problem(X, W, B, stride, padding, dilation, groups)
    if p.rank != 3:
        return _solve(p)
    swap = lambda t: (t[0], t[2], t[1])
    st_, pd, dl = swap(p.stride), swap(p.padding), swap(p.dilation)
    geo = geometry(p.X.shape[2:], p.W.shape[2:], st_, dl, pd)
    return direct(p.X, p.W, p.B, st_, pd, dl, p.groups, p.out_dtype) \
        if all(n > 0 for n in geo.out_shape) else np.zeros(
            (p.batch, p.out_channels) + geo.out_shape, p.out_dtype)


@_mutant("CV-AT1", "CV-SH1", "CV-EQ1")
def conv1d_ignores_stride(X, W, B=None, *, stride, padding, dilation, groups):
    """The 1-D path computes every window: the stride is ignored.

    Bug class: an attribute dropped on a rarely used path.  A separate 1-D
    kernel written for audio models with stride 1 never passes the stride on;
    2-D and 3-D layers are right.
    """
    p = _problem(X, W, B, stride, padding, dilation, groups)
    if p.rank != 1:
        return _solve(p)
    return _solve(p, stride=(1,))


@_mutant("CV-EQ1")
def conv1d_flips_kernel(X, W, B=None, *, stride, padding, dilation, groups):
    """The 1-D path is a true convolution: the kernel is reversed (numpy.convolve semantics).

    Bug class: convolution where cross-correlation is meant.  ``numpy.convolve``
    and ``scipy.signal.convolve`` reverse the kernel, and a 1-D path built on
    them needs ``w[::-1]``; symmetric kernels and 1-tap kernels hide the bug.
    """
    p = _problem(X, W, B, stride, padding, dilation, groups)
    if p.rank != 1:
        return _solve(p)
    return _solve(p, W=p.W[..., ::-1])


# --- precision and special values ---------------------------------------------------------------

@_mutant("CV-RD1", "CV-AC1")
def float64_in_float32(X, W, B=None, *, stride, padding, dilation, groups):
    """float64 layers with 1024 outputs or more are computed in float32 and cast back to float64.

    Bug class: silent precision downgrade on a fast path.  Libraries send large
    problems to an accelerator or vectorised path that runs in float32 (GPU
    paths, JAX without ``jax_enable_x64``); casting the result back to float64
    hides it from dtype checks and from ``numpy.allclose`` on typical data,
    and small problems, on the exact path, are right.
    """
    p = _problem(X, W, B, stride, padding, dilation, groups)
    if p.out_dtype != np.float64 or int(np.prod(p.out_shape)) < 1024:
        return _solve(p)
    return _solve(p, dtype=np.float32).astype(np.float64)


@_mutant("CV-NF2")
def nonfinite_weight_fills_output(X, W, B=None, *, stride, padding, dilation, groups):
    """A NaN or infinity anywhere in W makes the whole result NaN.

    Bug class: a global "garbage in, garbage out" shortcut.  Some libraries scan
    the weights once (for a quantisation scale or a sanity check) and, on a
    non-finite value, fill the output with NaN instead of letting it reach
    only the output channel that holds it.
    """
    p = _problem(X, W, B, stride, padding, dilation, groups)
    if p.W.dtype.kind in "fc" and p.W.size and not np.isfinite(p.W).all():
        return np.full(p.out_shape, np.nan, p.out_dtype)
    return _solve(p)


def smoke_check(backend: Backend) -> bool:
    """True when ``backend`` gets the obvious test right.

    float64, C order, rank 2, two input and three output channels, a 3x3
    kernel, unit stride, no padding, no dilation, one group, no bias.
    """
    rng = np.random.default_rng(1)
    X, W = rng.standard_normal((1, 2, 9, 11)), rng.standard_normal((3, 2, 3, 3))
    kw = dict(stride=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1), groups=1)
    want = spec.conv(X, W, None, **kw)
    got = np.asarray(backend(X, W, None, **kw))
    return got.shape == want.shape and got.dtype == want.dtype and bool(np.allclose(got, want))
