"""Control flow and custom rules: primitives whose params hold closed jaxprs (or the user's
rule functions) and whose rules run the transformations on them (the floor above
``transforms/``). One module each, with the primitive, all its rules and its user function:

- ``cond`` (``lax.cond``, ``lax.switch``), ``scan`` (``lax.scan``), ``while_loop``
  (``lax.while_loop``), ``fori_loop`` (``lax.fori_loop``: a ``scan`` or a ``while``);
- ``custom_jvp``, ``custom_vjp`` (``ftrans.custom_jvp``/``custom_vjp``), ``checkpoint``
  (``ftrans.checkpoint``), and ``custom_lin``, the linear primitive they linearize to;
- functions built on them, with no primitive of their own: ``associative_scan``
  (``lax.associative_scan``, slicing primitives only) and ``custom_root`` (``lax.custom_root``,
  a ``custom_jvp`` whose rule is the implicit function theorem).

Importing this package registers them all in ``ftrans.core.PRIMITIVES``.
"""

from . import (  # noqa: F401
    associative_scan,
    checkpoint,
    cond,
    custom_jvp,
    custom_lin,
    custom_root,
    custom_vjp,
    fori_loop,
    scan,
    while_loop,
)
