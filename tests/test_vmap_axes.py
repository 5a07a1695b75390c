"""vmap's axes against Python loops: negative and pytree-prefix in_axes/out_axes, keyword
arguments, vmap of jvp/vjp; and every bad-axes error, naming the argument and the sizes."""

from __future__ import annotations

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp

rng = np.random.default_rng(3)


def test_negative_out_axes_equal_loop():
    xs = rng.standard_normal((4, 3))
    out = ftrans.vmap(lambda v: fnp.outer(v, fnp.sin(v)), out_axes=-1)(xs)
    np.testing.assert_allclose(out, np.stack([np.outer(v, np.sin(v)) for v in xs], axis=-1))
    out = ftrans.vmap(lambda v: fnp.outer(v, v), in_axes=-1, out_axes=-2)(xs.T)
    np.testing.assert_allclose(out, np.stack([np.outer(v, v) for v in xs], axis=-2))
    # an unbatched output is broadcast at the requested axis
    out = ftrans.vmap(lambda v: np.ones(2), out_axes=-1)(xs)
    assert out.shape == (2, 4)


def test_in_axes_nested_prefix_equals_loop():
    def f(p, x):
        (a, b), c = p["ab"], p["c"]
        return fnp.sum(a * x) + b @ x + c

    a, b, c = rng.standard_normal((3, 5)), rng.standard_normal((5, 3)), rng.standard_normal(3)
    xs = rng.standard_normal((3, 5))
    out = ftrans.vmap(f, in_axes=({"ab": (1, 0), "c": None}, 1))({"ab": (a, b), "c": c}, xs)
    loop = [f({"ab": (a[:, i], b[i]), "c": c}, xs[:, i]) for i in range(5)]
    np.testing.assert_allclose(out, np.stack(loop), rtol=1e-14)


def test_keyword_arguments_are_mapped_over_axis_0():
    xs, ss = rng.standard_normal((4, 3)), rng.standard_normal(4)
    out = ftrans.vmap(lambda v, scale=1.0: v * scale)(xs, scale=ss)
    np.testing.assert_allclose(out, xs * ss[:, None])


def test_vmap_of_jvp_and_vjp_equal_loops():
    def f(x):
        return fnp.sin(x) * fnp.sum(x * x)

    xs, ts = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    push = lambda x, t: ftrans.jvp(f, (x,), (t,))  # noqa: E731
    ys, tys = ftrans.vmap(push)(xs, ts)
    for i in range(5):
        y, ty = push(xs[i], ts[i])
        np.testing.assert_allclose(ys[i], y, rtol=1e-14)
        np.testing.assert_allclose(tys[i], ty, rtol=1e-14)
    pull = lambda x, ct: ftrans.vjp(f, x)[1](ct)[0]  # noqa: E731
    np.testing.assert_allclose(ftrans.vmap(pull, in_axes=(None, 0))(xs[0], ts),
                               np.stack([pull(xs[0], t) for t in ts]), rtol=1e-14)


def test_bad_axes_errors_name_the_argument_and_sizes():
    x3, x4 = np.ones(3), np.ones(4)
    add = lambda x, y: x + y  # noqa: E731
    with pytest.raises(ValueError, match=r"in_axes=1 is out of range for input leaf 1 "
                                         r"\(argument 1 \('y'\)\) with shape \(3,\)"):
        ftrans.vmap(add, in_axes=(0, 1))(x3, x3)
    with pytest.raises(ValueError, match=r"inconsistent sizes.*leaf 0: 3 \(argument 0 "
                                         r"\('x'\)\), leaf 1: 4 \(argument 1 \('y'\)\)"):
        ftrans.vmap(add)(x3, x4)
    with pytest.raises(ValueError, match=r"leaf 0: 3 .*, axis_size=5"):
        ftrans.vmap(fnp.sin, axis_size=5)(x3)
    with pytest.raises(ValueError, match="at least one mapped input .*axis_size"):
        ftrans.vmap(add, in_axes=None)(x3, x3)
    with pytest.raises(ValueError, match="in_axes has 3 entries but <lambda> was called with "
                                         "2 positional"):
        ftrans.vmap(add, in_axes=(0, 0, 0))(x3, x3)
    with pytest.raises(ValueError, match=r"in_axes has 1 entries but the value has 2"):
        ftrans.vmap(lambda p: p[0] + p[1], in_axes=((0,),))((x3, x3))
    with pytest.raises(ValueError, match="in_axes must be an int, None, or a pytree of them, "
                                         "got in_axes=1.5"):
        ftrans.vmap(fnp.sin, in_axes=1.5)
    with pytest.raises(ValueError, match="out_axes must be an int, None, or a pytree of them"):
        ftrans.vmap(fnp.sin, out_axes={"a": "b"})
    with pytest.raises(ValueError, match=r"out_axes=2 is out of range for output leaf 0, which "
                                         r"has 2 axes"):
        ftrans.vmap(fnp.sin, out_axes=2)(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"out_axes has 1 entries but the value has 2"):
        ftrans.vmap(lambda v: (v, v), out_axes=(0,))(x3)
    with pytest.raises(ValueError, match="axis_size must be a non-negative integer or None, "
                                         "got 2.5"):
        ftrans.vmap(fnp.sin, in_axes=None, axis_size=2.5)
    with pytest.raises(ValueError, match="out_axes=None requires the output to be unbatched"):
        ftrans.vmap(fnp.sin, out_axes=None)(x3)


def test_a_primitive_without_a_batch_rule_is_an_error_naming_it():
    from ftrans.core import Primitive
    from ftrans.ir import ShapedArray

    p = Primitive("test_no_batch")  # not registered: only traced here
    p.impl = lambda xp, x: xp.cumsum(x)
    p.abstract_eval = lambda x: ShapedArray(x.shape, x.dtype)
    with pytest.raises(NotImplementedError, match="vmap: primitive 'test_no_batch' has no "
                                                  "batch rule"):
        ftrans.vmap(p.bind)(np.ones((2, 3)))


# ----------------------------------------------------------------------------- pytree axes


def test_vmap_in_axes_and_out_axes_as_namedtuples_with_none():
    import collections
    nt = collections.namedtuple("nt", "u v")
    u, v = np.arange(6.0).reshape(2, 3), np.array([1.0, 2.0, 3.0])
    out = ftrans.vmap(lambda p: p.u * p.v, in_axes=(nt(0, None),))(nt(u, v))
    np.testing.assert_array_equal(out, u * v)
    out = ftrans.vmap(lambda x: nt(x * 2.0, x[0]), out_axes=nt(1, 0))(u)
    np.testing.assert_array_equal(out.u, (u * 2.0).T)
    np.testing.assert_array_equal(out.v, u[:, 0])
