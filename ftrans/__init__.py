"""ftrans: JAX-style function transformations of NumPy code.

>>> import ftrans, ftrans.numpy as fnp
>>> ftrans.grad(lambda x: fnp.sin(x) * x)(0.0)
0.0
"""

from . import lax, numpy, prims, tree_util  # noqa: F401
from .api import (  # noqa: F401
                  grad,
                  hessian,
                  hvp,
                  jacfwd,
                  jacobian,
                  jacobian_columns,
                  jacobian_rows,
                  jacrev,
                  jvp,
                  linear_transpose,
                  linearize,
                  make_jaxpr,
                  value_and_grad,
                  vjp,
                  vmap,
)
from .core import (  # noqa: F401
                  ConcretizationError,
                  TracerArrayConversionError,
                  UnexpectedTracerError,  # noqa: F401
)
from .ir import ClosedJaxpr, Jaxpr, ShapedArray, check_jaxpr  # noqa: F401

__version__ = "0.1.0"
from .jit import jit  # noqa: F401,E402
from .testing import check_grads  # noqa: F401,E402
