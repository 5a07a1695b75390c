"""``ftrans.test_util``: JAX's module name for the derivative checks of ``ftrans.testing``.

>>> import ftrans.test_util, ftrans.numpy as fnp
>>> ftrans.test_util.check_grads(fnp.sin, (0.5,), order=2)
"""

from .testing import check_grads

__all__ = ["check_grads"]
