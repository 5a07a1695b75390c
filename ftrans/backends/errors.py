"""The backends' own error (a module of its own, so that backend modules need not import the
package that imports them)."""

from ..errors import DocumentedError


class KernelCompileError(DocumentedError, RuntimeError):
    """A generated CUDA kernel failed to compile; the message names its source file."""
