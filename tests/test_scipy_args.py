"""Arguments of ftrans.scipy's special functions and distributions that are not real numbers
(a string, None, a complex number) raise a TypeError naming the function, the argument, what
was expected and what was given — not NumPy's DTypePromotionError, nor a silently wrong value
(``gamma(1j)`` dropped the imaginary part)."""

import inspect

import numpy as np
import pytest

import ftrans.scipy.special as fsp
import ftrans.scipy.stats as fst

EXPECTED = "must be a real number or an array of real numbers (bool, integer or float), got"


def test_norm_pdf_string_names_function_argument_and_value():
    with pytest.raises(TypeError) as info:
        fst.norm.pdf("a")
    assert str(info.value) == f"norm.pdf: argument 'x' {EXPECTED} a str ('a')"


def test_stats_shape_parameter_named():
    with pytest.raises(TypeError, match=r"^gamma\.cdf: argument 'a' must be a real number.*"
                                        r"got None$"):
        fst.gamma.cdf(1.0, None)
    with pytest.raises(TypeError, match=r"^norm\.logpdf: argument 'scale' .* got a complex "
                                        r"\(1j\)$"):
        fst.norm.logpdf(1.0, 0.0, 1j)


def _special_cases():
    for name in fsp.__all__:
        fn = getattr(fsp, name)
        params = list(inspect.signature(fn).parameters.values())
        required = [p.name for p in params if p.default is inspect.Parameter.empty]
        for i, arg in enumerate(required):
            if (name, arg) in {("polygamma", "n"), ("multigammaln", "d")}:
                continue  # static integers, checked by their own messages
            yield name, i, arg, len(required)


@pytest.mark.parametrize("name,i,arg,n", list(_special_cases()))
@pytest.mark.parametrize("bad,given", [("a", "a str ('a')"), (None, "None"),
                                       (np.array([1j]), "an array of shape (1,) and dtype "
                                                        "complex128")])
def test_special_non_real_argument(name, i, arg, n, bad, given):
    args = [2.0] * n
    if name == "polygamma":
        args[0] = 1
    if name == "multigammaln":
        args[1] = 2
    args[i] = bad
    with pytest.raises(TypeError) as info:
        getattr(fsp, name)(*args)
    own = getattr(fsp, name).__name__  # psi is digamma
    assert str(info.value) == f"{own}: argument {arg!r} {EXPECTED} {given}"


def _stats_cases():
    for dist in ("norm", "t", "beta", "gamma", "chi2", "expon", "laplace", "logistic",
                 "uniform", "cauchy", "poisson", "binom", "bernoulli"):
        module = getattr(fst, dist)
        for method in module.__all__:
            fn = getattr(module, method)
            names = list(inspect.signature(fn).parameters)
            for i, arg in enumerate(names):
                yield dist, method, i, arg, len(names)


@pytest.mark.parametrize("dist,method,i,arg,n", list(_stats_cases()))
def test_stats_non_real_argument(dist, method, i, arg, n):
    args = [0.5] * n
    args[i] = "a"
    with pytest.raises(TypeError) as info:
        getattr(getattr(fst, dist), method)(*args)
    assert str(info.value) == f"{dist}.{method}: argument {arg!r} {EXPECTED} a str ('a')"


@pytest.mark.parametrize("call,message", [
    (lambda: fst.dirichlet.pdf("a", np.ones(2)), "dirichlet: argument 'x'"),
    (lambda: fst.dirichlet.logpdf(np.array([0.5, 0.5]), ["a", "b"]),
     "dirichlet: argument 'alpha'"),
    (lambda: fst.multivariate_normal.pdf("a"), "multivariate_normal.logpdf: argument 'x'"),
    (lambda: fst.multivariate_normal.logpdf(0.0, mean="m"),
     "multivariate_normal.logpdf: argument 'mean'"),
    (lambda: fst.multivariate_normal.logpdf(0.0, cov=1j), "multivariate_normal.logpdf: "
                                                          "argument 'cov'"),
    (lambda: fsp.logsumexp(np.zeros(2), b="b"), "logsumexp: argument 'b'"),
])
def test_multivariate_and_keyword_arguments(call, message):
    with pytest.raises(TypeError, match="^" + message + " " + EXPECTED.replace("(", r"\(")
                       .replace(")", r"\)")):
        call()


def test_real_arguments_still_work():
    assert float(fsp.gamma(np.int64(5))) == 24.0
    assert float(fst.norm.cdf(True)) == pytest.approx(0.841344746068543)
    assert float(fsp.xlogy([0.0], [0.0])[0]) == 0.0


@pytest.mark.parametrize("n,given", [(1.5, "1.5"), (-1, "-1"), ("a", "'a'")])
def test_polygamma_order_must_be_a_non_negative_integer(n, given):
    # 1.5 used to be truncated to 1 silently
    with pytest.raises(TypeError, match=r"^polygamma: the order n must be a non-negative "
                                        r"integer known while tracing, got " + given + "$"):
        fsp.polygamma(n, 1.0)
