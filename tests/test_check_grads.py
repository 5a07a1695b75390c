"""check_grads: passes on correct rules, catches wrong ones (naming argument, order, mode and
size of the error), refuses integer inputs and non-differentiable functions clearly."""

from __future__ import annotations

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp
from ftrans.core import Primitive
from ftrans.prims.families import elementwise_aval, elementwise_batch, elementwise_jvp


def unregistered_unary(name, fn, deriv):
    """A primitive made in the test (not registered, so the sample table ignores it)."""
    p = Primitive(name)
    p.impl = lambda xp, x: fn(x)
    p.abstract_eval = elementwise_aval(name)
    p.jvp = elementwise_jvp([deriv])
    p.batch = elementwise_batch(p)
    return p


# wrong at first order: the derivative of sin is off by 1%
sin_1pct = unregistered_unary("sin_1pct", np.sin, lambda t, x, out: 1.01 * t * fnp.cos(x))
# right at first order, wrong at second: sin's jvp uses a cos whose own jvp has the wrong sign
cos_bad = unregistered_unary("cos_bad", np.cos, lambda t, x, out: t * fnp.sin(x))
sin_2nd = unregistered_unary("sin_2nd", np.sin, lambda t, x, out: t * cos_bad.bind(x))


def test_passes_on_correct_functions_of_pytrees_in_both_modes():
    def f(params, x):
        return {"y": fnp.tanh(x @ params["w"]) * params["b"], "n": fnp.sum(x ** 2)}
    params = {"w": np.linspace(-1, 1, 6).reshape(3, 2), "b": np.array([0.5, 2.0])}
    ftrans.check_grads(f, (params, np.array([0.3, -0.2, 0.9])), order=2)
    ftrans.check_grads(fnp.sin, (np.float32(0.3),), order=3)
    ftrans.check_grads(lambda x: x * fnp.exp(x), (0.5,), order=2, modes=("rev",))


def test_catches_a_wrong_first_order_rule_and_says_where():
    with pytest.raises(AssertionError) as e:
        ftrans.check_grads(lambda x, y: y * sin_1pct.bind(x), (0.4, 2.0), order=1,
                           modes=("fwd",))
    msg = str(e.value)
    assert "order-1 derivative with respect to argument 0 ('x')" in msg
    assert "along the random direction v =" in msg and "forward mode (jvp)" in msg
    assert "differs by" in msg and "tolerance 1e-05" in msg
    with pytest.raises(AssertionError, match=r"argument 0 \('x'\).*reverse mode"):
        ftrans.check_grads(lambda x, y: y * sin_1pct.bind(x), (0.4, 2.0), order=1,
                           modes=("rev",))


def test_wrong_rule_in_second_argument_is_named():
    with pytest.raises(AssertionError, match=r"order-1 derivative with respect to argument 1"):
        ftrans.check_grads(lambda a, b: a * sin_1pct.bind(b), (2.0, np.array([0.1, 0.7])))


def test_catches_a_rule_wrong_only_at_second_order():
    ftrans.check_grads(lambda x: sin_2nd.bind(x), (0.4,), order=1)
    for modes, how in [(("fwd",), r"differentiating jvp\(f\).*forward mode"),
                       (("rev",), r"differentiating vjp\(f\).*reverse mode")]:
        with pytest.raises(AssertionError, match="order-2 derivative with respect to argument "
                                                 f"0 \\('x'\\).*{how}"):
            ftrans.check_grads(lambda x: sin_2nd.bind(x), (np.array([0.4, 1.0]),), order=2,
                               modes=modes)


def test_forward_and_reverse_disagreeing_is_reported():
    # a jvp rule right against finite differences is still caught if the vjp is wrong: make
    # a linear primitive whose transpose is off by a factor 2
    from ftrans.prims.families import linear_jvp
    p = Primitive("double_bad_transpose")
    p.impl = lambda xp, x: 2 * x
    p.abstract_eval = elementwise_aval("double_bad_transpose")
    p.jvp = linear_jvp(p)
    p.transpose = lambda ct, x: [4 * ct]
    p.batch = elementwise_batch(p)
    with pytest.raises(AssertionError, match="reverse mode <vjp\\(u\\), v>: differs by"):
        ftrans.check_grads(lambda x: p.bind(x), (1.0,), order=1)


def test_integer_inputs_and_outputs_are_refused_clearly():
    with pytest.raises(TypeError, match=r"argument 1 \('n'\) has dtype int64; derivatives "
                                        "need floating-point inputs"):
        ftrans.check_grads(lambda x, n: x * n, (1.0, 3))
    with pytest.raises(TypeError, match="output 0 of <lambda> has dtype bool"):
        ftrans.check_grads(lambda x: x > 0, (1.0,))


def test_non_differentiable_functions_are_refused_clearly():
    with pytest.raises(TypeError, match=r"cannot differentiate <lambda> with respect to "
                                        r"argument 0 \('x'\): a traced array"):
        ftrans.check_grads(lambda x: np.asarray(x) * 2.0, (1.0,))
    nojvp = Primitive("nojvp")
    nojvp.impl = lambda xp, x: x
    with pytest.raises(TypeError, match="cannot differentiate.*rule for 'nojvp'"):
        ftrans.check_grads(lambda x: nojvp.bind(x), (1.0,))


def test_argument_errors():
    with pytest.raises(TypeError, match="args must be a tuple"):
        ftrans.check_grads(fnp.sin, 1.0)
    with pytest.raises(ValueError, match="unknown mode 'backward'"):
        ftrans.check_grads(fnp.sin, (1.0,), modes=("backward",))
    with pytest.raises(ValueError, match="order must be an integer >= 1"):
        ftrans.check_grads(fnp.sin, (1.0,), order=0)


def test_tolerances_follow_the_dtype():
    # float32 with float64's tolerance would fail: finite differences in float32 are coarse
    x = np.float32(0.7)
    ftrans.check_grads(lambda x: fnp.exp(fnp.sin(x)), (x,), order=2)
    with pytest.raises(AssertionError):
        ftrans.check_grads(lambda x: fnp.exp(fnp.sin(x)), (x,), order=1, rtol=1e-9)
