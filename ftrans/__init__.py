"""ftrans: JAX-style function transformations of NumPy code.

>>> import ftrans, ftrans.numpy as fnp
>>> ftrans.grad(lambda x: fnp.sin(x) * x)(0.0)
0.0
"""

from . import lax, numpy, prims, tree_util, typing  # noqa: F401
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
                  print_saved_residuals,
                  saved_residuals,
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
from . import (  # noqa: F401,E402
                  config,
                  explain,
                  random,
                  scipy,  # noqa: F401,E402
)
from .control.checkpoint import checkpoint, checkpoint_policies, remat  # noqa: F401,E402
from .control.custom_jvp import custom_jvp  # noqa: F401,E402
from .control.custom_vjp import custom_vjp  # noqa: F401,E402
from .cost import jacobian_cost  # noqa: F401,E402
from .jit import jit  # noqa: F401,E402
from .prims.callback import pure_callback  # noqa: F401,E402
from .prims.stop_gradient import stop_gradient  # noqa: F401,E402
from .sparse import (  # noqa: F401,E402
                  SparseJacobian,
                  Sparsity,
                  hessian_sparsity,
                  jacobian_sparsity,
                  sparse_hessian,
                  sparse_jacobian,
)
from .testing import check_grads  # noqa: F401,E402

# isort: split
from .backends import BackendUnavailableError, KernelCompileError  # noqa: F401,E402
from .device import (  # noqa: F401,E402
                     BackendMismatchError,
                     DeviceOutOfMemoryError,
                     block_until_ready,
                     default_backend,
                     device_get,
                     device_put,
)

# isort: split
from . import test_util  # noqa: F401,E402
from .shapes import ShapeDtypeStruct, eval_shape  # noqa: F401,E402

__all__ = ["grad", "hessian", "hvp", "jacfwd", "jacobian", "jacobian_columns", "jacobian_rows",
           "jacrev", "jvp", "linear_transpose", "linearize", "make_jaxpr", "print_saved_residuals",
           "saved_residuals", "value_and_grad", "vjp", "vmap", "ConcretizationError",
           "TracerArrayConversionError", "UnexpectedTracerError", "ClosedJaxpr", "Jaxpr",
           "ShapedArray", "check_jaxpr", "checkpoint", "checkpoint_policies", "remat", "custom_jvp",
           "custom_vjp", "jacobian_cost", "jit", "pure_callback", "stop_gradient", "SparseJacobian",
           "Sparsity", "hessian_sparsity", "jacobian_sparsity", "sparse_hessian", "sparse_jacobian",
           "check_grads", "BackendUnavailableError", "KernelCompileError", "BackendMismatchError",
           "DeviceOutOfMemoryError", "block_until_ready", "default_backend", "device_get",
           "device_put", "ShapeDtypeStruct", "eval_shape", "config", "explain", "lax", "numpy",
           "random", "scipy", "test_util", "tree_util", "typing"]
