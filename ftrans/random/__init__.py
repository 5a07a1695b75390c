"""``ftrans.random``: JAX-style random numbers from explicit keys.

A key is a ``uint32`` array of shape ``(2,)`` (``PRNGKey(seed)``); functions take a key and
never change it: ``split`` and ``fold_in`` make new keys. Every number is computed from the
key by the Threefry-2x32 block cipher applied to a counter (JAX's default generator, with
its counters and formulas), so a key gives the same numbers on NumPy and on CuPy, under
``jit`` and under ``vmap`` (``vmap`` over a batch of keys draws for each key what it would
draw alone), and the same numbers as ``jax.random`` with ``jax_enable_x64``. Defaults follow
NumPy 2: float64 and int64.

Draws are reparameterised where JAX's are: ``uniform`` in ``minval``/``maxval``,
``truncated_normal`` in its bounds, ``multivariate_normal`` in ``mean`` and ``cov``, and
``mu + sigma * normal(key)`` style code; ``gamma``, ``loggamma``, ``beta`` and
``dirichlet`` have implicit reparameterisation gradients in their shape parameters.

>>> import ftrans, ftrans.random as fr, numpy as np
>>> key = fr.PRNGKey(0)
>>> k1, k2 = fr.split(key)
>>> x = fr.normal(k1, (3,))
>>> ftrans.vmap(lambda k: fr.uniform(k, (2,)))(fr.split(key, 4)).shape
(4, 2)
"""

from ._continuous import (  # noqa: F401
    cauchy,
    exponential,
    gumbel,
    laplace,
    logistic,
    lognormal,
    multivariate_normal,
    normal,
    truncated_normal,
    uniform,
)
from ._discrete import (  # noqa: F401
    bernoulli,
    categorical,
    choice,
    permutation,
    poisson,
    randint,
)
from ._gamma import beta, chisquare, dirichlet, gamma, loggamma, t  # noqa: F401
from ._keys import (  # noqa: F401
    PRNGKey,
    bits,
    clone,
    fold_in,
    key,
    key_data,
    split,
    wrap_key_data,
)

__all__ = ["cauchy", "exponential", "gumbel", "laplace", "logistic", "lognormal",
           "multivariate_normal", "normal", "truncated_normal", "uniform", "bernoulli",
           "categorical", "choice", "permutation", "poisson", "randint", "beta", "chisquare",
           "dirichlet", "gamma", "loggamma", "t", "PRNGKey", "bits", "clone", "fold_in", "key",
           "key_data", "split", "wrap_key_data"]
