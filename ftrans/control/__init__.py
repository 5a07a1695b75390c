"""Control flow and custom rules: primitives whose params hold closed jaxprs (or the user's
rule functions) and whose rules run the transformations on them (the floor above
``transforms/``). One module each, with the primitive, all its rules and its user function:

- ``cond`` (``lax.cond``, ``lax.switch``), ``scan`` (``lax.scan``), ``while_loop``
  (``lax.while_loop``), ``fori_loop`` (``lax.fori_loop``: a ``scan`` or a ``while``);
- ``custom_jvp``, ``custom_vjp`` (``ftrans.custom_jvp``/``custom_vjp``), ``checkpoint``
  (``ftrans.checkpoint``), and ``custom_lin``, the linear primitive they linearize to.

Importing this package registers them all in ``ftrans.core.PRIMITIVES``.
"""

from . import (  # noqa: F401
    checkpoint,
    cond,
    custom_jvp,
    custom_lin,
    custom_vjp,
    fori_loop,
    scan,
    while_loop,
)
