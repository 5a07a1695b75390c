"""The special functions' CUDA element functions (``kernels/ft_math.cuh``, ``ft_special.cuh``),
built for the host with g++ and run over grids that reach the poles, the tails, the edges of
the domains and the edge values (inf, nan, ±0):

- against the NumPy-only implementations (``ftrans/prims/special_numpy.py``,
  ``incomplete_numpy.py``), which they follow step by step: 1e-12 everywhere (1e-5 in float32);
- against SciPy (the default impls when it is installed): 1e-12 too, except where SciPy's own
  value is known to lose digits (listed in ``_scipy_allowance``, each checked in
  ``test_special_more.py`` against values from mpmath).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from cuda_harness import (
    CXX,
    EDGES,
    HostLib,
    Program,
    all_groups,
    assert_close,
    reference_env,
    tolerance,
)

import ftrans
import ftrans.numpy as fnp
import ftrans.prims.special as prims_special
import ftrans.scipy.special as fsp
from ftrans.backends import cuda_codegen as cg
from ftrans.prims import incomplete as pinc
from ftrans.prims import special as ps

pytestmark = pytest.mark.skipif(CXX is None, reason="no C++ compiler")

try:
    import scipy.special as sc
except ImportError:  # pragma: no cover - SciPy is in the test extra
    sc = None


def _grid() -> np.ndarray:
    """Arguments for the functions of one variable: a fine grid over [-30, 60], values near
    the poles and the zeros, wide magnitudes both ways, [-1, 1] and [0, 1] up to their ends."""
    poles = np.arange(-25.0, 1.0)
    parts = [np.linspace(-30.0, 60.0, 1801), poles + 1e-9, poles - 1e-6, poles + 0.5,
             np.logspace(-300, 300, 121), -np.logspace(-300, 3, 61),
             np.linspace(-1.0, 1.0, 401), 1 - np.logspace(-16, -1, 31),
             -1 + np.logspace(-16, -1, 31), np.logspace(-320, -1, 60), 2 - np.logspace(-16, -1, 16),
             [1.4616321449683622, -0.5040830082644554, 0.3725074107813666],
             np.asarray(EDGES)]
    return np.concatenate([np.asarray(p, np.float64) for p in parts])


def _mesh(*axes: list) -> tuple[np.ndarray, ...]:
    grids = np.meshgrid(*[np.asarray(a, np.float64) for a in axes], indexing="ij")
    return tuple(g.ravel() for g in grids)


_EDGE = [0.0, -0.0, np.inf, -np.inf, np.nan]
_SHAPES = [1e-3, 0.01, 0.1, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 9.9, 10.0, 10.1, 20.0, 50.0, 100.0,
           1e3, -1.0, *_EDGE]
_POSITIVE = [1e-300, 1e-10, 1e-3, 0.01, 0.1, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 9.9, 10.0, 10.1,
             20.0, 50.0, 100.0, 1e3, 1e4, 1e6, 1e7, 1e12, -1.0, *_EDGE]
_UNIT = [1e-300, 1e-10, 1e-3, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 1 - 1e-10, 1.0, -0.1, 1.1,
         *_EDGE]
_PROBS = [1e-300, 1e-100, 1e-20, 1e-10, 1e-5, 1e-3, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99,
          1 - 1e-5, 1 - 1e-10, 1 - 1e-15, 1.0, 1.1, -0.1, *_EDGE]
_ORDERS = [-50.5, -10.3, -10.0, -3.5, -1.0, -0.5, 0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 7.5,
           20.0, 50.0, 100.0, *_EDGE]
_BESSEL_X = [-100.0, -3.0, -1.0, 1e-300, 1e-10, 1e-3, 0.1, 0.5, 1.0, 2.5, 10.0, 29.9, 30.0,
             50.0, 100.0, 700.0, 710.0, 800.0, 1e4, *_EDGE]
_ZETA_S = [-1.0, 0.5, 1.0, 1.0001, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 7.0, 10.0, 20.0, 50.0, 100.0,
           *_EDGE]
_ZETA_Q = [-1e300, -1e7 - 0.5, -3.5, -3.0, -0.5, -1e-3, 1e-300, 1e-5, 0.3, 1.0, 2.5, 10.0,
           1e3, 1e8, 1e300, *np.linspace(-4.9, 4.9, 15), *_EDGE]


def _bind_grad_a(a, x):
    return pinc.igamma_grad_a_p.bind(a, x, upper=False)


def _bind_betainc_grad(argnum):
    return lambda a, b, x: pinc.betainc_grad_p.bind(a, b, x, argnum=argnum)


UNARY = [
    ("erf", fsp.erf), ("erfc", fsp.erfc), ("erfinv", fsp.erfinv), ("gammaln", fsp.gammaln),
    ("digamma", fsp.digamma), ("polygamma1", lambda x: fsp.polygamma(1, x)),
    ("polygamma2", lambda x: fsp.polygamma(2, x)), ("polygamma5", lambda x: fsp.polygamma(5, x)),
    ("gamma", fsp.gamma), ("ndtri", fsp.ndtri), ("erfcinv", fsp.erfcinv),
    ("log_ndtr", fsp.log_ndtr), ("ndtr", fsp.ndtr), ("expi", fsp.expi),
    ("i0", fsp.i0), ("i0e", fsp.i0e), ("i1", fsp.i1), ("i1e", fsp.i1e),
    ("zeta2", lambda x: fsp.zeta(2.0, x)), ("zeta3", lambda x: fsp.zeta(3.0, x)),
    ("logaddexp", lambda x: fnp.logaddexp(x, x[::-1])),
    ("logaddexp2", lambda x: fnp.logaddexp2(x, fnp.roll(x, 7))),
    ("logaddexp-same", lambda x: fnp.logaddexp(x, x) + fnp.logaddexp2(x, x)),
]

SEVERAL = [
    ("gammainc", fsp.gammainc, _mesh(_POSITIVE, _POSITIVE)),
    ("gammaincc", fsp.gammaincc, _mesh(_POSITIVE, _POSITIVE)),
    ("igamma_grad_a", _bind_grad_a, _mesh(_POSITIVE, _POSITIVE)),
    ("betainc", fsp.betainc, _mesh(_SHAPES, _SHAPES, _UNIT)),
    ("betainc_grad0", _bind_betainc_grad(0), _mesh(_SHAPES, _SHAPES, _UNIT)),
    ("betainc_grad1", _bind_betainc_grad(1), _mesh(_SHAPES, _SHAPES, _UNIT)),
    ("gammaincinv", fsp.gammaincinv, _mesh(_POSITIVE, _PROBS)),
    ("gammainccinv", fsp.gammainccinv, _mesh(_POSITIVE, _PROBS)),
    ("betaincinv", fsp.betaincinv, _mesh(_SHAPES, _SHAPES, _PROBS)),
    ("iv", fsp.iv, _mesh(_ORDERS, _BESSEL_X)),
    ("ive", fsp.ive, _mesh(_ORDERS, _BESSEL_X)),
    ("zeta", fsp.zeta, _mesh(_ZETA_S, _ZETA_Q)),
    ("zeta_ds", lambda s, q: ps.zeta_ds_p.bind(s, q), _mesh(_ZETA_S, _ZETA_Q)),
]


def _programs(dtype) -> list[tuple[Program, list[np.ndarray]]]:
    out = []
    with np.errstate(all="ignore"):
        x = _grid().astype(dtype)
        cases = [(n, f, (x,)) for n, f in UNARY] + \
            [(n, f, tuple(a.astype(dtype) for a in args)) for n, f, args in SEVERAL]
    for name, fun, args in cases:
        cj = ftrans.make_jaxpr(fun)(*args)
        out.append((Program(name, cj.jaxpr, cj.consts, cg.plan_jaxpr(cj.jaxpr)), list(args)))
    return out


def _numpy_only_env(p: Program, args: list) -> dict:
    saved = prims_special._scipy_special
    prims_special._scipy_special = False
    try:
        return reference_env(p.jaxpr, p.consts, args)
    finally:
        prims_special._scipy_special = saved


def _scipy_allowance(name: str, args: list, want: np.ndarray) -> tuple[np.ndarray, float]:
    """(rtol, atol) beyond 1e-12 where SciPy is less accurate than the algorithms here (each
    case checked against mpmath in test_special_more.py)."""
    eps = np.finfo(np.float64).eps
    with np.errstate(all="ignore"):
        x = np.asarray(args[0], np.float64)
        w = np.abs(np.asarray(want, np.float64))
        if name == "digamma":  # near the poles SciPy's reflection loses |x|/d digits
            d = np.abs(x - np.round(x))
            return np.where(x < 0, 8 * eps * np.abs(x) / d, 0.0), 0.0
        if name.startswith("polygamma"):  # negative x: terms of n!/d^(n+1) cancel
            n = int(name[len("polygamma"):])
            d = np.abs(x - np.round(x))
            return np.where(x < 0, 8 * eps * math.factorial(n) / d ** (n + 1) / w, 0.0), 0.0
        if name in ("zeta2", "zeta3", "zeta"):  # negative q cancels as polygamma; large s
            q = np.asarray(args[-1], np.float64)
            s = 2.0 if name == "zeta2" else 3.0 if name == "zeta3" else np.asarray(args[0])
            d = np.abs(q - np.round(q))
            cancel = np.where(q < 0, 8 * eps * np.abs(d) ** -np.minimum(s, 300) / w, 0.0)
            # SciPy: up to 1e-5 off for s >= 20 and q >= 10 (mpmath agrees with ftrans)
            return np.maximum(cancel, np.where(s >= 20, 1e-4, 0.0)), 0.0
        if name == "betainc":  # SciPy loses digits below ~1e-200 and for a, b <= 1e-3
            a, b = np.asarray(args[0]), np.asarray(args[1])
            return np.where((a < 0.01) | (b < 0.01) | (a >= 1e3) | (b >= 1e3), 1e-9, 0.0), 1e-200
        if name in ("iv", "ive"):  # SciPy gives 0 for I_v(1e-300), v > 0 not integer
            v = np.asarray(args[0])
            return np.where(np.abs(v) >= 50, 1e-11, 0.0), 1e-70
        if name in ("gammaincinv", "gammainccinv"):  # SciPy's gammainc is 1e-6 off, a >= 1e6
            a = np.asarray(args[0])
            return np.where(a >= 1e6, 1e-5, 0.0), 1e-300
        if name == "betaincinv":  # inherits betainc's allowances; tails: x = e^t, |t| ~ 700
            a, b = np.asarray(args[0]), np.asarray(args[1])
            return np.where((a < 0.01) | (b < 0.01) | (a >= 1e3) | (b >= 1e3), 1e-9, 1e-11), \
                1e-300
        if name == "gammainc" or name == "gammaincc":  # large a: Temme's expansion there
            a = np.asarray(args[0])
            return np.where(a >= 1e3, 1e-10, 0.0), 1e-300
    return np.zeros_like(w), 0.0


# absolute tolerances beside 1e-12 relative, for values near a function's zeros
_ATOL = {"gammaln": 1e-15, "digamma": 1e-15, "expi": 1e-15, "erfinv": 1e-300}


def _scipy_differs(name: str, args: list) -> np.ndarray | bool:
    """Where ftrans's edge value differs from SciPy's on purpose: ζ(inf, q) for q > 1 is
    ``q^-inf = 0`` (SciPy: nan, though 0 for q = 1e300 and inf); the inverses' edges."""
    if name == "zeta":
        return (np.asarray(args[0]) == np.inf) & (np.asarray(args[1]) > 1)
    if name in ("gammaincinv", "gammainccinv", "betaincinv"):
        # SciPy: numbers for p outside [0, 1] with tiny a, 2.2e-308 (not 0) where x
        # underflows, nan for some a, b = 0 or inf; ftrans: nan outside [0, 1], x's value
        p, a = np.asarray(args[-1], np.float64), np.asarray(args[0], np.float64)
        b = np.asarray(args[1], np.float64) if name == "betaincinv" else a
        out = (p < 0) | (p > 1) | (a < 1e-200) | (b < 1e-200) | np.isinf(a) | np.isinf(b)
        return out | ((p < 1e-250) & (name == "betaincinv"))  # SciPy: nan there
    return False


def _check(p: Program, lib: HostLib, env: dict, dtype, what: str, allowance=None,
           skip: np.ndarray | bool = False) -> None:
    tol = tolerance(dtype)
    for g in p.plan.groups:
        for v, got in zip(g.outputs, lib.run(g, [env[id(u)].astype(dtype) for u in g.inputs])):
            want = env[id(v)].astype(dtype)
            if v in p.jaxpr.outvars:
                want = np.where(skip, got, want)
            rtol, atol = allowance(want) if allowance is not None else (0.0, 0.0)
            base = _ATOL.get(p.name, 1e-300) if dtype == np.float64 else tol
            if "grad" in p.name:  # derivatives in a, b: dual iterations, rounded differently
                rtol = np.maximum(rtol, 1e-10)
            if p.name.endswith("inv") and p.name != "erfinv":  # x = e^t: errors grow with |t|
                rtol = np.maximum(rtol, 1e-11)
            assert_close(got, want, np.maximum(tol, rtol), max(atol, base),
                         f"{p.name}[{np.dtype(dtype).name}] vs {what}")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_element_functions_match_the_numpy_implementations(dtype):
    progs = _programs(dtype)
    lib = HostLib(all_groups([p for p, _ in progs]))
    for p, args in progs:
        assert p.plan.groups, p.name
        _check(p, lib, _numpy_only_env(p, args), dtype, "NumPy")


@pytest.mark.skipif(sc is None, reason="SciPy is not installed")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_element_functions_match_scipy(dtype):
    """float32 against SciPy's float64 values rounded (SciPy's own float32 loops give nan
    for some betainc arguments)."""
    progs = [(p, a) for p, a in _programs(dtype) if not p.name.startswith(
        ("igamma_grad_a", "betainc_grad", "zeta_ds"))]  # SciPy has none in a, b, s
    lib = HostLib(all_groups([p for p, _ in progs]))
    for p, args in progs:
        env = reference_env(p.jaxpr, p.consts, [a.astype(np.float64) for a in args])
        allowance = (lambda want, p=p, args=args: _scipy_allowance(p.name, args, want)) \
            if dtype == np.float64 else None
        _check(p, lib, env, dtype, "SciPy", allowance, _scipy_differs(p.name, args))
