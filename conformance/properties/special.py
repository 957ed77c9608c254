"""NaN and infinities (NF1-NF3), for backends that claim ``nonfinite``.

Inputs are moderate values (with zeros, so ``0 * inf`` occurs) with up to
three NaN, ``+inf`` or ``-inf`` planted in M and up to one in K.

* ``special.nf1``: a real output whose window holds a special value is exactly
  what IEEE arithmetic gives: NaN when some product is NaN (a NaN factor or
  ``0 * inf``) or infinite products of both signs meet, else the infinity of
  the products' sign.
* ``special.nf2``: every other output is still the finite Eq 2 value within
  the accuracy class (a special value must not leak out of its windows).
* ``special.nf3``: a complex output whose window holds a non-finite part is
  not finite.
"""

from __future__ import annotations

from ..judge import check_specials, check_values, require_ok
from ..strategies import Example, cases, single
from . import Context, Property


def _requires(operand_kinds: str, out_kinds: str):
    def requires(ctx: Context) -> str | None:
        if not ctx.claims.nonfinite:
            return "the backend does not claim NaN and infinity support (claims.nonfinite)"
        if not ctx.has_pairs(operand_kinds, out_kinds):
            return "no claimed dtype pair of this kind"
        return None
    return requires


def _strategy(operand_kinds: str, out_kinds: str):
    return lambda ctx: single(cases(ctx.pair_strategy(operand_kinds, out_kinds), ["C"], ctx.side(8),
                                    ctx.kernel(4), specials=3))


def check_ieee(example: Example, ctx: Context) -> None:
    case = example.cases[0]
    (outcome,) = ctx.call([case])
    check_specials(require_ok(outcome, [case]), [case])


def check_local(example: Example, ctx: Context) -> None:
    case = example.cases[0]
    (outcome,) = ctx.call([case])
    check_values(require_ok(outcome, [case]), [case], ctx.claims, ctx.summary)


PROPERTIES = [
    Property("special.nf1", "Outputs over NaN or infinity follow IEEE arithmetic", ("NF1",),
             strategy=_strategy("f", "f"), check=check_ieee, requires=_requires("f", "f")),
    Property("special.nf2", "NaN and infinity affect only the outputs whose windows hold them",
             ("NF2",), strategy=_strategy("fc", "fc"), check=check_local, requires=_requires("fc", "fc")),
    Property("special.nf3", "Complex outputs over a non-finite part are not finite", ("NF3",),
             strategy=_strategy("fc", "c"), check=check_ieee, requires=_requires("fc", "c"), share=0.6),
]
