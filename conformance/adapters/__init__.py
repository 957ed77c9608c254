"""Adapters that present real libraries as convspec backends.

Each module wraps one library's usual way of computing Eq 2 and exposes a
`Backend` named ``BACKEND`` whose
`Claims` state what that library itself
promises: the dtypes it computes natively, whether it is a direct or an
FFT-based method, and so on.  An adapter never converts a dtype the library
does not support; it leaves that dtype out of its claims instead.

The modules are imported only when asked for, so a missing library costs
nothing until its adapter is loaded, and then `load` says which package
to install rather than failing with a bare ``ImportError``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from convspec.conformance.backend import Backend, BackendLoadError


@dataclass(frozen=True)
class AdapterEntry:
    """Where a bundled adapter lives and what it needs.

    Attributes:
        module: the module's name inside this package.
        requires: top-level import names of the libraries it wraps.
        extra: the convspec extra that installs them, or None if they are
            convspec's own dependencies.
        ops: the operations the adapter computes, its default first (``conv2d``, the core;
            ``conv``, the layer; the gradients and ``conv_transpose``).  One name may be given
            for one operation.
    """

    module: str
    requires: tuple[str, ...]
    extra: str | None = None
    ops: tuple[str, ...] = ("conv2d",)

    def __post_init__(self) -> None:
        if isinstance(self.ops, str):
            object.__setattr__(self, "ops", (self.ops,))

    @property
    def op(self) -> str:
        """The operation ``convspec check NAME`` runs when no ``--op`` is given."""
        return self.ops[0]


#: The gradient operations, in the order an adapter providing them lists them.
GRADIENTS = ("conv_input_grad", "conv_weight_grad", "conv_bias_grad")

REGISTRY: dict[str, AdapterEntry] = {
    "scipy": AdapterEntry("scipy_signal", ("scipy",)),
    "scipy-ndimage": AdapterEntry("scipy_ndimage", ("scipy",)),
    "scipy-fft": AdapterEntry("scipy_fft", ("scipy",)),
    "numpy": AdapterEntry("numpy_einsum", ("numpy",)),
    "torch": AdapterEntry("torch_cpu", ("torch",), "torch"),
    "jax": AdapterEntry("jax_cpu", ("jax", "jaxlib"), "jax"),
    "onnxruntime": AdapterEntry("onnxruntime_conv", ("onnx", "onnxruntime"), "onnxruntime"),
    "onnx-reference": AdapterEntry("onnx_reference", ("onnx",), "onnx"),
    "opencv": AdapterEntry("opencv_filter2d", ("cv2",), "opencv"),
    "tensorflow": AdapterEntry("tensorflow_cpu", ("tensorflow",), "tensorflow"),
    "torch-layer": AdapterEntry("torch_layer", ("torch",), "torch", "conv"),
    "onnxruntime-layer": AdapterEntry("onnxruntime_layer", ("onnx", "onnxruntime"), "onnxruntime", "conv"),
    "onnx-reference-layer": AdapterEntry("onnx_reference_layer", ("onnx",), "onnx", "conv"),
    "jax-layer": AdapterEntry("jax_layer", ("jax", "jaxlib"), "jax", "conv"),
    "tensorflow-layer": AdapterEntry("tensorflow_layer", ("tensorflow",), "tensorflow", "conv"),
    "torch-grad": AdapterEntry("torch_gradients", ("torch",), "torch", GRADIENTS + ("conv_transpose",)),
    "jax-grad": AdapterEntry("jax_gradients", ("jax", "jaxlib"), "jax", GRADIENTS + ("conv_transpose",)),
    "torch-autograd": AdapterEntry("torch_autograd", ("torch",), "torch", ("conv_input_grad", "conv_weight_grad")),
    "onnxruntime-transpose": AdapterEntry("onnxruntime_transpose", ("onnx", "onnxruntime"), "onnxruntime",
                                          "conv_transpose"),
    "onnx-reference-transpose": AdapterEntry("onnx_reference_transpose", ("onnx",), "onnx", "conv_transpose"),
    "tensorflow-grad": AdapterEntry("tensorflow_gradients", ("tensorflow",), "tensorflow",
                                    GRADIENTS + ("conv_transpose",)),
}

#: The bundled adapter names, in the order they are listed to users.
NAMES: tuple[str, ...] = tuple(REGISTRY)


def names_for(op: str) -> tuple[str, ...]:
    """The bundled adapters that compute operation ``op``."""
    return tuple(name for name, entry in REGISTRY.items() if op in entry.ops)


def load(name: str) -> Backend:
    """Import the adapter called ``name`` and return its backend.

    Raises:
        BackendLoadError: ``name`` is not a bundled adapter, or the library it
            wraps is not installed (the message names the package to install).
    """
    entry = REGISTRY.get(name)
    if entry is None:
        raise BackendLoadError(f"no bundled adapter {name!r}; known adapters: {', '.join(NAMES)}")
    try:
        module = importlib.import_module(f"{__name__}.{entry.module}")
    except ImportError as exc:
        missing = (exc.name or "").partition(".")[0]
        if missing not in entry.requires:
            raise
        hint = f"pip install 'convspec[{entry.extra}]'" if entry.extra else f"pip install {missing}"
        raise BackendLoadError(
            f"adapter {name!r} needs the library {missing!r}, which is not installed; "
            f"install it with: {hint}"
        ) from exc
    return module.BACKEND
