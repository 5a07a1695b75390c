"""Sample rows for the special functions added with issue 14 (``ftrans.scipy.special``'s
gamma and beta families, Bessel I, zeta, expi, the normal distribution's functions) and for
``ftrans.scipy.stats``; see ``samples.py``.

Arguments a row does not differentiate (the orders of zeta, iv; the shape parameters past
first order) are constants of the row's function.
"""

from __future__ import annotations

import numpy as np
from samples_core import Sample, pos, r

import ftrans
import ftrans.numpy as fnp
import ftrans.scipy.special as fsp
from ftrans.prims import incomplete as pinc
from ftrans.scipy import stats as fst

A3 = np.array([0.7, 2.5, 6.0])
B3 = np.array([1.5, 0.8, 3.0])


def _c(c: np.ndarray, x) -> np.ndarray:
    """The constant ``c`` in ``x``'s dtype (a primitive bound directly wants equal dtypes)."""
    return c.astype(x.dtype)


SPECIAL2_SAMPLES: list[Sample] = [
    Sample("gamma", fsp.gamma, (r(3, lo=0.3, hi=4.0),)),
    Sample("gamma", fsp.gamma, (r(3, lo=-2.7, hi=-2.3),)),
    Sample("ndtri", fsp.ndtri, (r(3, lo=0.05, hi=0.9),)),
    Sample("ndtri", fsp.erfcinv, (r(3, lo=0.1, hi=1.8),)),
    Sample("log_ndtr", fsp.log_ndtr, (r(2, 3, lo=-30.0, hi=8.0),)),
    Sample("erfc", fsp.ndtr, (r(3, lo=-3.0, hi=3.0),)),
    Sample("expi", fsp.expi, (r(3, lo=0.2, hi=3.0),)),
    Sample("expi", fsp.expi, (r(3, lo=-3.0, hi=-0.2),)),
    Sample("zeta", lambda q: fsp.zeta(3.0, q), (pos(3),)),
    Sample("zeta_ds", lambda q: ftrans.grad(lambda s: fnp.sum(fsp.zeta(s, q)))(
        np.array([2.5, 3.0, 4.5])), (pos(3),)),
    Sample("zeta", lambda q: fsp.zeta(np.array([2.0, 4.0, 3.0]), q), (r(3, lo=-2.7, hi=-2.3),)),
    Sample("igamma", lambda x: fsp.gammainc(A3, x), (pos(3),)),
    Sample("igamma", lambda x: fsp.gammaincc(A3, x), (r(3, lo=1.0, hi=8.0),)),
    Sample("igamma_grad_a", lambda x: pinc.igamma_grad_a_p.bind(_c(A3, x), x, upper=False),
           (pos(3),)),
    Sample("igamma_grad_a", lambda x: pinc.igamma_grad_a_p.bind(_c(A3, x), x, upper=True),
           (r(3, lo=2.0, hi=7.0),)),
    Sample("betainc", lambda x: fsp.betainc(A3, B3, x), (r(3, lo=0.1, hi=0.9),)),
    Sample("betainc_grad", lambda x: pinc.betainc_grad_p.bind(_c(A3, x), _c(B3, x), x, argnum=0),
           (r(3, lo=0.1, hi=0.9),)),
    Sample("betainc_grad", lambda x: pinc.betainc_grad_p.bind(_c(A3, x), _c(B3, x), x, argnum=1),
           (r(3, lo=0.1, hi=0.9),)),
    Sample("igamma_inv", lambda p: fsp.gammaincinv(A3, p), (r(3, lo=0.05, hi=0.9),)),
    Sample("igamma_inv", lambda p: fsp.gammainccinv(A3, p), (r(3, lo=0.05, hi=0.9),)),
    Sample("betainc_inv", lambda p: fsp.betaincinv(A3, B3, p), (r(3, lo=0.05, hi=0.9),)),
    Sample("bessel_iv", lambda x: fsp.iv(np.array([0.5, 2.0, -1.5]), x), (pos(3),)),
    Sample("bessel_iv", lambda x: fsp.ive(np.array([0.0, 3.0, 1.2]), x), (r(3, lo=0.3, hi=40.0),)),
    Sample("bessel_i01", fsp.i0, (r(3, lo=-3.0, hi=3.0),)),
    Sample("bessel_i01", fsp.i0e, (r(3, lo=0.2, hi=3.0),)),
    Sample("bessel_i01", fsp.i1, (r(3, lo=-3.0, hi=3.0),)),
    Sample("bessel_i01", fsp.i1e, (r(3, lo=-3.0, hi=-0.2),)),
    # compositions
    Sample("lgamma", fsp.betaln, (pos(3), r(3, lo=0.5, hi=30.0))),
    Sample("lgamma", fsp.betaln, (r(3, lo=12.0, hi=40.0), r(3, lo=11.0, hi=60.0))),
    Sample("lgamma", fsp.beta, (pos(3), pos(3))),
    Sample("lgamma", lambda a: fsp.multigammaln(a, 3), (r(3, lo=1.5, hi=5.0),)),
    Sample("log", fsp.entr, (pos(3),)),
    Sample("log", fsp.rel_entr, (pos(3), pos(3))),
    Sample("log", fsp.kl_div, (pos(3), pos(3))),
    Sample("sin", fsp.sinc, (np.array([0.0, 0.03, -1.3]),)),
]

_COV = np.array([[2.0, 0.3, 0.1], [0.3, 1.0, -0.2], [0.1, -0.2, 1.5]])

STATS_SAMPLES: list[Sample] = [
    Sample("log", lambda x, loc, scale: fst.norm.logpdf(x, loc, scale), (r(3), r(3), pos(3))),
    Sample("log_ndtr", lambda x, loc: fst.norm.logcdf(x, loc, 1.3), (r(3, lo=-9, hi=3), r(3))),
    Sample("ndtri", lambda q, s: fst.norm.ppf(q, 0.2, s), (r(3, lo=0.05, hi=0.9), pos(3))),
    Sample("lgamma", lambda x, df: fst.t.logpdf(x, df, 0.1, 1.2), (r(3, lo=-4, hi=4), pos(3))),
    Sample("betainc", lambda x, s: fst.t.cdf(x, 3.5, 0.1, s), (r(3, lo=-4, hi=4), pos(3))),
    Sample("betainc_inv", lambda q: fst.t.ppf(q, 4.5), (r(3, lo=0.05, hi=0.9),)),
    Sample("lgamma", lambda x, a, b: fst.beta.logpdf(x, a, b), (r(3, lo=0.1, hi=0.85), pos(3),
                                                              pos(3))),
    Sample("betainc", lambda x: fst.beta.sf(x, 2.5, 1.5), (r(3, lo=0.1, hi=0.85),)),
    Sample("betainc_inv", lambda q: fst.beta.ppf(q, 2.5, 1.5), (r(3, lo=0.05, hi=0.9),)),
    Sample("igamma", lambda x, s: fst.gamma.cdf(x, 2.5, 0.0, s), (pos(3), pos(3))),
    Sample("igamma_inv", lambda q: fst.gamma.ppf(q, 2.5), (r(3, lo=0.05, hi=0.9),)),
    Sample("igamma", lambda x: fst.chi2.logsf(x, 3.0), (pos(3),)),
    Sample("expm1", lambda x, s: fst.expon.logcdf(x, 0.0, s), (pos(3), pos(3))),
    Sample("abs", lambda x, loc: fst.laplace.logpdf(x, loc, 1.5), (r(3), r(3, lo=1.5, hi=2))),
    Sample("logistic", lambda x, s: fst.logistic.cdf(x, 0.1, s), (r(3), pos(3))),
    Sample("atan2", lambda x, s: fst.cauchy.cdf(x, 0.1, s), (r(3, lo=-3, hi=3), pos(3))),
    Sample("div", lambda x, s: fst.uniform.cdf(x, -2.0, s), (r(3), r(3, lo=3, hi=4))),
    Sample("log", lambda mu: fst.poisson.logpmf(np.array([0.0, 2.0, 5.0]), mu), (pos(3),)),
    Sample("igamma", lambda mu: fst.poisson.cdf(np.array([0.0, 2.0, 5.0]), mu), (pos(3),)),
    Sample("betainc", lambda p: fst.binom.cdf(np.array([1.0, 3.0, 6.0]), 8.0, p),
           (r(3, lo=0.2, hi=0.8),)),
    Sample("log1p", lambda p: fst.bernoulli.logpmf(np.array([0.0, 1.0, 0.0]), p),
           (r(3, lo=0.2, hi=0.8),)),
    Sample("lgamma", lambda x, a: fst.dirichlet.logpdf(x, a), (r(2, lo=0.2, hi=0.4), pos(3))),
    Sample("cholesky", lambda x, m, c: fst.multivariate_normal.logpdf(x, m, (c + c.T) / 2),
           (r(2, 3), r(3), _COV)),
]
