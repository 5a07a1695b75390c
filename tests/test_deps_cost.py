"""Every primitive's dependency rule (``ftrans.deps``) and cost rule (``ftrans.cost``), on
every row of the sample table: the dependency pattern contains every nonzero of the Jacobian
(exactly those, for the smooth rows of the core primitives), and the cost is a non-negative
number of flops."""

from __future__ import annotations

import numpy as np
import pytest
from samples import SAMPLES, Sample
from samples_core import CORE_SAMPLES

import ftrans
import ftrans.numpy as fnp
from ftrans.core import PRIMITIVES
from ftrans.cost import eqn_flops, jaxpr_flops
from ftrans.deps import dense_deps, jaxpr_deps, rule_for
from ftrans.ir import is_float_dtype

IDS = [f"{s.prim}-{i}" for i, s in enumerate(SAMPLES)]
# rows whose derivative picks one operand per element by value (max, where): the structural
# pattern is the union of the candidates, a superset of the nonzeros at any one point
SELECTING = {"max", "min", "reduce_max", "reduce_min", "select_n", "lt", "le", "gt", "ge",
             "eq", "ne"}


def _pattern_and_jacobian(s: Sample) -> tuple[np.ndarray, np.ndarray]:
    closed = ftrans.make_jaxpr(s.fun)(*s.args)
    (d,) = jaxpr_deps(closed.jaxpr)
    pattern = np.zeros((d.size, d.n), bool)
    if d.dense:
        pattern[:] = True
    else:
        pattern[d.rows, d.cols] = True
    argnums = tuple(range(len(s.args)))
    fun, args = _over_reals(s.fun, s.args)
    with np.errstate(all="ignore"):  # some rows sample inf and nan on purpose
        blocks = ftrans.jacfwd(fun, argnums=argnums)(*args)
    # a complex input element counts as nonzero if the derivative along either part is
    jac = np.concatenate([(np.reshape(b, (d.size, np.size(x), -1)) != 0).any(axis=2)
                          for b, x in zip(blocks, s.args)], axis=1)
    return pattern, jac


def _complex_out(s: Sample) -> bool:
    return np.iscomplexobj(s.fun(*s.args))


def _over_reals(fun, args):
    """``fun`` as a function of real arrays: complex arguments split into (real, imaginary)
    along a new last axis, and a complex output's parts combined with random weights into
    one real value per element (nonzero where either part's derivative is)."""
    split = [np.iscomplexobj(a) for a in args]
    if not any(split) and not _complex_out(Sample("", fun, args)):
        return fun, args
    real_args = tuple(np.stack([a.real, a.imag], -1) if c else a for a, c in zip(args, split))
    w = np.random.default_rng(11).uniform(1.0, 2.0, 2)

    def g(*xs):
        full = [fnp.astype(x[..., 0] + 1j * x[..., 1], a.dtype) if c else x
                for x, a, c in zip(xs, args, split)]
        out = fun(*full)
        return w[0] * fnp.real(out) + w[1] * fnp.imag(out) if np.iscomplexobj(out) else out
    return g, real_args


@pytest.mark.parametrize("s", SAMPLES, ids=IDS)
def test_dependency_pattern_covers_the_jacobian(s: Sample):
    out = ftrans.make_jaxpr(s.fun)(*s.args).out_avals[0]
    if not is_float_dtype(out.dtype):
        (d,) = jaxpr_deps(ftrans.make_jaxpr(s.fun)(*s.args).jaxpr)
        assert d.empty  # integer and boolean outputs have no derivative
        return
    pattern, jac = _pattern_and_jacobian(s)
    assert not (jac != 0)[~pattern].any(), "a nonzero of the Jacobian is missing"
    # exact for the core primitives; others (a zero partial, like copysign's in its sign
    # operand, or no rule of their own) may be conservative
    core = any(s is c for c in CORE_SAMPLES)
    has_rule = rule_for(PRIMITIVES[s.prim]) is not dense_deps
    if core and s.smooth and s.prim not in SELECTING and has_rule:
        np.testing.assert_array_equal(pattern, jac != 0)


@pytest.mark.parametrize("s", SAMPLES, ids=IDS)
def test_cost_rule_gives_nonnegative_flops(s: Sample):
    closed = ftrans.make_jaxpr(s.fun)(*s.args)
    for eqn in closed.eqns:
        flops = eqn_flops(eqn)
        assert isinstance(flops, int) and flops >= 0


def test_dot_general_cost_is_two_flops_per_multiply_add():
    a, b = np.ones((2, 3, 4)), np.ones((2, 4, 5))
    closed = ftrans.make_jaxpr(lambda a, b: a @ b)(a, b)
    assert jaxpr_flops(closed.jaxpr) == 2 * 2 * 3 * 4 * 5


def test_control_flow_costs_its_programs():
    from ftrans import lax

    def f(x):
        return lax.scan(lambda c, xi: (c + fnp.sin(xi) * c, c), fnp.sum(x), x)[0]

    closed = ftrans.make_jaxpr(f)(np.ones(10))
    assert jaxpr_flops(closed.jaxpr) == 10 + 3 * 10  # the sum, then 3 flops a step
