"""The public transformations, one module per job: ``checks`` (arguments in, results out),
``derivatives`` (``jvp``, ``linearize``, ``vjp``, ``grad``...: the function traced once,
concretely), ``derived`` (``linear_transpose``, ``hvp``, ``saved_residuals``: built on
those), ``jacobians`` (the Jacobian engine: basis batching, chunks), ``selected`` (chosen
columns and rows) and ``batching`` (``vmap``, ``make_jaxpr``: traced abstractly). This
package re-exports the public names.

>>> import ftrans.api as api
>>> api.grad(lambda x: x * x)(3.0)
6.0
"""

from .batching import make_jaxpr, vmap
from .derivatives import grad, jvp, linearize, value_and_grad, vjp
from .derived import hvp, linear_transpose, print_saved_residuals, saved_residuals
from .jacobians import hessian, jacfwd, jacobian, jacrev
from .selected import jacobian_columns, jacobian_rows

__all__ = ["jvp", "linearize", "vjp", "linear_transpose", "grad", "value_and_grad", "jacfwd",
           "jacrev", "jacobian", "jacobian_columns", "jacobian_rows", "hessian", "hvp", "vmap",
           "make_jaxpr", "saved_residuals", "print_saved_residuals"]
