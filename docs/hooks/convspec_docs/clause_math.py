"""Clause statements with their formulas typeset, for the specification page.

The clause catalogue (``convspec.spec.clauses.CLAUSES``) states every rule in
plain text, which is its machine-readable form and stays as it is.  The
specification page shows, for the clauses listed here, the same statement with
the formulas written in TeX (converted to MathML when the site is built), and the
plain text below it.

Each entry records the plain statement it was written from.  When the catalogue's
statement changes, the entry no longer applies: the page falls back to the plain
text for that clause, and ``tests/test_docs_site.py`` lists the clause as one
whose typeset form needs rewriting.  A clause with no entry (a new one, say) is
shown as plain text too; the test lists those without failing.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TypesetStatement:
    written_for: str
    """The catalogue statement this typeset form renders."""
    markdown: str
    """The statement in Markdown, formulas in ``$...$``."""


TYPESET: dict[str, TypesetStatement] = {
    "ST1": TypesetStatement(
        "The stride is a tuple or list of exactly two elements (sx, sy); sx steps over axis 0 "
        "(rows) and sy over axis 1 (columns).",
        "The stride is a tuple or list of exactly two elements $(s_x, s_y)$; $s_x$ steps over "
        "axis 0 (rows) and $s_y$ over axis 1 (columns)."),
    "ST3": TypesetStatement(
        "Each stride element is at least 1.",
        "Each stride element is at least 1: $s_x \\ge 1$ and $s_y \\ge 1$."),
    "VA3": TypesetStatement(
        "The kernel fits inside the input on both axes: m' <= m and n' <= n.",
        "The kernel fits inside the input on both axes: $m' \\le m$ and $n' \\le n$."),
    "EQ1": TypesetStatement(
        "The output has shape (m'', n'') with m'' = floor((m - m') / sx) + 1 and "
        "n'' = floor((n - n') / sy) + 1.",
        "The output has shape $(m'', n'')$ with\n\n"
        "$$m'' = \\left\\lfloor \\frac{m - m'}{s_x} \\right\\rfloor + 1, \\qquad "
        "n'' = \\left\\lfloor \\frac{n - n'}{s_y} \\right\\rfloor + 1.$$"),
    "EQ2": TypesetStatement(
        "C[i, j] = sum over a < m', b < n' of M[i*sx + a, j*sy + b] * K[a, b], without "
        "flipping the kernel (cross-correlation).",
        "$$C[i, j] = \\sum_{a=0}^{m'-1} \\sum_{b=0}^{n'-1} M[i s_x + a,\\; j s_y + b]\\; "
        "K[a, b],$$\n\nwithout flipping the kernel (cross-correlation)."),
    "RD1": TypesetStatement(
        "When the output dtype is floating, every output is the exact real value of Eq 2 over "
        "the inputs' exact values, rounded once to the output dtype (round half to even, "
        "overflowing to an infinity; an exact zero is -0 only when every product is -0).",
        "When the output dtype is floating, every output is the exact real value of Eq 2 over "
        "the inputs' exact values, rounded once to the output dtype (round half to even, "
        "overflowing to an infinity; an exact zero is $-0$ only when every product is $-0$)."),
    "RD2": TypesetStatement(
        "When the output dtype is complex, the real and imaginary parts of the exact complex "
        "value of Eq 2 are each rounded once to the output's component dtype; an exact zero part "
        "is +0.",
        "When the output dtype is complex, the real and imaginary parts of the exact complex "
        "value of Eq 2 are each rounded once to the output's component dtype; an exact zero part "
        "is $+0$."),
    "NF1": TypesetStatement(
        "For real dtypes, an output whose window holds NaN or an infinity follows IEEE "
        "arithmetic: it is NaN when some product is NaN (a NaN factor, or 0 times an infinity) "
        "or when products of both signs are infinite, and otherwise the infinity of the infinite "
        "products' sign.",
        "For real dtypes, an output whose window holds NaN or an infinity follows IEEE "
        "arithmetic: it is NaN when some product is NaN (a NaN factor, or $0 \\cdot "
        "(\\pm\\infty)$) or when products of both signs are infinite, and otherwise the infinity "
        "of the infinite products' sign."),
    "AC1": TypesetStatement(
        "A floating output of a conforming implementation lies within gamma_{n+c}(u) * S[i, j] "
        "+ (underflow term) of the exact value, where u is the output dtype's unit roundoff, "
        "n = m'n', c counts inputs not exactly representable in the output dtype, and S[i, j] "
        "is the sum of |M||K| over the window (sqrt(2)*gamma_{n+c+2} for complex).",
        "A floating output $\\hat c_{ij}$ of a conforming implementation lies within\n\n"
        "$$\\lvert \\hat c_{ij} - c_{ij} \\rvert \\le \\gamma_{n+c}(u)\\, S_{ij} + "
        "\\text{(underflow term)}$$\n\n"
        "of the exact value $c_{ij}$, with $\\gamma_k(u) = k u / (1 - k u)$, where $u$ is the output dtype's unit roundoff, "
        "$n = m' n'$, $c$ counts the inputs not exactly representable in the output dtype, and "
        "$S_{ij} = \\sum_{a,b} \\lvert M[i s_x + a, j s_y + b] \\rvert\\, \\lvert K[a, b] "
        "\\rvert$ is the sum over the window. For complex outputs the factor is "
        "$\\sqrt{2}\\,\\gamma_{n+c+2}(u)$."),
    "AC2": TypesetStatement(
        "An implementation that declares the normwise accuracy class has ||C_hat - C||_F <= "
        "beta_N(u) * ||M||_F * ||K||_F over the outputs whose windows are finite, with beta_N "
        "the FFT bound derived in the error model.",
        "An implementation that declares the normwise accuracy class has\n\n"
        "$$\\lVert \\hat C - C \\rVert_F \\le \\beta_N(u)\\, \\lVert M \\rVert_F\\, "
        "\\lVert K \\rVert_F$$\n\nover the outputs whose windows are finite, with $\\beta_N$ "
        "the FFT bound derived in the error model."),
    "AC3": TypesetStatement(
        "The accuracy bounds include an absolute term for underflow: one smallest subnormal per "
        "product, or twice the smallest normal number per product for an implementation that "
        "declares it flushes subnormals to zero.",
        "The accuracy bounds include an absolute term for underflow: one smallest subnormal "
        "$\\eta$ per product, $n\\,\\eta$ for $n$ products, or twice the smallest normal number "
        "per product for an implementation that declares it flushes subnormals to zero."),
    "AC4": TypesetStatement(
        "An output whose window sum S[i, j] reaches the largest finite value of the output dtype "
        "is unconstrained for finite inputs: intermediate overflow is allowed there, and any "
        "value is accepted and counted.",
        "An output whose window sum $S_{ij}$ reaches the largest finite value of the output "
        "dtype is unconstrained for finite inputs: intermediate overflow is allowed there, and "
        "any value is accepted and counted."),
    "AC5": TypesetStatement(
        "Accuracy is judged on values: a zero output of either sign matches an exact zero.",
        "Accuracy is judged on values: a zero output of either sign, $+0$ or $-0$, matches an "
        "exact zero."),
    "CV-IN1": TypesetStatement(
        "X is a numpy.ndarray (not a masked array) of rank 3, 4 or 5: (N, C, *S) with spatial "
        "rank d = X.ndim - 2.",
        "$X$ is a `numpy.ndarray` (not a masked array) of rank 3, 4 or 5, of shape $(N, C, S_0, "
        "\\dots, S_{d-1})$ with spatial rank $d$ = `X.ndim - 2`."),
    "CV-IN2": TypesetStatement(
        "W is a numpy.ndarray (not a masked array) with W.ndim == X.ndim: (O, C/groups, *K), "
        "every kernel extent at least 1.",
        "$W$ is a `numpy.ndarray` (not a masked array) with `W.ndim == X.ndim`, of shape $(O, "
        "C/g, K_0, \\dots, K_{d-1})$ with $g$ = `groups`, every kernel extent $K_t \\ge 1$."),
    "CV-IN4": TypesetStatement(
        "B is None or a 1-D numpy.ndarray of length O = W.shape[0].",
        "$B$ is `None` or a 1-D `numpy.ndarray` of length $O$ = `W.shape[0]`."),
    "CV-AT1": TypesetStatement(
        "stride is a tuple or list of d integers (bool is not an integer), each at least 1.",
        "`stride` is a tuple or list of $d$ integers $s_t$ (bool is not an integer), each $s_t "
        "\\ge 1$."),
    "CV-AT2": TypesetStatement(
        "dilation is a tuple or list of d integers (bool is not an integer), each at least 1; "
        "the holes of a dilated kernel are not products.",
        "`dilation` is a tuple or list of $d$ integers $\\delta_t$ (bool is not an integer), "
        "each $\\delta_t \\ge 1$; the holes of a dilated kernel are not products."),
    "CV-AT3": TypesetStatement(
        "groups is a positive integer (bool is not) that divides both C = X.shape[1] and O = "
        "W.shape[0].",
        "`groups` is a positive integer $g$ (bool is not) that divides both $C$ = `X.shape[1]` "
        "and $O$ = `W.shape[0]`."),
    "CV-AT4": TypesetStatement(
        "W.shape[1] == C / groups.",
        "`W.shape[1]` equals $C/g$, with $g$ = `groups`."),
    "CV-PD1": TypesetStatement(
        "An explicit padding is a tuple or list of d pairs (lo, hi) of integers of any sign; "
        "axis t is padded to lo + S[t] + hi elements, a negative pad cropping that many elements "
        "from its side, as StableHLO's pad does.",
        "An explicit padding is a tuple or list of $d$ pairs $(\\mathit{lo}_t, \\mathit{hi}_t)$ "
        "of integers of any sign; axis $t$ is padded to $\\mathit{lo}_t + S_t + \\mathit{hi}_t$ "
        "elements, a negative pad cropping that many elements from its side, as StableHLO's "
        "`pad` does."),
    "CV-PD2": TypesetStatement(
        "A named padding is VALID (all pads 0), SAME_UPPER or SAME_LOWER: with out = ceil(S[t] / "
        "s) and total = max((out - 1)*s + k_eff - S[t], 0), SAME_UPPER pads lo = total // 2 and "
        "SAME_LOWER pads hi = total // 2; any other string is refused.",
        "A named padding is `VALID` (all pads 0), `SAME_UPPER` or `SAME_LOWER`: on axis $t$, "
        "with stride $s$ and\n\n"
        "$$\\begin{array}{l} \\mathit{out} = \\left\\lceil S_t / s \\right\\rceil, \\\\ "
        "\\mathit{total} = \\max\\bigl((\\mathit{out} - 1)\\, s \\\\ \\qquad + k_\\mathrm{eff} - "
        "S_t,\\; 0\\bigr), \\end{array}$$\n\n"
        "`SAME_UPPER` pads $\\mathit{lo} = \\lfloor \\mathit{total} / 2 \\rfloor$ and "
        "`SAME_LOWER` pads $\\mathit{hi} = \\lfloor \\mathit{total} / 2 \\rfloor$; any other "
        "string is refused."),
    "CV-SH1": TypesetStatement(
        "The result has shape (N, O, *S_out) with S_out[t] = floor((padded - k_eff) / s) + 1, "
        "where padded = lo + S[t] + hi and k_eff = (k - 1)*dilation + 1, and S_out[t] = 0 when "
        "padded <= 0 or k_eff > padded.",
        "The result has shape $(N, O, S^\\mathrm{out}_0, \\dots, S^\\mathrm{out}_{d-1})$ with\n\n"
        "$$S^\\mathrm{out}_t = \\left\\lfloor \\frac{\\mathit{padded} - k_\\mathrm{eff}}{s} "
        "\\right\\rfloor + 1,$$\n\n"
        "where $\\mathit{padded} = \\mathit{lo} + S_t + \\mathit{hi}$ and $k_\\mathrm{eff} = (k "
        "- 1)\\,\\delta + 1$ for dilation $\\delta$, and $S^\\mathrm{out}_t = 0$ when "
        "$\\mathit{padded} \\le 0$ or $k_\\mathrm{eff} > \\mathit{padded}$."),
    "CV-SH2": TypesetStatement(
        "An empty output, a zero-size spatial axis, N = 0 and C = 0 are valid: the result has "
        "the CV-SH1 shape, and with C = 0 every output is the bias (or zero).",
        "An empty output, a zero-size spatial axis, $N = 0$ and $C = 0$ are valid: the result "
        "has the CV-SH1 shape, and with $C = 0$ every output is the bias (or zero)."),
    "CV-EQ1": TypesetStatement(
        "Y[n, o, j] = B[o] + sum over c < C/g and kernel taps a of Xp[n, (o // (O/g))*(C/g) + c, "
        "j*s + a*dilation] * W[o, c, a], with Xp the padded input and j, a multi-indices over "
        "the spatial axes (cross-correlation, no kernel flip).",
        "$$\\begin{array}{l} Y[n, o, j] = B[o] \\\\ \\quad + \\displaystyle\\sum_{c, a} X_p[n, "
        "c_0 + c, j s + a \\delta] \\\\ \\qquad \\cdot\\; W[o, c, a], \\end{array}$$\n\n"
        "the sum over $c < C/g$ and the kernel taps $a$, where $c_0 = \\lfloor o / (O/g) "
        "\\rfloor \\cdot (C/g)$, $X_p$ is the padded input, $\\delta$ the dilation, and $j$, $a$ "
        "are multi-indices over the spatial axes (cross-correlation, no kernel flip)."),
    "CV-NF2": TypesetStatement(
        "NaN and infinities reach only the outputs whose terms hold them: a non-finite X element "
        "only the windows that read it, in the output channels of its group; a non-finite W[o] "
        "or B[o] only output channel o.",
        "NaN and infinities reach only the outputs whose terms hold them: a non-finite element "
        "of $X$ only the windows that read it, in the output channels of its group; a non-finite "
        "$W[o]$ or $B[o]$ only output channel $o$."),
    "CV-AC1": TypesetStatement(
        "A floating output lies within gamma_{n+c}(u) * S + (underflow term) of the exact value, "
        "as AC1 and AC3 say, with n = (C/g) * prod(K) terms (plus one with a bias) and S = "
        "|B[o]| + the sum of |Xp| |W| over the output's terms; outputs with S at or above the "
        "largest finite value are unconstrained (AC4).",
        "A floating output lies within $\\gamma_{n+c}(u)\\, S + \\text{(underflow term)}$ of the "
        "exact value, as AC1 and AC3 say, with $n = (C/g) \\prod_t K_t$ terms (plus one with a "
        "bias) and\n\n"
        "$$S = \\lvert B[o] \\rvert + \\sum \\lvert X_p \\rvert\\, \\lvert W \\rvert$$\n\n"
        "over the output's terms; outputs with $S$ at or above the largest finite value are "
        "unconstrained (AC4)."),
    "CV-AC2": TypesetStatement(
        "An implementation that declares the normwise accuracy class has, for every batch item n "
        "and output channel o, ||Y_hat[n, o] - Y[n, o]||_F <= beta * sum_c ||X[n, c]||_F ||W[o, "
        "c]||_F + gamma_{C/g+1} * sqrt(P) * |B[o]| + (underflow term) over the outputs whose "
        "terms are finite, the sum over the input channels of o's group, P the outputs per "
        "block, and beta the FFT bound of AC2 widened for the sum over channels, as derived in "
        "the error model.",
        "An implementation that declares the normwise accuracy class has, for every batch item "
        "$n$ and output channel $o$,\n\n"
        "$$\\begin{array}{rl} & \\lVert \\hat Y[n, o] - Y[n, o] \\rVert_F \\\\ \\le & \\beta "
        "\\displaystyle\\sum_c \\lVert X[n, c] \\rVert_F\\, \\lVert W[o, c] \\rVert_F \\\\ + & "
        "\\gamma_{C/g+1} \\sqrt{P}\\, \\lvert B[o] \\rvert \\\\ + & \\text{(underflow term)} "
        "\\end{array}$$\n\n"
        "over the outputs whose terms are finite, the sum running over the input channels $c$ of "
        "$o$'s group, $P$ the outputs per block, and $\\beta$ the FFT bound of AC2 widened for "
        "the sum over channels, as derived in the error model."),
    "DX-IN2": TypesetStatement(
        "input_shape is a tuple or list of dY.ndim non-negative integers (N, C, *S), bool "
        "excluded.",
        "`input_shape` is a tuple or list of `dY.ndim` non-negative integers $(N, C, S_0, "
        "\\dots, S_{d-1})$, bool excluded."),
    "DX-SH1": TypesetStatement(
        "dY.shape equals the forward problem's output shape (N, O, *S_out) of CV-SH1; any other "
        "shape is refused.",
        "`dY.shape` equals the forward problem's output shape $(N, O, S^\\mathrm{out}_0, \\dots, "
        "S^\\mathrm{out}_{d-1})$ of CV-SH1; any other shape is refused."),
    "DX-SH2": TypesetStatement(
        "The result has shape input_shape; empty shapes (N = 0, C = 0, O = 0, a zero extent, no "
        "windows) are valid.",
        "The result has shape `input_shape`; empty shapes ($N = 0$, $C = 0$, $O = 0$, a zero "
        "extent, no windows) are valid."),
    "DX-EQ1": TypesetStatement(
        "dX[n, c, u] = sum over output channels o of c's group g and over pairs (j, a) with j*s "
        "+ a*dilation - lo = u on every axis (0 <= a < K, 0 <= j < S_out) of dY[n, o, j] * W[o, "
        "c - g*(C/g), a].",
        "$$\\begin{array}{rl} dX[n, c, u] = & \\displaystyle\\sum_{o} \\sum_{(j, a)} dY[n, o, j] "
        "\\\\ & \\cdot\\; W[o,\\, c - \\gamma\\,(C/g),\\, a], \\end{array}$$\n\n"
        "the first sum over the output channels $o$ of $c$'s group $\\gamma$, the second over "
        "the pairs $(j, a)$ with $j s + a \\delta - \\mathit{lo} = u$ on every axis ($0 \\le a < "
        "K$, $0 \\le j < S^\\mathrm{out}$), $\\delta$ being the dilation."),
    "DX-EQ2": TypesetStatement(
        "An element of X that no window reads (cropped by a negative pad, in the (padded - "
        "k_eff) mod s remainder past the last window, or skipped between windows) has no terms, "
        "and its gradient is exactly +0.",
        "An element of $X$ that no window reads (cropped by a negative pad, in the "
        "$(\\mathit{padded} - k_\\mathrm{eff}) \\bmod s$ remainder past the last window, or "
        "skipped between windows) has no terms, and its gradient is exactly $+0$."),
    "DX-NF1": TypesetStatement(
        "An element whose terms hold NaN or an infinity follows NF1 (real) or NF3 (complex) over "
        "its products, so 0 * inf is NaN only where it is a term: a non-finite dY[n, o, j] "
        "reaches only dX[n, c, u] with c in o's group and u read by window j, and a non-finite "
        "W[o, c', a] only channel g*(C/g) + c' at the elements read through tap a.",
        "An element whose terms hold NaN or an infinity follows NF1 (real) or NF3 (complex) over "
        "its products, so $0 \\cdot \\infty$ is NaN only where it is a term: a non-finite $dY[n, "
        "o, j]$ reaches only $dX[n, c, u]$ with $c$ in $o$'s group and $u$ read by window $j$, "
        "and a non-finite $W[o, c', a]$ only channel $\\gamma\\,(C/g) + c'$, $\\gamma$ being "
        "$o$'s group, at the elements read through tap $a$."),
    "DX-AD1": TypesetStatement(
        "For every X of shape input_shape, sum(conv(X, W) * dY) = sum(X * conv_input_grad(dY, "
        "W)) with the same attributes; on integer operands both sides are equal exactly.",
        "For every $X$ of shape `input_shape`, $\\sum \\operatorname{conv}(X, W) \\cdot dY = "
        "\\sum X \\cdot G$, where $G$ is `conv_input_grad(dY, W)` with the same attributes and "
        "the sums run over the elementwise products; on integer operands both sides are equal "
        "exactly."),
    "DX-AC1": TypesetStatement(
        "A floating element lies within gamma_{n+c}(u) * S + n * eta of the exact value, as AC1 "
        "and AC3 say, with n its own number of terms, (O/g) times the product over axes of the "
        "feeding pairs, and S the sum of |dY| |W| over them; elements with S at or above the "
        "largest finite value are unconstrained (AC4).",
        "A floating element lies within $\\gamma_{n+c}(u)\\, S + n\\,\\eta$ of the exact value, "
        "as AC1 and AC3 say, with $n$ its own number of terms, $O/g$ times the product over axes "
        "of the feeding pairs, and $S = \\sum \\lvert dY \\rvert\\, \\lvert W \\rvert$ over "
        "them; elements with $S$ at or above the largest finite value are unconstrained (AC4)."),
    "DW-IN2": TypesetStatement(
        "kernel_shape is a tuple or list of X.ndim integers (O, C/groups, *K), bool excluded, "
        "with O and C/groups at least 0 and every kernel extent at least 1.",
        "`kernel_shape` is a tuple or list of `X.ndim` integers $(O, C/g, K_0, \\dots, K_{d-1})$ "
        "with $g$ = `groups`, bool excluded, with $O \\ge 0$, $C/g \\ge 0$ and every kernel "
        "extent $K_t \\ge 1$."),
    "DW-SH1": TypesetStatement(
        "dY.shape equals the forward problem's output shape (N, O, *S_out) of CV-SH1; any other "
        "shape is refused.",
        "`dY.shape` equals the forward problem's output shape $(N, O, S^\\mathrm{out}_0, \\dots, "
        "S^\\mathrm{out}_{d-1})$ of CV-SH1; any other shape is refused."),
    "DW-SH2": TypesetStatement(
        "The result has shape kernel_shape; with N = 0 or no windows every element is a sum of "
        "no terms, +0.",
        "The result has shape `kernel_shape`; with $N = 0$ or no windows every element is a sum "
        "of no terms, $+0$."),
    "DW-EQ1": TypesetStatement(
        "dW[o, c, a] = sum over n < N and output positions j of dY[n, o, j] * Xp[n, (o // "
        "(O/g))*(C/g) + c, j*s + a*dilation], with Xp the padded input: N * prod(S_out) terms "
        "per element.",
        "$$\\begin{array}{rl} dW[o, c, a] = & \\displaystyle\\sum_{n < N} \\sum_{j} dY[n, o, j] "
        "\\\\ & \\cdot\\; X_p[n,\\, c_0 + c,\\; j s + a \\delta], \\end{array}$$\n\n"
        "the sum over the output positions $j$, where $c_0 = \\lfloor o / (O/g) \\rfloor \\cdot "
        "(C/g)$, $X_p$ is the padded input and $\\delta$ the dilation: $N \\prod_t "
        "S^\\mathrm{out}_t$ terms per element."),
    "DW-PD1": TypesetStatement(
        "As in CV-PD3, a padding element is a zero of X's dtype that takes part in the products, "
        "so an infinite dY at a window reading padding makes the weight gradient of that tap NaN.",
        "As in CV-PD3, a padding element is a zero of $X$'s dtype that takes part in the "
        "products, so an infinite $dY$ at a window reading padding makes the weight gradient of "
        "that tap NaN ($0 \\cdot \\infty$)."),
    "DW-NF1": TypesetStatement(
        "An element whose terms hold NaN or an infinity follows NF1 or NF3 over its products: a "
        "non-finite dY[n, o, j] reaches only dW[o], and a non-finite X[n, c, u] only dW[o, c', "
        "a] with o in c's group and a the taps through which some window reads u.",
        "An element whose terms hold NaN or an infinity follows NF1 or NF3 over its products: a "
        "non-finite $dY[n, o, j]$ reaches only $dW[o]$, and a non-finite $X[n, c, u]$ only "
        "$dW[o, c', a]$ with $o$ in $c$'s group and $a$ the taps through which some window reads "
        "$u$."),
    "DW-AD1": TypesetStatement(
        "For every W of shape kernel_shape, sum(conv(X, W) * dY) = sum(W * conv_weight_grad(X, "
        "dY)) with the same attributes; on integer operands both sides are equal exactly.",
        "For every $W$ of shape `kernel_shape`, $\\sum \\operatorname{conv}(X, W) \\cdot dY = "
        "\\sum W \\cdot G$, where $G$ is `conv_weight_grad(X, dY)` with the same attributes and "
        "the sums run over the elementwise products; on integer operands both sides are equal "
        "exactly."),
    "DW-AC1": TypesetStatement(
        "A floating element lies within gamma_{n+c}(u) * S + n * eta of the exact value, as AC1 "
        "and AC3 say, with n = N * prod(S_out) terms in any order (a GEMM over them included) "
        "and S the sum of |dY| |Xp| over them; elements with S at or above the largest finite "
        "value are unconstrained.",
        "A floating element lies within $\\gamma_{n+c}(u)\\, S + n\\,\\eta$ of the exact value, "
        "as AC1 and AC3 say, with $n = N \\prod_t S^\\mathrm{out}_t$ terms in any order (a GEMM "
        "over them included) and $S = \\sum \\lvert dY \\rvert\\, \\lvert X_p \\rvert$ over "
        "them; elements with $S$ at or above the largest finite value are unconstrained."),
    "DB-EQ1": TypesetStatement(
        "dB has shape (O,) with O = dY.shape[1], and dB[o] = sum over n and spatial positions j "
        "of dY[n, o, j]; with no terms it is +0.",
        "$dB$ has shape $(O,)$ with $O$ = `dY.shape[1]`, and $dB[o] = \\sum_{n, j} dY[n, o, j]$, "
        "the sums over the batch items $n$ and the spatial positions $j$; with no terms it is "
        "$+0$."),
    "DB-AC1": TypesetStatement(
        "A floating element lies within gamma_{n+c}(u) * S + n * eta of the exact sum, with n = "
        "N * prod(S) and S the sum of |dY| over the channel.",
        "A floating element lies within $\\gamma_{n+c}(u)\\, S + n\\,\\eta$ of the exact sum, "
        "with $n = N \\prod_t S_t$ and $S = \\sum \\lvert dY \\rvert$ over the channel."),
    "TC-IN1": TypesetStatement(
        "X is a numpy.ndarray (not a masked array) of rank 3, 4 or 5, (N, C, *I), with a dtype "
        "CV-IN3 admits.",
        "$X$ is a `numpy.ndarray` (not a masked array) of rank 3, 4 or 5, of shape $(N, C, I_0, "
        "\\dots, I_{d-1})$, with a dtype CV-IN3 admits."),
    "TC-IN3": TypesetStatement(
        "B is None or a 1-D numpy.ndarray of length O = groups * W.shape[1].",
        "$B$ is `None` or a 1-D `numpy.ndarray` of length $O$ = `groups * W.shape[1]`."),
    "TC-PD1": TypesetStatement(
        "Every pad lo and hi is at least 0; a negative pad is refused.",
        "Every pad is at least 0, $\\mathit{lo} \\ge 0$ and $\\mathit{hi} \\ge 0$; a negative "
        "pad is refused."),
    "TC-AT2": TypesetStatement(
        "output_padding is a tuple or list of d integers (bool excluded) with 0 <= "
        "output_padding[t] < max(stride[t], dilation[t]), PyTorch's rule.",
        "`output_padding` is a tuple or list of $d$ integers (bool excluded) with\n\n"
        "$$0 \\le \\mathit{output\\_padding}_t < \\max(s_t, \\delta_t),$$\n\n"
        "PyTorch's rule, where $s$ is the stride and $\\delta$ the dilation."),
    "TC-SH1": TypesetStatement(
        "The result has shape (N, O, *L) with L[t] = s*(I[t] - 1) + (K[t] - 1)*dilation + 1 + "
        "output_padding[t] - lo - hi; output_padding adds elements at the high end.",
        "The result has shape $(N, O, L_0, \\dots, L_{d-1})$ with\n\n"
        "$$\\begin{array}{rl} L_t = & s\\,(I_t - 1) + (K_t - 1)\\,\\delta + 1 \\\\ & +\\ "
        "\\mathit{output\\_padding}_t - \\mathit{lo} - \\mathit{hi}, \\end{array}$$\n\n"
        "$\\delta$ being the dilation; `output_padding` adds elements at the high end."),
    "TC-SH2": TypesetStatement(
        "Arguments that make some L[t] negative are refused; L[t] = 0 gives an empty result.",
        "Arguments that make some $L_t$ negative are refused; $L_t = 0$ gives an empty result."),
    "TC-EQ1": TypesetStatement(
        "Y[n, o, v] = B[o] + sum over c in o's group and pairs (j, a) with j*s + a*dilation - lo "
        "= v, 0 <= j < I, of X[n, c, j] * W[c, o - g*(O/g), a] (the scatter form); the zeros "
        "between scattered inputs are not products, and an output no pair reaches is B[o], or +0.",
        "$$\\begin{array}{l} Y[n, o, v] = B[o] \\\\ \\quad + \\displaystyle\\sum_{c} \\sum_{(j, "
        "a)} X[n, c, j] \\\\ \\qquad \\cdot\\; W[c,\\, o - \\gamma\\,(O/g),\\, a] "
        "\\end{array}$$\n\n"
        "(the scatter form), the sums over the input channels $c$ of $o$'s group $\\gamma$ and "
        "over the pairs $(j, a)$ with $j s + a \\delta - \\mathit{lo} = v$ and $0 \\le j < I$, "
        "$\\delta$ being the dilation; the zeros between scattered inputs are not products, and "
        "an output no pair reaches is $B[o]$, or $+0$."),
    "TC-NF1": TypesetStatement(
        "An output whose terms hold NaN or an infinity follows NF1 or NF3 over them: a "
        "non-finite X[n, c, j] reaches only outputs j*s + a*dilation - lo of the channels of c's "
        "group, a non-finite W[c, o', a] only channel g*(O/g) + o' at positions some j reaches "
        "through tap a, and a non-finite B[o] only channel o.",
        "An output whose terms hold NaN or an infinity follows NF1 or NF3 over them: a "
        "non-finite $X[n, c, j]$ reaches only outputs $j s + a \\delta - \\mathit{lo}$ of the "
        "channels of $c$'s group, a non-finite $W[c, o', a]$ only channel $\\gamma\\,(O/g) + "
        "o'$, $\\gamma$ being $c$'s group, at positions some $j$ reaches through tap $a$, and a "
        "non-finite $B[o]$ only channel $o$."),
    "TC-AD1": TypesetStatement(
        "conv_transpose(X, W, stride, padding, output_padding, dilation, groups) equals "
        "conv_input_grad(X', W, input_shape=(N, O, *L)) with the same stride, padding, dilation "
        "and groups, where X' is X with floor(output_padding[t] / s[t]) zeros appended on axis "
        "t; when every output_padding < stride, X' = X, the forward problem is the one whose "
        "remainder (padded - k_eff) mod s equals output_padding, and the two agree exactly, "
        "special values and signed zeros included; when output_padding >= stride (allowed only "
        "with dilation > stride) the input gradient has extra terms X'[j] = 0 times W, so the "
        "two agree exactly for finite W up to the sign of zeros, and differ where such a term is "
        "0 * inf.",
        "`conv_transpose(X, W, stride, padding, output_padding, dilation, groups)` equals "
        "`conv_input_grad(X', W, input_shape=(N, O, *L))` with the same stride, padding, "
        "dilation and groups, where $X'$ is $X$ with $\\lfloor \\mathit{output\\_padding}_t / "
        "s_t \\rfloor$ zeros appended on axis $t$. When $\\mathit{output\\_padding}_t < s_t$ on "
        "every axis, $X' = X$, the forward problem is the one whose remainder $(\\mathit{padded} "
        "- k_\\mathrm{eff}) \\bmod s$ equals `output_padding`, and the two agree exactly, "
        "special values and signed zeros included. When $\\mathit{output\\_padding}_t \\ge s_t$ "
        "(allowed only with $\\delta_t > s_t$, $\\delta$ being the dilation) the input gradient "
        "has extra terms $X'[j] = 0$ times $W$, so the two agree exactly for finite $W$ up to "
        "the sign of zeros, and differ where such a term is $0 \\cdot \\infty$."),
    "TC-AC1": TypesetStatement(
        "A floating output lies within gamma_{n+c}(u) * S + n * eta of the exact value, with n "
        "its own number of terms ((C/g) times the product over axes of the feeding pairs, plus "
        "the bias) and S the sum of |X| |W| over them plus |B[o]|.",
        "A floating output lies within $\\gamma_{n+c}(u)\\, S + n\\,\\eta$ of the exact value, "
        "with $n$ its own number of terms ($C/g$ times the product over axes of the feeding "
        "pairs, plus the bias) and $S = \\sum \\lvert X \\rvert\\, \\lvert W \\rvert + \\lvert "
        "B[o] \\rvert$, the sum over them."),
    "TC-CL1": TypesetStatement(
        "A backend may declare ONNX's stricter rule output_padding < stride; it is then not "
        "asked for output_padding >= stride, and refusing such a call is not a failure.",
        "A backend may declare ONNX's stricter rule $\\mathit{output\\_padding}_t < s_t$, $s$ "
        "being the stride; it is then not asked for $\\mathit{output\\_padding}_t \\ge s_t$, and "
        "refusing such a call is not a failure."),
}


def typeset(clause_id: str, statement: str) -> str | None:
    """The typeset statement of a clause, or None when there is none or it is stale."""
    entry = TYPESET.get(clause_id)
    if entry is None or entry.written_for != statement:
        return None
    return entry.markdown


def status(clauses) -> dict[str, list[str]]:
    """Which clauses lack a typeset form (``missing``) or have an outdated one (``stale``)."""
    missing = [c.id for c in clauses if c.id not in TYPESET]
    stale = [c.id for c in clauses if c.id in TYPESET and TYPESET[c.id].written_for != c.statement]
    return {"missing": missing, "stale": stale}
