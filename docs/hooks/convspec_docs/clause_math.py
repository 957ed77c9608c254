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
    "AC4": TypesetStatement(
        "An output whose window sum S[i, j] reaches the largest finite value of the output dtype "
        "is unconstrained for finite inputs: intermediate overflow is allowed there, and any "
        "value is accepted and counted.",
        "An output whose window sum $S_{ij}$ reaches the largest finite value of the output "
        "dtype is unconstrained for finite inputs: intermediate overflow is allowed there, and "
        "any value is accepted and counted."),
    "CV-PD1": TypesetStatement(
        "An explicit padding is a tuple or list of d pairs (lo, hi) of integers of any sign; "
        "axis t is padded to lo + S[t] + hi elements, a negative pad cropping that many elements "
        "from its side, as StableHLO's pad does.",
        "An explicit padding is a tuple or list of $d$ pairs $(lo, hi)$ of integers of any sign; "
        "axis $t$ is padded to $lo + S_t + hi$ elements, a negative pad cropping that many "
        "elements from its side, as StableHLO's `pad` does."),
    "CV-PD2": TypesetStatement(
        "A named padding is VALID (all pads 0), SAME_UPPER or SAME_LOWER: with "
        "out = ceil(S[t] / s) and total = max((out - 1)*s + k_eff - S[t], 0), SAME_UPPER pads "
        "lo = total // 2 and SAME_LOWER pads hi = total // 2; any other string is refused.",
        "A named padding is `VALID` (all pads 0), `SAME_UPPER` or `SAME_LOWER`: with "
        "$\\text{out} = \\lceil S_t / s \\rceil$ and\n\n"
        "$$\\text{total} = \\max\\left( (\\text{out} - 1)\\, s + k_\\mathrm{eff} - S_t,\\; 0 \\right),$$"
        "\n\n`SAME_UPPER` pads $lo = \\lfloor \\text{total}/2 \\rfloor$ (the odd element at the "
        "end) and `SAME_LOWER` pads $hi = \\lfloor \\text{total}/2 \\rfloor$ (the odd element at "
        "the start); any other string is refused."),
    "CV-SH1": TypesetStatement(
        "The result has shape (N, O, *S_out) with S_out[t] = floor((padded - k_eff) / s) + 1, "
        "where padded = lo + S[t] + hi and k_eff = (k - 1)*dilation + 1, and S_out[t] = 0 when "
        "padded <= 0 or k_eff > padded.",
        "The result has shape $(N, O, S^\\mathrm{out}_0, \\dots)$ with\n\n"
        "$$S^\\mathrm{out}_t = \\left\\lfloor \\frac{\\mathit{padded} - k_\\mathrm{eff}}{s} "
        "\\right\\rfloor + 1,$$\n\nwhere $\\mathit{padded} = lo + S_t + hi$ and "
        "$k_\\mathrm{eff} = (k - 1)\\,\\delta + 1$ for the dilation $\\delta$, and "
        "$S^\\mathrm{out}_t = 0$ when $\\mathit{padded} \\le 0$ or "
        "$k_\\mathrm{eff} > \\mathit{padded}$."),
    "CV-EQ1": TypesetStatement(
        "Y[n, o, j] = B[o] + sum over c < C/g and kernel taps a of "
        "Xp[n, (o // (O/g))*(C/g) + c, j*s + a*dilation] * W[o, c, a], with Xp the padded input "
        "and j, a multi-indices over the spatial axes (cross-correlation, no kernel flip).",
        "$$\\begin{array}{rl} & Y[n, o, j] \\\\ = & B[o] \\\\ + & \\displaystyle\\sum_{c < C/g} "
        "\\sum_{a} X_p[n, c_0(o) + c, j s + a \\delta] \\\\ & \\cdot\\; W[o, c, a], \\end{array}$$"
        "\n\nwith $c_0(o) = \\lfloor o / (O/g) \\rfloor \\cdot C/g$, $X_p$ the padded input and "
        "$j$, $a$ multi-indices over the spatial axes (cross-correlation, no kernel flip)."),
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
