"""The harness on the gradients and the transposed convolution: the reference passes, planted bugs are caught.

The planted bugs are small wrappers of the reference defined here; each is run
only on the property that must catch it, at the quick profile.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from convspec import reference
from convspec.conformance import Status, property_ids, run
from convspec.conformance.backend import Backend, Claims
from convspec.conformance.operations import OPERATIONS
from convspec.conformance.properties.gradients import invalid_clauses

OPS = ("conv_input_grad", "conv_weight_grad", "conv_bias_grad", "conv_transpose")
HERE = Path(__file__)


# --------------------------------------------------------------------------- planted bugs

def dx_kernel_not_flipped(dY, W, **kw):
    return reference.conv_input_grad(dY, np.ascontiguousarray(W[..., ::-1]), **kw)


def dx_remainder_nonzero(dY, W, *, input_shape, **kw):
    """Writes 1 into every input element that no window reads."""
    from convspec.spec import conv_input_grad_problem
    out = reference.conv_input_grad(dY, W, input_shape=input_shape, **kw)
    unread = conv_input_grad_problem(dY, W, input_shape=input_shape, **kw).term_counts() == 0
    out[unread] = 1
    return out


def dx_remainder_dropped(dY, W, *, input_shape, **kw):
    """Returns only the elements the windows cover along the first spatial axis."""
    from convspec.spec import conv_input_grad_problem
    out = reference.conv_input_grad(dY, W, input_shape=input_shape, **kw)
    rest = conv_input_grad_problem(dY, W, input_shape=input_shape, **kw).geometry.axes[0].remainder
    return np.ascontiguousarray(out[:, :, :out.shape[2] - rest])


def dw_batch_mean(X, dY, **kw):
    out = reference.conv_weight_grad(X, dY, **kw)
    return (out / X.shape[0]).astype(out.dtype) if X.shape[0] > 1 else out


def db_first_item(dY):
    return reference.conv_bias_grad(dY[:1])


def tc_output_padding_low(X, W, B=None, *, output_padding, **kw):
    out = reference.conv_transpose(X, W, B, output_padding=output_padding, **kw)
    return np.ascontiguousarray(np.roll(out, output_padding[0], axis=2)) if out.size else out


def lenient(*args, **kwargs):
    """Accepts anything: zeros of the input_shape / kernel_shape it is given, or of a fixed shape."""
    shape = kwargs.get("input_shape", kwargs.get("kernel_shape"))
    try:
        return np.zeros(tuple(int(v) for v in shape))
    except (TypeError, ValueError):
        return np.zeros(3)


#: A framework-style backend: the reference's input gradient, a transposed convolution with a bug.
MIXED = Backend("mixed", reference.conv_input_grad, op="conv_input_grad",
                ops={"conv_transpose": tc_output_padding_low})


def _target(name: str) -> str:
    return f"{HERE}:{name}"


# --------------------------------------------------------------------------- the reference

@pytest.mark.parametrize("op", OPS)
def test_the_reference_passes_each_operation_at_quick(op):
    report = run("reference", op=op, profile="quick")
    failed = {pid: r.failure.message if r.failure else r.reason for pid, r in report.results.items()
              if r.status in (Status.FAIL, Status.ERROR)}
    assert report.ok and not failed, failed
    assert set(report.results) == set(property_ids(op))
    assert report.results[f"{op}.values"].examples > 0


def test_every_gradient_operation_is_checkable_and_listed():
    for op in OPS:
        assert op in OPERATIONS and property_ids(op)
        assert {f"{op}.values", f"{op}.specials", f"{op}.effects", f"{op}.metamorphic.linearity"} <= set(property_ids(op))
    assert "conv_input_grad.remainder" in property_ids("conv_input_grad")
    assert "conv_transpose.metamorphic.input_grad" in property_ids("conv_transpose")


# --------------------------------------------------------------------------- planted bugs are caught

@pytest.mark.parametrize("name, op, prop", [
    ("dx_kernel_not_flipped", "conv_input_grad", "conv_input_grad.values"),
    ("dx_remainder_nonzero", "conv_input_grad", "conv_input_grad.remainder"),
    ("dw_batch_mean", "conv_weight_grad", "conv_weight_grad.values"),
    ("dw_batch_mean", "conv_weight_grad", "conv_weight_grad.adjoint"),
    ("db_first_item", "conv_bias_grad", "conv_bias_grad.values"),
    ("tc_output_padding_low", "conv_transpose", "conv_transpose.values"),
])
def test_a_planted_bug_is_caught_by_its_property(name, op, prop):
    report = run(_target(name), op=op, profile="quick", select=[prop], isolation="inprocess")
    assert report.results[prop].status == Status.FAIL, report.results[prop]


def test_DX_EQ2_the_remainder_property_names_its_clause():
    report = run(_target("dx_remainder_nonzero"), op="conv_input_grad", profile="quick",
                 select=["conv_input_grad.remainder"], isolation="inprocess")
    assert report.results["conv_input_grad.remainder"].failure.message.startswith("[DX-EQ2]")


def test_DX_SH2_remainder_rows_dropped_is_a_shape_violation():
    report = run(_target("dx_remainder_dropped"), op="conv_input_grad", profile="quick",
                 select=["conv_input_grad.remainder"], isolation="inprocess")
    failure = report.results["conv_input_grad.remainder"].failure
    assert failure is not None and failure.message.startswith("[DX-SH2] out.shape=")


def test_DX_AD1_the_adjoint_identity_catches_a_kernel_not_flipped_on_large_problems():
    report = run(_target("dx_kernel_not_flipped"), op="conv_input_grad", profile="quick",
                 select=["conv_input_grad.adjoint"], isolation="inprocess")
    failure = report.results["conv_input_grad.adjoint"].failure
    assert failure is not None and "[DX-AD1]" in failure.message


def test_TC_AD1_conv_transpose_is_compared_with_the_backends_own_input_gradient():
    report = run(MIXED, op="conv_transpose", profile="quick", isolation="inprocess",
                 select=["conv_transpose.metamorphic.input_grad"])
    assert report.results["conv_transpose.metamorphic.input_grad"].status == Status.FAIL
    alone = run(tc_output_padding_low, op="conv_transpose", profile="quick", isolation="inprocess",
                select=["conv_transpose.metamorphic.input_grad"])
    assert alone.results["conv_transpose.metamorphic.input_grad"].status == Status.NOT_CLAIMED


# --------------------------------------------------------------------------- invalid input

INVALID = [(op, cid) for op in OPS for cid in invalid_clauses(op)]


@pytest.mark.parametrize("op, clause", INVALID, ids=[cid for _, cid in INVALID])
def test_invalid_input_is_refused(op, clause):
    pid = f"{op}.invalid.{clause[3:].lower()}"
    accepted = run(lenient, op=op, profile="quick", select=[pid], isolation="inprocess")
    assert accepted.results[pid].status == Status.FAIL
    assert accepted.results[pid].failure.kind == "accepted" and clause in accepted.results[pid].failure.message
    refused = run("reference", op=op, profile="quick", select=[pid], isolation="inprocess")
    assert refused.results[pid].status == Status.PASS


def test_TC_CL1_onnx_rule_is_a_claim():
    claims = Claims(output_padding_below_stride=True)
    backend = Backend("onnx-rule", reference.conv_transpose, claims, op="conv_transpose")
    report = run(backend, op="conv_transpose", profile="quick", isolation="inprocess",
                 select=["conv_transpose.output_padding"])
    assert report.results["conv_transpose.output_padding"].status == Status.NOT_CLAIMED


# --------------------------------------------------------------------------- reproducers and the command line

def test_a_failure_reproducer_reproduces_and_passes_on_a_correct_backend(tmp_path):
    report = run(_target("dw_batch_mean"), op="conv_weight_grad", profile="quick",
                 select=["conv_weight_grad.values"], isolation="inprocess")
    script = report.results["conv_weight_grad.values"].failure.reproducer
    assert "conv_weight_grad = _backend.for_op('conv_weight_grad')" in script
    failing = tmp_path / "failing.py"
    failing.write_text(script)
    done = subprocess.run([sys.executable, str(failing)], capture_output=True, text=True)
    assert done.returncode != 0 and "AssertionError" in done.stderr
    fixed = tmp_path / "fixed.py"
    fixed.write_text(script.replace("_module.dw_batch_mean", "_module.reference.conv_weight_grad"))
    done = subprocess.run([sys.executable, str(fixed)], capture_output=True, text=True)
    assert done.returncode == 0 and "did not reproduce" in done.stdout, done.stderr


def test_the_console_names_the_operation_in_its_rerun_command(tmp_path):
    exe = Path(sys.executable).with_name("convspec")
    done = subprocess.run([str(exe), "check", _target("db_first_item"), "--op", "conv_bias_grad", "--profile", "quick",
                           "--no-cache", "--isolation", "inprocess", "-k", "conv_bias_grad.values"], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 1
    assert "--op conv_bias_grad -k conv_bias_grad.values" in done.stdout
    listed = subprocess.run([str(exe), "properties", "--op", "conv_transpose"], capture_output=True, text=True)
    ids = [line.split()[0] for line in listed.stdout.splitlines()]
    assert ids == property_ids("conv_transpose")


@pytest.mark.parametrize("rank", [1, 2, 3])
@pytest.mark.parametrize("op", ["conv_input_grad", "conv_weight_grad", "conv_bias_grad", "conv_transpose"])
def test_every_meaningless_call_is_refused_by_the_spec_at_every_rank(op, rank):
    # a "meaningless" call that is valid at some rank (dY[0] of a rank-2 dY is a rank-1 dY) would make
    # the harness fail a backend that computes it correctly
    from convspec.conformance.properties.gradients import _meaningless
    from convspec.spec.errors import ClauseViolation
    base = OPERATIONS[op].example(Claims(ranks=(rank,)))
    for note, (_, case) in _meaningless(op, base).items():
        with pytest.raises(ClauseViolation, match=r"^\["):  # (the spec may name an earlier clause the call also breaks)
            OPERATIONS[op].problem(case)
