"""Names JAX ports reach for (issue 14 §5): ``eval_shape``/``ShapeDtypeStruct``,
``block_until_ready``, ``device_get``, ``ftrans.test_util.check_grads``, and ``grad``'s
message for a size-1 output that is not a scalar."""

from __future__ import annotations

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp
from ftrans import ShapeDtypeStruct


def test_eval_shape_computes_nothing_and_gives_output_shapes():
    calls = []

    def f(x, w, *, b):
        calls.append(type(x).__name__)
        return {"y": fnp.tanh(x @ w + b), "n": fnp.sum(x, axis=0)}

    x = ShapeDtypeStruct((100, 3), np.float32)
    out = ftrans.eval_shape(f, x, np.ones((3, 4), np.float32), b=np.float32(1.0))
    assert out == {"y": ShapeDtypeStruct((100, 4), np.float32),
                   "n": ShapeDtypeStruct((3,), np.float32)}
    assert calls == ["Tracer"]
    assert ftrans.eval_shape(lambda x: x, 2.0) == ShapeDtypeStruct((), np.float64)
    assert ftrans.eval_shape(lambda: 2.0) == ShapeDtypeStruct((), np.float64, weak_type=True)


def test_eval_shape_matches_jax():
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")

    def f(np_mod, a, b):
        return np_mod.einsum("ij,jk->ki", a, b), np_mod.concatenate([a, a], axis=1)

    ours = ftrans.eval_shape(lambda a, b: f(fnp, a, b), ShapeDtypeStruct((2, 3), np.float32),
                             ShapeDtypeStruct((3, 5), np.float32))
    theirs = jax.eval_shape(lambda a, b: f(jnp, a, b), jax.ShapeDtypeStruct((2, 3), np.float32),
                            jax.ShapeDtypeStruct((3, 5), np.float32))
    assert [(o.shape, o.dtype) for o in ours] == [(t.shape, t.dtype) for t in theirs]


def test_shape_dtype_struct():
    s = ShapeDtypeStruct([2, 3], "float32")
    assert s.shape == (2, 3) and s.dtype == np.float32 and s.ndim == 2 and s.size == 6
    assert len(s) == 2 and repr(s) == "ShapeDtypeStruct(shape=(2, 3), dtype=float32)"
    assert s == ShapeDtypeStruct((2, 3), np.float32) and hash(s) == hash(
        ShapeDtypeStruct((2, 3), np.float32))
    assert s != ShapeDtypeStruct((2, 3), np.float64)
    with pytest.raises(TypeError, match="shape must be a sequence of integers"):
        ShapeDtypeStruct(3.5, np.float32)
    with pytest.raises(TypeError, match="dtype must be given"):
        ShapeDtypeStruct((2,), None)
    with pytest.raises(TypeError, match="argument leaf 1 must be an array"):
        ftrans.eval_shape(lambda a, b: a, 1.0, "text")
    with pytest.raises(TypeError, match=r"^ShapeDtypeStruct: dtype must be a NumPy dtype, got "
                                        r"'zz'$"):
        ShapeDtypeStruct((2,), "zz")
    with pytest.raises(TypeError, match=r"^eval_shape: fun must be callable, got int 3$"):
        ftrans.eval_shape(3, 1.0)


def test_block_until_ready_and_device_get():
    tree = {"a": np.arange(3.0), "b": [1.0, None]}
    assert ftrans.block_until_ready(tree) is tree
    got = ftrans.device_get(tree)
    assert got["b"] == [1.0, None] and got["a"] is tree["a"]
    assert ftrans.jit(lambda x: ftrans.block_until_ready(x * 2))(1.0) == 2.0
    with pytest.raises(TypeError, match="device_get: leaf 0 is a traced value"):
        ftrans.jit(lambda x: ftrans.device_get(x))(1.0)


def test_test_util_check_grads_is_check_grads():
    import ftrans.test_util
    assert ftrans.test_util.check_grads is ftrans.check_grads
    ftrans.test_util.check_grads(lambda x: fnp.sin(x) * x, (np.array([0.3, 1.2]),), order=2)
    with pytest.raises(AssertionError):
        bad = ftrans.custom_jvp(lambda x: fnp.sin(x))
        bad.defjvp(lambda p, t: (fnp.sin(p[0]), 2.0 * t[0]))
        ftrans.test_util.check_grads(bad, (0.5,), order=1)


@pytest.mark.parametrize("api", [ftrans.grad, ftrans.value_and_grad])
def test_grad_of_a_size_one_array_raises_as_jax_and_says_what_to_do(api):
    def f(x):
        return x[:1] * 2.0  # shape (1,): autograd accepts it, JAX does not

    with pytest.raises(TypeError, match=r"^Gradient only defined for scalar-output functions\. "
                                        r"Output had shape: \(1,\)\. f returned an array of "
                                        r"shape \(1,\): index it \(out\[0\]\) or sum it"):
        api(f)(np.ones(3))
    with pytest.raises(TypeError, match=r"Output had shape: \(2, 2\)\..*reduce it to a scalar"):
        api(lambda x: fnp.outer(x, x))(np.ones(2))
    # the fixes the message names work
    assert ftrans.grad(lambda x: f(x)[0])(np.ones(3)).tolist() == [2.0, 0.0, 0.0]
    assert ftrans.grad(lambda x: f(x).sum())(np.ones(3)).tolist() == [2.0, 0.0, 0.0]


def test_grad_message_matches_jax():
    jax = pytest.importorskip("jax")
    with pytest.raises(TypeError) as theirs:
        jax.grad(lambda x: x[:1] * 2.0)(jax.numpy.ones(3))
    with pytest.raises(TypeError) as ours:
        ftrans.grad(lambda x: x[:1] * 2.0)(np.ones(3))
    first = str(theirs.value).split(".")[0]
    assert str(ours.value).startswith(first) and "Output had shape: (1,)" in str(theirs.value)
