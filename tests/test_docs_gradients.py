"""The gradients page's generated figures and examples agree with the specification.

The generators in ``docs/hooks/convspec_docs/gradients.py`` compute every number
with ``convspec.spec``; these tests check the drawn data against independent
computations (windows counted directly, the kernel placed by hand), and that a
recipe disagreeing with the specification stops the build.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from convspec.spec import conv2d, conv_transpose

ROOT = Path(__file__).resolve().parents[1]
NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def gradients(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "docs" / "hooks"))
    from convspec_docs import gradients, registry
    registry.load()
    return gradients


def _windows_reading(u: int, size: int, k: int, s: int) -> list[int]:
    """The windows j (starting at j*s, k long, inside the axis) that contain element u."""
    count = (size - k) // s + 1
    return [j for j in range(count) if j * s <= u < j * s + k]


@pytest.mark.clause("DX-EQ1")
def test_scatter_figure_shows_the_windows_and_the_spread(gradients):
    drawn = ET.fromstring(gradients.scatter_svg())
    M, K, (sx, sy) = gradients.M, gradients.K, gradients.STRIDE
    u, v = gradients.SCATTER_AT
    fed = {r.get("data-output"): r.get("data-tap") for r in drawn.iter(f"{NS}rect")
           if r.get("data-output")}
    expected = {f"{i},{j}": f"{u - i * sx},{v - j * sy}"
                for i in _windows_reading(u, M.shape[0], K.shape[0], sx)
                for j in _windows_reading(v, M.shape[1], K.shape[1], sy)}
    assert fed == expected and len(fed) == 4
    # The spread of one dC element: the kernel times that element, on its window only.
    i, j = gradients.SPREAD_FROM
    by_hand = np.zeros(M.shape, dtype=np.int64)
    by_hand[i * sx:i * sx + K.shape[0], j * sy:j * sy + K.shape[1]] = gradients.DC[i, j] * K
    shown = np.zeros(M.shape, dtype=np.int64)
    for r in drawn.iter(f"{NS}rect"):
        if r.get("data-value") is not None:
            p, q = (int(x) for x in r.get("data-cell").split(","))
            shown[p, q] = int(r.get("data-value"))
    assert np.array_equal(shown, by_hand)


@pytest.mark.clause("TC-SH1")
def test_output_padding_figure_matches_the_transposed_convolution(gradients):
    i, k, s = 2, 3, 2
    drawn = ET.fromstring(gradients.output_padding_svg(i, k, s))
    groups = [g for g in drawn.iter(f"{NS}g") if g.get("data-size")]
    assert [int(g.get("data-output-padding")) for g in groups] == list(range(s))
    for g in groups:
        size, op = int(g.get("data-size")), int(g.get("data-output-padding"))
        Y = conv_transpose(np.ones((1, 1, i)), np.ones((1, 1, k)), stride=(s,), padding=((0, 0),),
                           output_padding=(op,), dilation=(1,), groups=1)
        assert Y.shape[-1] == size
        read = [int(r.get("data-read")) for r in g.iter(f"{NS}rect")]
        assert read == [int(bool(_windows_reading(u, size, k, s))) for u in range(size)]
        assert read.count(0) == op  # the remainder is the output_padding


@pytest.mark.clause("DX-EQ2")
def test_unread_elements_are_the_remainder_rows_and_columns(gradients):
    assert gradients.unread() == ({(5, v) for v in range(6)} | {(u, 5) for u in range(6)})
    dM = gradients.input_grad(gradients.DC)
    assert all(dM[cell] == 0 for cell in gradients.unread())


@pytest.mark.clause("DX-AD1", "DW-AD1")
def test_adjoint_example_shows_the_three_equal_sums(gradients):
    from convspec_docs import registry

    C = conv2d(gradients.M, gradients.K, stride=gradients.STRIDE)
    value = int((C * gradients.DC).sum())
    text = registry.expand("<!-- convspec:grad-adjoint -->\n", "gradients.md")
    assert text.count(f"& = {value}") == 3


def test_a_recipe_that_disagrees_with_the_spec_stops_the_build(gradients, monkeypatch):
    """The wrong-side padding (remainder rows at the start) must not be published."""
    from convspec_docs import registry

    wrong = [(hi, lo) for lo, hi in gradients.full_pads()]
    monkeypatch.setattr(gradients, "full_pads", lambda *args: wrong)
    with pytest.raises(registry.MarkerError, match="stride-dilated correlation"):
        registry.expand("<!-- convspec:grad-dilated -->\n", "gradients.md")


def test_gradients_page_shows_the_arrays_the_examples_use(gradients, tmp_path, monkeypatch):
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("convspec_docs_examples_test",
                                                  ROOT / "tests/test_docs_examples.py")
    examples = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, examples)  # its dataclasses look it up there
    spec.loader.exec_module(examples)
    page = ROOT / "docs" / "gradients.md"
    blocks = [b for b in examples.python_blocks(page.read_text(encoding="utf-8"), page.name)
              if "dC = np.array([" in b.source]
    assert blocks, "the example arrays are missing from gradients.md"
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(blocks[0].source, "gradients.md", "exec"), namespace)
    for name, value in (("M", gradients.M), ("K", gradients.K), ("dC", gradients.DC)):
        np.testing.assert_array_equal(namespace[name], value)
