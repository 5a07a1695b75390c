"""The backends' own error (a module of its own, so that backend modules need not import the
package that imports them)."""

from ..errors import DocumentedError


class KernelCompileError(DocumentedError, RuntimeError):
    """A generated CUDA kernel failed to compile; the message names its source file.

    Raised on the CuPy backend when NVRTC rejects a fused kernel ftrans wrote (a bug in
    ftrans: please report it with the file the message names, written under
    ``FTRANS_DUMP_CUDA`` when set). It is a ``RuntimeError``.

    Examples
    --------
    >>> from ftrans.backends.errors import KernelCompileError
    >>> issubclass(KernelCompileError, RuntimeError)
    True
    """
