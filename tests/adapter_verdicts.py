"""What a bundled adapter's conformance run may report, shared by the adapter tests.

A run of a real library passes when no property fails, except that known
deviations (declared in the adapter's ``*.known.toml`` and confirmed by their
pinned examples) report ``known``.  A few genuine deviations cannot be declared
yet, because the known-deviation format cannot pin them (a multi-call
metamorphic relation, ``effects.al2``, and invalid inputs that a TOML example
cannot write: 1-D, 3-D arrays or a stride of three elements).
:data:`AWAITING_PIN` lists exactly those, each with a pattern its failure must
match, so that any other failure, or the same property failing in another way,
still fails the test.  They are described on the results page of the
documentation; an entry goes away once its deviation can be pinned.
"""

from __future__ import annotations

import re

from convspec.conformance import Report

#: adapter -> property id -> regular expression the failure's problem and message must match.
AWAITING_PIN: dict[str, dict[str, str]] = {
    # int64/uint64 sums rounded through float64 (declared for values.* and layout.in4).
    "scipy-ndimage": {**{pid: r"^m\S*_u?int64[._]" for pid in (
        "metamorphic.linearity_M", "metamorphic.linearity_K", "metamorphic.transpose",
        "metamorphic.full_kernel")}},
    # a single-precision operand next to a double one (declared for values.* and layout.in4).
    "scipy-fft": {pid: r"_(float32|complex64)\.|\.(float32|complex64)_" for pid in (
        "metamorphic.linearity_M", "metamorphic.linearity_K", "metamorphic.subsample",
        "metamorphic.transpose", "metamorphic.full_kernel")},
    "torch": {
        "effects.al2": r"_reversed_|_reversed$|negative",        # from_numpy refuses negative strides
        "invalid.in1": r"M is a 1-D array",                      # taken as an unbatched CHW input
    },
    "onnxruntime": {
        "invalid.st1": r"stride is three elements",              # the extra stride element is ignored
    },
    "tensorflow": {
        "invalid.in1": r"M is a 3-D array",                      # conv2d takes any rank >= 4
    },
}


#: Layer properties that compute valid calls (every conv.* property but the invalid-input ones).
_LAYER_VALID = ("conv.covering", "conv.values", "conv.empty", "conv.specials", "conv.layout", "conv.effects",
                "conv.result_type", "conv.core", "conv.large") + tuple(
    f"conv.metamorphic.{name}" for name in ("linearity_x", "linearity_w", "linearity_b", "groups", "channels",
                                            "dilation", "padding", "same", "batch", "stride", "rank",
                                            "translation"))
# The layer's known-deviation format does not exist yet, so its deviations wait here too,
# each explained on its finding page (docs/findings).
AWAITING_PIN.update({
    "torch-layer": {
        # findings/torch-same-strided.md; conv.effects also meets from_numpy's refusal of negative strides
        **{pid: r"padding='same' is not supported for strided" for pid in _LAYER_VALID},
        "conv.effects": r"padding='same' is not supported for strided|_reversed(_|\b).*negative",
        "conv.invalid.in1": r"X without a batch axis",                 # findings/torch-unbatched-input.md
    },
    "onnxruntime-layer": {
        # findings/onnxruntime-same-dilation.md
        **{pid: r"Dilation not supported for AutoPadType" for pid in _LAYER_VALID},
        "conv.invalid.at1": r"stride with one element too many",       # findings/onnxruntime-extra-...
        "conv.invalid.pd1": r"padding with one pair too many",
    },
    "onnx-reference-layer": {
        # findings/onnx-reference-dilation-nan.md: a NaN where the dilation skips a non-finite input
        "conv.specials": r"_d(\d+x)*[2-9]\d*(x\d+)*_.*(got np\.\w+\(nan\)|=nan, but should be)",
    },
    "tensorflow-layer": {
        "conv.invalid.at1": r"the backend accepted stride \d+\.5",        # findings/tensorflow-fractional-stride.md
        "conv.invalid.pd2": r"the backend accepted padding 'SAME'",        # findings/tensorflow-same-spelling.md
    },
})


def unexplained(name: str, report: Report) -> list[str]:
    """Failed or errored properties of ``report`` that :data:`AWAITING_PIN` does not explain."""
    allowed = AWAITING_PIN.get(name, {})
    found = []
    for pid in report.failed + report.errors:
        result = report.results[pid]
        failure = result.failure
        pattern = allowed.get(pid)
        text = f"{failure.problem} {failure.message}" if failure else ""
        if pattern is None or failure is None or failure.kind not in ("violation", "accepted", "raised", "crashed") \
                or not re.search(pattern, text):
            detail = f"{failure.kind} on {failure.problem}: {failure.message}" if failure else result.reason
            found.append(f"{pid} ({result.status}): {detail}")
    return found


# The gradient and transposed-convolution adapters (tests/test_adapters_gradients.py).
_TORCH_REVERSED = r"_reversed.*negative"      # from_numpy refuses negative strides, as in the core adapter
AWAITING_PIN.update({
    "torch-grad": {
        **{f"{op}.{pid}": _TORCH_REVERSED for op in ("conv_input_grad", "conv_weight_grad", "conv_bias_grad",
                                                     "conv_transpose") for pid in ("layout", "effects")},
        # findings/torch-grad-input-batch.md: input_size's batch is not checked against grad_output's
        "conv_input_grad.invalid.sh1": r"input_shape with another batch than dY",
        "conv_transpose.invalid.in1": r"X without a batch axis",          # findings/torch-unbatched-input.md
        # conv_input_grad has no int64 or complex kernel, which conv_transpose has (claims per operation)
        "conv_transpose.metamorphic.input_grad": r"not implemented for '(Long|Complex\w+)'",
    },
    "torch-autograd": {
        **{f"{op}.{pid}": _TORCH_REVERSED for op in ("conv_input_grad", "conv_weight_grad")
           for pid in ("layout", "effects")},
        # (y * dY).sum() broadcasts dY against the forward output: a dY without its batch axis, or of
        # another batch or spatial extent that broadcasts, is taken (the user's call, not a kernel check)
        "conv_input_grad.invalid.in1": r"dY without a batch axis",
        "conv_input_grad.invalid.sh1": r"input_shape with another batch than dY",
        "conv_weight_grad.invalid.in1": r"X without a batch axis",        # findings/torch-unbatched-input.md
        "conv_weight_grad.invalid.sh1": r"kernel_shape whose spatial extent disagrees with dY",
    },
})
AWAITING_PIN.update({
    # the operator says pads >= 0; the CPU kernel crops instead of refusing, as its Conv does
    # (findings/onnxruntime-negative-pads.md shows it for Conv)
    # ONNX Runtime refuses a transposed output with an empty axis ("Computed output dimension is
    # <= 0"), which TC-SH2 makes a valid, empty result (like the forward op's window larger than
    # the input, findings/onnxruntime-window-larger-than-input.md)
    "onnxruntime-transpose": {"conv_transpose.invalid.pd1": r"a negative pad",
                              **{pid: r"Computed output dimension is <= 0"
                                 for pid in ("conv_transpose.values", "conv_transpose.specials",
                                             "conv_transpose.layout", "conv_transpose.effects",
                                             "conv_transpose.output_padding", "conv_transpose.adjoint",
                                             "conv_transpose.result_type")
                                 + tuple(f"conv_transpose.metamorphic.{r}"
                                         for r in ("linearity", "groups", "stride", "input_grad"))}},
    # findings/onnx-reference-transpose-groups.md: group > 1 is computed only with one input and one
    # output channel per group, and without the bias of the groups after the first
    "onnx-reference-transpose": {pid: r"_g([2-9]|\d\d)_.*(cannot reshape|could not broadcast|got )"
                                 for pid in ("conv_transpose.values", "conv_transpose.specials",
                                             "conv_transpose.layout", "conv_transpose.effects",
                                             "conv_transpose.output_padding", "conv_transpose.adjoint",
                                             "conv_transpose.result_type")
                                 + tuple(f"conv_transpose.metamorphic.{r}"
                                         for r in ("linearity", "groups", "stride", "input_grad"))},
})

# findings/jax-*.md: the gradients through jax.vjp and the transposed convolution through lax.conv_transpose
_JAX_SPREAD = (r"_(float16|float32|complex64) (\[(DX|DW|TC)-NF1\] \d+ of \d+ outputs whose terms are all finite|"
               r"\[DX-EQ2\] \d+ of \d+ input elements that no window reads are not \+0; first at \([\d, ]+\): "
               r"got np\.\w+\(\(?nan)")
_JAX_ABORT = r"killed its process with SIGABRT"                 # findings/jax-xla-convolution-abort.md
AWAITING_PIN.update({
    "jax-grad": {
        # findings/jax-grad-input-nonfinite.md, jax-grad-weight-nonfinite.md, jax-transpose-nonfinite.md
        **{f"{op}.{pid}": _JAX_SPREAD for op in ("conv_input_grad", "conv_weight_grad", "conv_transpose")
           for pid in ("specials", "remainder")},
        # findings/jax-grad-padding-names.md, jax-transpose-padding.md
        "conv_input_grad.invalid.at1": r"\(a name\)",
        "conv_weight_grad.invalid.at1": r"\(a name\)",
        "conv_transpose.invalid.at1": r"padding '(VALID|SAME|SAME_LOWER)'",
        "conv_transpose.invalid.pd1": r"a negative pad",
        **{f"{op}.metamorphic.{r}": _JAX_ABORT for op in ("conv_input_grad", "conv_weight_grad", "conv_transpose")
           for r in ("linearity", "groups", "stride")},
        # the relation calls conv_input_grad with conv_transpose's dtypes; jax.vjp gives integer inputs
        # float0 cotangents, so the gradients claim no integer dtype (claims per operation)
        "conv_transpose.metamorphic.input_grad": r"out\.dtype=\[\('float0'|" + _JAX_ABORT,
    },
})
