"""``ftrans.scipy.stats``: SciPy's probability distributions, differentiable in ``x`` and
in every parameter, batched under ``vmap``, compiled by ``jit``, on CuPy.

One module per distribution, with SciPy's method names and signatures (as JAX's and
autograd's ``scipy.stats``: ``import ftrans.scipy.stats.norm as norm`` works too):

- continuous, ``(x, *shapes, loc=0, scale=1)``: ``norm``, ``t`` (df), ``beta`` (a, b),
  ``gamma`` (a), ``chi2`` (df), ``expon``, ``laplace``, ``logistic``, ``uniform``,
  ``cauchy`` — ``pdf``, ``logpdf``, ``cdf``, ``logcdf``, ``sf``, ``logsf``, ``ppf``, ``isf``;
- discrete, ``(k, *shapes, loc=0)``: ``poisson`` (mu), ``binom`` (n, p), ``bernoulli`` (p)
  — ``pmf``, ``logpmf``, ``cdf``, ``logcdf``, ``sf``, ``logsf``, ``ppf``;
- multivariate: ``dirichlet`` (``pdf``, ``logpdf``), ``multivariate_normal`` (``pdf``,
  ``logpdf``; ``allow_singular``).

Values and edge values are SciPy's (``_common.py``: outside the support, at its ends,
invalid parameters). The shapes of beta, gamma, chi2 and t enter their cdf, sf and ppf
through the incomplete beta and gamma functions, differentiable in them to first order.

>>> import ftrans
>>> from ftrans.scipy.stats import norm
>>> round(float(ftrans.grad(norm.logpdf, argnums=2)(1.0, 0.0, 2.0)), 12)  # d/dscale
-0.375
"""

from . import (  # noqa: F401
    bernoulli,
    beta,
    binom,
    cauchy,
    chi2,
    dirichlet,
    expon,
    gamma,
    laplace,
    logistic,
    multivariate_normal,
    norm,
    poisson,
    t,
    uniform,
)

__all__ = ["bernoulli", "beta", "binom", "cauchy", "chi2", "dirichlet", "expon", "gamma", "laplace",
           "logistic", "multivariate_normal", "norm", "poisson", "t", "uniform"]
