"""Each compiler pass alone: the jaxpr before and after, and equal results."""

from __future__ import annotations

import numpy as np
import pytest
from samples import SAMPLES

import ftrans
import ftrans.numpy as fnp
from ftrans.backends import compile_jaxpr
from ftrans.core import eval_jaxpr
from ftrans.ir import Jaxpr, check_jaxpr
from ftrans.opt import cse, dce, fold, optimize, simplify
from ftrans.opt.fold import MAX_FOLD_SIZE


def _prims(jaxpr):
    return [e.prim.name for e in jaxpr.eqns]


def _same_results(cj, jaxpr, consts, *args):
    check_jaxpr(jaxpr)
    want = eval_jaxpr(cj.jaxpr, cj.consts, *args)
    got = eval_jaxpr(jaxpr, consts, *args)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-13, atol=1e-13)
        assert np.asarray(g).dtype == np.asarray(w).dtype


def test_dce_drops_dead_equations_and_constants():
    c = np.arange(3.0)
    cj = ftrans.make_jaxpr(lambda x: (fnp.exp(x * c), fnp.sin(x) + 1.0)[1])(np.ones(3))
    assert _prims(cj.jaxpr) == ["mul", "exp", "sin", "add"] and len(cj.consts) == 1
    j, consts = dce(cj.jaxpr, cj.consts)
    assert _prims(j) == ["sin", "add"] and consts == [] and j.constvars == ()
    _same_results(cj, j, consts, np.linspace(0, 1, 3))


def test_cse_merges_repeated_equations():
    cj = ftrans.make_jaxpr(lambda x: fnp.sin(x * 2.0) + fnp.sin(x * 2.0) * fnp.cos(x))(1.3)
    assert _prims(cj.jaxpr).count("sin") == 2
    j, consts = cse(cj.jaxpr, cj.consts)
    assert _prims(j).count("sin") == 1 and _prims(j).count("mul") == 2
    _same_results(cj, j, consts, np.float64(1.3))


def test_cse_keeps_different_literals_apart():
    cj = ftrans.make_jaxpr(lambda x: x * 2.0 + x * 3.0)(1.0)
    j, _ = cse(cj.jaxpr, cj.consts)
    assert _prims(j).count("mul") == 2


def _first_arg_const(fun, c, *args):
    """The jaxpr of ``fun(c, *args)`` with ``c`` a constant (tracing folds NumPy values
    at once, so constant sub-computations only reach a jaxpr through a constvar)."""
    j = ftrans.make_jaxpr(fun)(c, *args).jaxpr
    return ftrans.ClosedJaxpr(Jaxpr(j.invars[:1], j.invars[1:], j.eqns, j.outvars), [c])


def test_fold_evaluates_constant_subexpressions_once():
    c = np.linspace(0.1, 1.0, 4)
    cj = _first_arg_const(lambda c, x: x + fnp.exp(fnp.sin(c)) * 2.0, c, np.ones(4))
    assert _prims(cj.jaxpr) == ["sin", "exp", "mul", "add"]
    j, consts = fold(cj.jaxpr, cj.consts)
    j, consts = dce(j, consts)
    assert _prims(j) == ["add"]
    np.testing.assert_allclose(consts[0], np.exp(np.sin(c)) * 2.0)
    _same_results(cj, j, consts, np.arange(4.0))


def test_fold_leaves_big_results_to_run_time():
    big = np.ones(MAX_FOLD_SIZE + 1)
    cj = _first_arg_const(lambda c, x: x + fnp.sin(c), big, big)
    j, _ = fold(cj.jaxpr, cj.consts)
    assert _prims(j) == ["sin", "add"]


@pytest.mark.parametrize("fun, gone", [
    (lambda x: x * 1.0, "mul"), (lambda x: 1.0 * x, "mul"), (lambda x: x / 1.0, "div"),
    (lambda x: x + 0.0, "add"), (lambda x: 0.0 + x, "add"), (lambda x: x - 0.0, "sub"),
    (lambda x: -(-x), "neg"), (lambda x: fnp.transpose(fnp.transpose(x)), "transpose"),
    (lambda x: fnp.reshape(fnp.reshape(x, (6,)), (2, 3)), "reshape"),
])
def test_simplify_identities(fun, gone):
    x = np.arange(6.0).reshape(2, 3)
    cj = ftrans.make_jaxpr(fun)(x)
    assert gone in _prims(cj.jaxpr)
    j, consts = dce(*simplify(cj.jaxpr, cj.consts))
    assert j.eqns == () and j.outvars == j.invars
    _same_results(cj, j, consts, x)


def test_simplify_keeps_dtype_changing_identities():
    cj = ftrans.make_jaxpr(lambda x: x * 1.0)(np.ones(2, np.int64))  # int * 1.0 is float
    j, _ = simplify(cj.jaxpr, cj.consts)
    assert j.outvars != j.invars


def test_simplify_merges_broadcasts_and_transposes():
    def f(x):
        b = fnp.broadcast_to(x, (4, 3))
        return fnp.transpose(fnp.transpose(fnp.broadcast_to(b, (2, 4, 3)), (1, 0, 2)),
                             (2, 1, 0))
    x = np.arange(3.0)
    cj = ftrans.make_jaxpr(f)(x)
    assert _prims(cj.jaxpr).count("broadcast_in_dim") >= 2
    j, consts = dce(*simplify(cj.jaxpr, cj.consts))
    assert _prims(j).count("broadcast_in_dim") == 1 and _prims(j).count("transpose") <= 1
    _same_results(cj, j, consts, x)


def _tanh_layer(n, seed=0):
    rng = np.random.default_rng(seed)
    W, b, x = rng.standard_normal((n, n)), rng.standard_normal(n), rng.standard_normal(n)
    return (lambda W, x: fnp.tanh(W @ x + b)), W, b, x


@pytest.mark.parametrize("jac", [ftrans.jacfwd, ftrans.jacrev])
def test_identity_basis_matmul_disappears(jac):
    f, W, b, x = _tanh_layer(7)
    cj = ftrans.make_jaxpr(jac(f, argnums=1))(W, x)
    n_dots = _prims(cj.jaxpr).count("dot_general")
    assert n_dots == 2  # the forward W @ x and the one against the basis
    j, consts = optimize(cj.jaxpr, cj.consts)
    assert _prims(j).count("dot_general") == 1
    _same_results(cj, j, consts, W, x)
    analytic = (1 - np.tanh(W @ x + b) ** 2)[:, None] * W
    np.testing.assert_allclose(eval_jaxpr(j, consts, W, x)[0], analytic, rtol=1e-12)


def test_optimize_is_a_fixed_point_and_type_checks():
    s = lambda x, y: fnp.sum(fnp.sin(x / y) * fnp.tanh(x) + x * y)
    cj = ftrans.make_jaxpr(ftrans.hessian(s))(np.ones(3), np.ones(3))
    j, consts = optimize(cj.jaxpr, cj.consts)
    assert len(j.eqns) < len(cj.jaxpr.eqns)
    j2, _ = optimize(j, consts)
    assert len(j2.eqns) == len(j.eqns)
    x, y = np.linspace(0.5, 1, 3), np.linspace(1, 2, 3)
    _same_results(cj, j, consts, x, y)


def _float_args(s):
    return all(np.issubdtype(np.asarray(a).dtype, np.inexact) for a in s.args)


def _real_loss(out):
    """A real scalar of a sample's output (complex outputs: both parts count)."""
    total = fnp.sum(out)
    return fnp.real(total) + 0.5 * fnp.imag(total) if fnp.iscomplexobj(total) else total


CASES = [(s, t) for s in SAMPLES for t in ("plain", "grad") if t == "plain" or _float_args(s)]
IDS = [f"{t}-{s.prim}-{i}" for i, (s, t) in enumerate(CASES)]


@pytest.mark.parametrize("s, transform", CASES, ids=IDS)
def test_optimized_and_unoptimized_executables_agree(s, transform):
    """On every sample row (and its gradient): the optimized jaxpr, interpreted or compiled,
    agrees with the unoptimized one."""
    fun = s.fun
    if transform == "grad":
        fun = ftrans.grad(lambda *a: _real_loss(s.fun(*a)), argnums=tuple(range(len(s.args))))
    cj = ftrans.make_jaxpr(fun)(*s.args)
    j, consts = optimize(cj.jaxpr, cj.consts)
    check_jaxpr(j)
    want = compile_jaxpr(cj.jaxpr, "interpret")(cj.consts, list(s.args))
    for backend in ("interpret", "numpy"):
        got = compile_jaxpr(j, backend)(consts, list(s.args))
        plain = compile_jaxpr(cj.jaxpr, backend)(cj.consts, list(s.args))
        for g, p, w in zip(got, plain, want):
            np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)
            np.testing.assert_array_equal(p, w)
            assert np.asarray(g).dtype == np.asarray(w).dtype


def test_unbroadcast_makes_broadcast_constants_explicit():
    from ftrans.opt import unbroadcast
    n = MAX_FOLD_SIZE + 8
    row = np.linspace(1.0, 2.0, 4)
    cases = [(np.broadcast_to(2.5, (n,)), np.linspace(0, 1, n)),  # a number: a literal
             (np.broadcast_to(row, (n, 4)), np.ones((n, 4)))]     # a row: a small constant
    for c, x in cases:
        cj = _first_arg_const(lambda c, x: x * c + 1.0, c, x)
        j, consts = unbroadcast(cj.jaxpr, cj.consts)
        assert _prims(j) == ["broadcast_in_dim", "mul", "add"]
        assert all(k.size == row.size for k in consts) and len(consts) == c.ndim - 1
        _same_results(cj, j, consts, x)
    small = np.broadcast_to(2.0, (8,))  # folding's size: left alone
    cj = _first_arg_const(lambda c, x: x * c, small, np.ones(8))
    j, consts = unbroadcast(cj.jaxpr, cj.consts)
    assert j is cj.jaxpr and consts[0] is small


def _rosen(x):
    return fnp.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def _rosen_grad(x):
    """Written by hand."""
    g = np.zeros_like(x)
    r = x[1:] - x[:-1] ** 2
    g[1:] += 200 * r
    g[:-1] += -400 * r * x[:-1] - 2 * (1 - x[:-1])
    return g


def test_simplify_merges_negations_scales_and_pads():
    """The Rosenbrock gradient's program: the constant cotangents (all 1, all 100) become
    literals, negations fold into the literal factors, 2 * 100 is one factor, and the two
    pads of one layout are one; the results are exactly those of the unsimplified program
    (every merge is exact)."""
    x = np.linspace(-1.3, 2.1, 10)
    cj = ftrans.make_jaxpr(ftrans.grad(_rosen))(x)
    assert "neg" in _prims(cj.jaxpr) and cj.consts
    j, consts = optimize(cj.jaxpr, cj.consts)
    assert "neg" not in _prims(j) and consts == []
    assert _prims(j).count("pad") == 2 and _prims(cj.jaxpr).count("pad") == 3
    assert any(e.prim.name == "mul" and 200.0 in [getattr(a, "val", None) for a in e.inputs]
               for e in j.eqns)
    check_jaxpr(j)
    got = eval_jaxpr(j, consts, x)[0]
    np.testing.assert_array_equal(got, eval_jaxpr(cj.jaxpr, cj.consts, x)[0])
    np.testing.assert_allclose(got, _rosen_grad(x), rtol=1e-13)


def test_simplify_keeps_inexact_and_shared_scales():
    """c1 * (c2 * x) stays two products unless a factor is a power of two (rounding), and a
    product read twice stays (its value is needed anyway)."""
    x = np.linspace(0.1, 1.0, 4)
    cj = ftrans.make_jaxpr(lambda x: 3.0 * (0.1 * x))(x)
    j, consts = optimize(cj.jaxpr, cj.consts)
    assert _prims(j) == ["mul", "mul"]
    cj = ftrans.make_jaxpr(lambda x: 4.0 * (0.1 * x))(x)
    j, consts = optimize(cj.jaxpr, cj.consts)
    assert _prims(j) == ["mul"]
    np.testing.assert_array_equal(eval_jaxpr(j, consts, x)[0], 4.0 * (0.1 * x))
    cj = ftrans.make_jaxpr(lambda x: (-(2.0 * x), 2.0 * x))(x)
    j, consts = optimize(cj.jaxpr, cj.consts)
    _same_results(cj, j, consts, x)


def test_uniform_constants_become_literals():
    """A constant of equal elements (bit for bit: -0.0 mixed with 0.0 is not) is a literal
    beside an operand of the result's shape, complex and integer ones too."""
    c = np.full(3, 5.0)
    for const, x, literal in ((c, np.ones(3), True), (c, np.ones((2, 3)), True),
                              (np.array([0.0, -0.0, 0.0]), np.ones(3), False),
                              (np.array([-0.0, -0.0]), np.ones(2), True),
                              (np.full(3, np.nan), np.ones(3), True),
                              (np.zeros(2, complex), np.ones(2, complex), True),
                              (np.array([0j, complex(0.0, -0.0)]), np.ones(2, complex), False),
                              (np.full(2, 3), np.arange(2), True)):
        cj = ftrans.make_jaxpr(lambda x, const=const: x * const)(x)
        j, consts = simplify(cj.jaxpr, cj.consts)
        assert (len(dce(j, consts)[1]) == 0) == literal, const
        _same_results(cj, *dce(j, consts), x)


def test_transposed_products_become_products_of_swapped_operands():
    """grad of x @ w gives w's gradient as (g.T @ x).T; simplified it is x.T @ g: no
    transpose left, and jit returns it C-contiguous like the hand-written one."""
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((5, 4)), rng.standard_normal((4, 3))
    loss = lambda w, x: fnp.sum(fnp.tanh(x @ w))
    cj = ftrans.make_jaxpr(ftrans.grad(loss))(w, x)
    assert "transpose" in _prims(cj.jaxpr)
    j, consts = optimize(cj.jaxpr, cj.consts)
    assert "transpose" not in _prims(j)
    _same_results(cj, j, consts, w, x)
    g = ftrans.jit(ftrans.grad(loss))(w, x)
    np.testing.assert_allclose(g, x.T @ (1 - np.tanh(x @ w) ** 2), rtol=1e-13)
    assert g.flags.c_contiguous
