"""The values a backend's output is compared with: Eq 2 computed by the harness.

Three paths, chosen per problem, each giving the exact value of Eq 2 rounded to
64-bit parts (``expected``), plus any error of its own that the comparison must
allow for (``slack``):

1. **Exact integers.**  When every input value is an integer below ``2**64``
   in magnitude, ``n * max|M| * max|K|`` (``n = m'n'``) bounds every partial
   sum, and Eq 2 is evaluated by shift-and-add in int64 (below ``2**62``) or in
   Python integers, which is exact.  Integer outputs are compared with this
   exactly (EX1); real outputs with its correctly rounded float64 value.
2. **The executable specification.**  Small real or complex problems (at most
   `EXACT_BUDGET` products) use `convspec.spec.exact_values`: rational
   arithmetic, plus the IEEE rules for windows holding NaN or infinities.
3. **A double-double wide sum** for large finite problems.  Each product
   ``x * k`` is split exactly into ``p + e`` (for float64 factors with Dekker's
   splitting, ``x = x_hi + x_lo`` with 26-bit halves; float16/float32 products
   are already exact in float64) and the running sum is carried as an unevaluated
   pair ``hi + lo`` updated by Knuth's TwoSum, so the result has relative error
   about ``n * u64**2`` of ``S = sum |M||K|``.  The slack
   ``4 (n + 2) u64**2 S`` (plus ``n`` subnormals for underflow) covers it.  The
   pair is returned as its float64 rounding plus the exact remainder of that
   rounding (``residual``), as the exact paths do: without the remainder the
   comparison would have to spend ``u64 |c|`` of the backend's allowance on the
   harness's own rounding, a large part of a float64 bound, and would reject
   correct float64 results.  Inputs must lie within ``[2**-400, 2**400]`` in magnitude (or be
   zero), which the harness's generators guarantee for large problems.

The gradients and the transposed convolution (`gradient_expected`) take three
paths over their validated problems: exact integer sums, the spec's exact values
for small problems, and a float64 evaluation whose own error bound is the slack
for larger ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from convspec.spec import exact_values
from convspec.spec.error_model import exact_residual, expected_wide
from convspec.spec.shape import output_shape

#: Largest number of products (outputs * kernel size) evaluated with the exact spec.
EXACT_BUDGET = 2_500
_U64 = 2.0 ** -53
_SPLIT = 134217729.0  # 2**27 + 1, Dekker's splitting constant for float64


def window(values: np.ndarray, a: int, b: int, stride: tuple[int, int],
           shape: tuple[int, int]) -> np.ndarray:
    """The elements ``values[i*sx + a, j*sy + b]`` for every output ``(i, j)``."""
    (sx, sy), (rows, cols) = stride, shape
    return values[a:a + sx * (rows - 1) + 1:sx, b:b + sy * (cols - 1) + 1:sy]


def is_integral(x: np.ndarray) -> bool:
    """True when every value of ``x`` is a finite integer (real part only for reals)."""
    if x.dtype.kind in "iu":
        return True
    if x.dtype.kind != "f":
        return False
    with np.errstate(invalid="ignore"):
        return bool(np.all(np.isfinite(x)) and np.all(x == np.round(x)))


def integer_bound(M: np.ndarray, K: np.ndarray) -> int:
    """``n * max|M| * max|K|``: a bound on every partial sum of Eq 2 (integral inputs)."""
    return K.size * _magnitude(M) * _magnitude(K)


def exact_integers(M: np.ndarray, K: np.ndarray, stride: tuple[int, int]) -> np.ndarray:
    """Eq 2 exactly for integral inputs: int64 when it cannot overflow, else Python ints."""
    shape = output_shape(M.shape, K.shape, stride)
    fits = max(_magnitude(M), _magnitude(K)) < 2 ** 62 and integer_bound(M, K) < 2 ** 62
    wide = np.int64 if fits else object
    if wide is object:
        Mw = np.array([[int(v) for v in row] for row in M.tolist()], dtype=object).reshape(M.shape)
        Kw = np.array([[int(v) for v in row] for row in K.tolist()], dtype=object).reshape(K.shape)
    else:
        Mw, Kw = M.astype(np.int64), K.astype(np.int64)
    total = np.zeros(shape, dtype=wide)
    for a in range(K.shape[0]):
        for b in range(K.shape[1]):
            total = total + window(Mw, a, b, stride, shape) * Kw[a, b]
    return total


def _two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Knuth's TwoSum: ``s + e == a + b`` exactly, ``s = fl(a + b)``."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _split(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dekker's split of float64 values into two halves of at most 26 bits."""
    c = _SPLIT * x
    hi = c - (c - x)
    return hi, x - hi


def _two_product(x: np.ndarray, k, exact: bool) -> tuple[np.ndarray, np.ndarray]:
    """``p + e == x * k`` exactly, elementwise (``exact`` when the plain product is already exact)."""
    p = x * k
    if exact:
        return p, np.zeros_like(p)
    xh, xl = _split(x)
    kh, kl = _split(np.asarray(k, dtype=np.float64))
    return p, ((xh * kh - p) + xh * kl + xl * kh) + xl * kl


def _dd_sum(terms, stride, shape, exact_products: bool) -> tuple[np.ndarray, np.ndarray]:
    """``sum over (X, Y) in terms of Eq 2(X, Y)`` accumulated in one double-double.

    Returns ``(s, r)``: ``s`` the pair rounded to float64 and ``r = hi + lo - s``
    exactly (TwoSum), so ``s + r`` is the double-double value itself.
    """
    hi = np.zeros(shape)
    lo = np.zeros(shape)
    for X, Y in terms:
        for a in range(Y.shape[0]):
            for b in range(Y.shape[1]):
                p, e = _two_product(window(X, a, b, stride, shape), float(Y[a, b]), exact_products)
                hi, err = _two_sum(hi, p)
                lo = lo + err + e
    return _two_sum(hi, lo)


def double_double_sum(M: np.ndarray, K: np.ndarray,
                      stride: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Eq 2 with about twice float64 precision: its float64 / complex128 rounding and remainder.

    A complex product ``(a + ib)(c + id)`` contributes ``ac - bd`` to the real
    part and ``ad + bc`` to the imaginary part; each part is one double-double sum.
    """
    shape = output_shape(M.shape, K.shape, stride)
    narrow = all(x.dtype.kind in "fc" and x.dtype.itemsize <= (4 if x.dtype.kind == "f" else 8)
                 or x.dtype.kind in "iu" and x.dtype.itemsize <= 2 for x in (M, K))
    if M.dtype.kind != "c" and K.dtype.kind != "c":
        return _dd_sum([(M.astype(np.float64), K.astype(np.float64))], stride, shape, narrow)
    Mc, Kc = M.astype(np.complex128), K.astype(np.complex128)
    mr, mi, kr, ki = Mc.real.copy(), Mc.imag.copy(), Kc.real.copy(), Kc.imag.copy()
    re, re_rest = _dd_sum([(mr, kr), (mi, -ki)], stride, shape, narrow)
    im, im_rest = _dd_sum([(mr, ki), (mi, kr)], stride, shape, narrow)
    return re + 1j * im, re_rest + 1j * im_rest


@dataclass
class Expected:
    """Eq 2 as the harness knows it for one problem.

    Attributes:
        values: exact values rounded to 64-bit parts (float64 / complex128), or
            exact integers (int64 or Python ints in an object array).
        exact: True when ``values`` are exact integers.
        slack: an absolute error of the harness's own computation, per output,
            to add to the backend's allowance (zero for exact paths).
        path: ``"integers"``, ``"spec"`` or ``"double-double"``.
        residual: the exact values (on the double-double path: the wide sum)
            minus ``values``, rounded to 64 bits (see
            `convspec.spec.error_model.exact_residual`); None where only
            ``values`` are known, which then carry a rounding of ``2**-53 |values|``.
    """

    values: np.ndarray
    exact: bool
    slack: np.ndarray | float
    path: str
    residual: np.ndarray | None = None


def _magnitude(x: np.ndarray) -> int:
    return max(abs(int(x.max())), abs(int(x.min())))


def expected(M: np.ndarray, K: np.ndarray, stride: tuple[int, int]) -> Expected:
    """Choose the cheapest exact-enough path for this problem (see the module docstring)."""
    out = np.result_type(M.dtype, K.dtype)
    rows, cols = output_shape(M.shape, K.shape, stride)
    small = rows * cols * K.size <= EXACT_BUDGET
    if is_integral(M) and is_integral(K) and max(_magnitude(M), _magnitude(K)) < 2 ** 64:
        bound = integer_bound(M, K)
        if out.kind in "iu" or bound <= 2 ** 53 or small:
            ints = exact_integers(M, K, stride)
            if out.kind in "iu":
                return Expected(ints, True, 0.0, "integers")
            if bound <= 2 ** 53:  # every value is a float64: nothing is rounded
                values = ints.astype(np.float64)
                return Expected(values, False, 0.0, "integers", np.zeros(values.shape))
            values = np.vectorize(float, otypes=[np.float64])(ints)
            return Expected(values, False, 0.0, "integers", exact_residual(ints, values))
    if small:
        exact = exact_values(np.ascontiguousarray(M), np.ascontiguousarray(K), stride=stride)
        wide = expected_wide(exact)
        return Expected(wide, False, 0.0, "spec", exact_residual(exact, wide))
    S = np.zeros((rows, cols))
    for a in range(K.shape[0]):
        for b in range(K.shape[1]):
            S += np.abs(window(M, a, b, stride, (rows, cols)).astype(np.complex128)) * abs(complex(K[a, b]))
    slack = 4 * (K.size + 2) * _U64 ** 2 * S * (2 if out.kind == "c" else 1) + K.size * 2.0 ** -1070
    values, residual = double_double_sum(M, K, stride)
    return Expected(values, False, slack, "double-double", residual)


# --------------------------------------------------------------------------- the layer

def _layer_integers(p) -> np.ndarray:
    """CV-EQ1 exactly for integral operands: int64 when no partial sum can overflow, else Python ints."""
    mags = [_magnitude(x) if x.size else 0 for x in (p.X, p.W)]
    bias = _magnitude(p.B) if p.B is not None and p.B.size else 0
    fits = max(mags + [bias]) < 2 ** 62 and p.terms * mags[0] * mags[1] + bias < 2 ** 62
    wide = np.int64 if fits else object
    X = p.geometry.pad(p.X.astype(np.int64) if fits else p.X.astype(object))
    W = p.W.astype(np.int64) if fits else p.W.astype(object)
    N, g, Cg, Og = p.batch, p.groups, p.in_per_group, p.out_per_group
    P = int(np.prod(p.geometry.out_shape))
    total = np.zeros((N, g, Og, P), dtype=wide)
    if total.size and Cg:
        if not fits:
            X = np.vectorize(int, otypes=[object])(X) if X.size else X
            W = np.vectorize(int, otypes=[object])(W) if W.size else W
        for tap in p.geometry.taps():
            cols = X[(slice(None), slice(None), *p.geometry.tap_slices(tap))].reshape(N, g, Cg, P)
            weights = W[(slice(None), slice(None), *tap)].reshape(g, Og, Cg)
            total = total + np.einsum("goc,ngcp->ngop", weights, cols)
    total = total.reshape(p.out_shape)
    if p.B is not None:
        B = p.B.astype(np.int64) if fits else np.array([int(v) for v in p.B], dtype=object)
        total = total + B.reshape((1, -1) + (1,) * p.rank)
    return total


def _layer_magnitudes_integral(p) -> bool:
    arrays = [p.X, p.W] + ([p.B] if p.B is not None else [])
    return all(is_integral(x) and (x.size == 0 or _magnitude(x) < 2 ** 64) for x in arrays)


def layer_expected(p) -> Expected:
    """CV-EQ1 for the validated problem ``p``, by the cheapest exact-enough path.

    Integral operands are summed exactly (int64 or Python ints); small problems
    (at most `EXACT_BUDGET` terms in all) use the exact oracle; larger ones the
    double-double sum of `_layer_double_double`, or, for operands outside the
    range where its splitting is exact, a float64 (complex128) evaluation whose
    own error, bounded by the error model for a 64-bit output, is returned as
    ``slack``.
    """
    from convspec.spec.error_model import Componentwise, layer_abs_sums
    from convspec.spec.layer import exact_layer_values
    out = p.out_dtype
    size = int(np.prod(p.out_shape)) * p.terms
    if _layer_magnitudes_integral(p):
        ints = _layer_integers(p)
        if out.kind in "iu":
            return Expected(ints, True, 0.0, "integers")
        if ints.dtype != object and (ints.size == 0 or np.abs(ints).max() <= 2 ** 53):
            return Expected(ints.astype(np.float64), False, 0.0, "integers", np.zeros(ints.shape))
        if size <= EXACT_BUDGET:
            values = np.vectorize(float, otypes=[np.float64])(ints) if ints.size else ints.astype(np.float64)
            return Expected(values, False, 0.0, "integers", exact_residual(ints, values))
    if size <= EXACT_BUDGET:
        exact = exact_layer_values(p)
        wide = expected_wide(exact) if exact.size else np.zeros(exact.shape, np.complex128 if out.kind == "c" else np.float64)
        return Expected(wide, False, 0.0, "spec", exact_residual(exact, wide))
    if _within_split_range(p):
        values, residual, slack = _layer_double_double(p)
        return Expected(_with_specials(p, values), False, slack, "double-double", residual)
    wide_dtype = np.complex128 if out.kind == "c" else np.float64
    from convspec.spec.error_model import _group_matmul
    Xw = np.where(np.isfinite(p.X), p.X, 0).astype(wide_dtype)
    Ww = np.where(np.isfinite(p.W), p.W, 0).astype(wide_dtype)
    with np.errstate(all="ignore"):
        values = _group_matmul(p, p.geometry.pad(Xw), Ww) if wide_dtype == np.float64 else None
        if values is None:  # complex: real and imaginary parts as real sums
            rr = _group_matmul(p, p.geometry.pad(Xw.real.copy()), Ww.real.copy())
            ii = _group_matmul(p, p.geometry.pad(Xw.imag.copy()), Ww.imag.copy())
            ri = _group_matmul(p, p.geometry.pad(Xw.real.copy()), Ww.imag.copy())
            ir = _group_matmul(p, p.geometry.pad(Xw.imag.copy()), Ww.real.copy())
            values = (rr - ii) + 1j * (ri + ir)
        if p.B is not None:
            values = values + np.where(np.isfinite(p.B), p.B, 0).astype(wide_dtype).reshape((1, -1) + (1,) * p.rank)
    values = _with_specials(p, values)
    dtypes = [p.X.dtype, p.W.dtype] + ([p.B.dtype] if p.B is not None else [])
    model = Componentwise.for_terms(p.terms + 2, dtypes, wide_dtype)
    slack = (model.relative * layer_abs_sums(p) + model.absolute) * (1 + 8 * _U64)
    return Expected(values, False, slack, "float64")


def _operands(p) -> list[np.ndarray]:
    return [p.X, p.W] + ([p.B] if p.B is not None else [])


def _within_split_range(p) -> bool:
    """True when every finite non-zero operand part lies in ``[2**-400, 2**400]`` (Dekker's split is exact)."""
    for x in _operands(p):
        if x.dtype.kind in "iu":
            if x.size and _magnitude(x) > 2 ** 400:
                return False
            continue
        parts = [x.real, x.imag] if x.dtype.kind == "c" else [x]
        for part in parts:
            mags = np.abs(part[np.isfinite(part) & (part != 0)].astype(np.float64))
            if mags.size and (mags.max() > 2.0 ** 400 or mags.min() < 2.0 ** -400):
                return False
    return True


def _layer_double_double(p) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CV-EQ1 in double-double for finite terms: ``(values, residual, slack)``.

    As for the core (module docstring, path 3): every product of an input and a
    weight is split exactly into ``p + e``, the running sum is an unevaluated
    ``hi + lo`` updated by TwoSum, and the bias enters as one more exact term.
    ``values + residual`` is that double-double, within ``slack`` =
    ``4 (n + 2) u64**2 S`` (plus subnormals) of the exact sum, ``n`` the terms
    of an output and ``S`` their absolute sum.  Non-finite operands count as 0
    here; `_with_specials` gives their outputs the IEEE value.
    """
    from convspec.spec.error_model import layer_abs_sums
    complex_ = any(x.dtype.kind == "c" for x in _operands(p))
    wide = np.complex128 if complex_ else np.float64
    X, W = (np.where(np.isfinite(x), x, 0).astype(wide) for x in (p.X, p.W))
    B = None if p.B is None else np.where(np.isfinite(p.B), p.B, 0).astype(wide)
    exact_products = all(x.dtype.kind in "fc" and x.dtype.itemsize <= (4 if x.dtype.kind == "f" else 8)
                         or x.dtype.kind in "iu" and x.dtype.itemsize <= 2 for x in (p.X, p.W))
    if not complex_:
        values, residual = _layer_dd_sum(p, [(X, W)], B, exact_products)
    else:
        re, re_rest = _layer_dd_sum(p, [(X.real.copy(), W.real.copy()), (X.imag.copy(), -W.imag)],
                                    None if B is None else B.real.copy(), exact_products)
        im, im_rest = _layer_dd_sum(p, [(X.real.copy(), W.imag.copy()), (X.imag.copy(), W.real.copy())],
                                    None if B is None else B.imag.copy(), exact_products)
        values, residual = re + 1j * im, re_rest + 1j * im_rest
    n = p.terms + (1 if B is not None else 0)
    with np.errstate(over="ignore"):
        slack = 4 * (n + 2) * _U64 ** 2 * layer_abs_sums(p) * (2 if complex_ else 1) + n * 2.0 ** -1070
    return values, residual, slack


def _layer_dd_sum(p, terms, B, exact_products: bool) -> tuple[np.ndarray, np.ndarray]:
    """``sum over (X, W) in terms of CV-EQ1(X, W)``, plus ``B``, in one double-double (real parts)."""
    N, g, Cg, Og = p.batch, p.groups, p.in_per_group, p.out_per_group
    P = int(np.prod(p.geometry.out_shape))
    hi = np.zeros((N, g, Og, P))
    lo = np.zeros((N, g, Og, P))
    if hi.size and Cg:
        for X, W in terms:
            Xp = p.geometry.pad(X)
            for tap in p.geometry.taps():
                cols = Xp[(slice(None), slice(None), *p.geometry.tap_slices(tap))].reshape(N, g, Cg, P)
                weights = W[(slice(None), slice(None), *tap)].reshape(g, Og, Cg)
                for c in range(Cg):
                    prod, err = _two_product(cols[:, :, None, c, :], weights[None, :, :, c, None], exact_products)
                    hi, rounding = _two_sum(hi, prod)
                    lo = lo + rounding + err
    if B is not None and hi.size:
        hi, rounding = _two_sum(hi, np.broadcast_to(B.reshape(1, g, Og, 1), hi.shape))
        lo = lo + rounding
    values, residual = _two_sum(hi, lo)
    return values.reshape(p.out_shape), residual.reshape(p.out_shape)


def _with_specials(p, values: np.ndarray) -> np.ndarray:
    """``values`` with the IEEE value (CV-NF1) wherever an output's terms hold NaN or an infinity."""
    from convspec.spec.error_model import layer_nonfinite
    from convspec.spec.layer import exact_term_sum, terms
    special = layer_nonfinite(p)
    if not special.any():
        return values
    values = values.copy()
    Xp = p.geometry.pad(p.X)
    for index in map(tuple, np.argwhere(special)):
        n, o, *j = index
        values[index] = exact_term_sum(terms(p, Xp, n, o, tuple(j)), p.out_dtype)
    return values


# --------------------------------------------------------------------------- the gradients and the transposed convolution

@dataclass(frozen=True)
class Sums:
    """How the harness evaluates one gradient-like operation on its validated problem ``p``.

    Attributes:
        operands: ``p -> [arrays]``: the arrays whose values feed the sums
            (a bias last); an element's terms are products of two of them.
        evaluate: ``(p, arrays, dtype) -> values``: the sums of the products
            of ``arrays`` (the operands converted), accumulated in ``dtype``
            (int64 or object for exact integers, float64 or complex128).
        exact: ``p -> object array``: the spec's exact values before rounding.
        terms: ``(p, index) -> [(a, b)]``: the spec's terms of one element.
    """

    operands: Callable
    evaluate: Callable
    exact: Callable
    terms: Callable


def _integral(arrays) -> bool:
    return all(is_integral(x) and (x.size == 0 or _magnitude(x) < 2 ** 64) for x in arrays)


def _as_ints(x: np.ndarray, fits: bool) -> np.ndarray:
    if fits:
        return x.astype(np.int64)
    return np.vectorize(int, otypes=[object])(x) if x.size else x.astype(object)


def gradient_expected(p, sums: Sums, nonfinite) -> Expected:
    """The values of a gradient (or transposed convolution) problem, by the cheapest exact-enough path.

    As `layer_expected`: integral operands are summed exactly (int64 when
    ``terms · max|a| · max|b| + max|bias| < 2**62``, else Python ints); small
    problems (at most `EXACT_BUDGET` terms in all) take the spec's exact
    values; larger ones a float64 (complex128) evaluation whose own error, the
    componentwise bound of a 64-bit output over ``terms + 2`` products, is the
    slack, with the IEEE value of the spec's terms wherever ``nonfinite(p)``.
    """
    from convspec.spec.error_model import Componentwise, _inflate
    from convspec.spec.layer import exact_term_sum
    out = p.out_dtype
    arrays = sums.operands(p)
    size = int(np.prod(p.out_shape)) * max(p.terms, 1)
    if _integral(arrays):
        mags = [_magnitude(x) if x.size else 0 for x in arrays]
        product = p.terms * mags[0] * mags[1] + (mags[2] if len(mags) > 2 else 0)
        fits = max(mags) < 2 ** 62 and product < 2 ** 62
        ints = sums.evaluate(p, [_as_ints(x, fits) for x in arrays], np.int64 if fits else object)
        if out.kind in "iu":
            return Expected(ints, True, 0.0, "integers")
        if ints.dtype != object and (ints.size == 0 or np.abs(ints).max() <= 2 ** 53):
            return Expected(ints.astype(np.float64), False, 0.0, "integers", np.zeros(ints.shape))
        if size <= EXACT_BUDGET:
            values = np.vectorize(float, otypes=[np.float64])(ints) if ints.size else ints.astype(np.float64)
            return Expected(values, False, 0.0, "integers", exact_residual(ints, values))
    wide_dtype = np.complex128 if out.kind == "c" else np.float64
    if size <= EXACT_BUDGET:
        exact = sums.exact(p)
        wide = expected_wide(exact) if exact.size else np.zeros(exact.shape, wide_dtype)
        return Expected(wide, False, 0.0, "spec", exact_residual(exact, wide))
    finite = [np.where(np.isfinite(x), x, 0).astype(wide_dtype) for x in arrays]
    with np.errstate(all="ignore"):
        values = sums.evaluate(p, finite, wide_dtype)
        S = sums.evaluate(p, [np.abs(x).astype(np.float64) for x in finite], np.float64)
    special = nonfinite(p)
    if special.any():
        values = values.copy()
        for index in map(tuple, np.argwhere(special)):
            values[index] = exact_term_sum(sums.terms(p, index), out)
    model = Componentwise.for_terms(p.terms + 2, [x.dtype for x in arrays[:2]], wide_dtype)
    slack = (model.relative * _inflate(S, p.terms) + model.absolute) * (1 + 8 * _U64)
    return Expected(values, False, slack, "float64")


def input_grad_sums() -> Sums:
    from convspec.spec.error_model import scatter_taps
    from convspec.spec.gradients import exact_input_grad_values, input_grad_terms
    def evaluate(p, arrays, dtype):
        dY, W = arrays
        return scatter_taps(p.geometry, dY, W, p.forward.groups, p.geometry.out_shape, p.out_shape[2:], dtype)
    return Sums(lambda p: [p.dY, p.W], evaluate, exact_input_grad_values,
                lambda p, i: input_grad_terms(p, i[0], i[1], i[2:]))


def weight_grad_sums() -> Sums:
    from convspec.spec.error_model import gather_taps
    from convspec.spec.gradients import exact_weight_grad_values, weight_grad_terms
    def evaluate(p, arrays, dtype):
        X, dY = arrays
        return gather_taps(p.geometry, p.geometry.pad(X), dY, p.forward.groups, dtype)
    def terms(p, i):
        return weight_grad_terms(p, p.geometry.pad(p.X), i[0], i[1], i[2:])
    return Sums(lambda p: [p.X, p.dY], evaluate, exact_weight_grad_values, terms)


def bias_grad_sums() -> Sums:
    from convspec.spec.gradients import bias_grad_terms, exact_bias_grad_values
    def evaluate(p, arrays, dtype):
        dY = arrays[0]
        return dY.astype(dtype).sum(axis=(0, *range(2, dY.ndim)))
    return Sums(lambda p: [p.dY, np.ones((), p.dY.dtype)], evaluate, exact_bias_grad_values,
                lambda p, i: bias_grad_terms(p, i[0]))


def transpose_sums() -> Sums:
    from convspec.spec.error_model import scatter_taps
    from convspec.spec.transpose import exact_transpose_values, transpose_terms
    def evaluate(p, arrays, dtype):
        X, W, *bias = arrays
        total = scatter_taps(p.geometry, X, W, p.groups, p.spatial_in, p.out_shape[2:], dtype)
        if bias:
            total = total + bias[0].reshape((1, -1) + (1,) * (X.ndim - 2))
        return total
    return Sums(lambda p: [p.X, p.W] + ([p.B] if p.B is not None else []), evaluate, exact_transpose_values,
                lambda p, i: transpose_terms(p, i[0], i[1], i[2:]))
