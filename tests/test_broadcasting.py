"""Random shapes and broadcasting (hypothesis): values and dtypes equal NumPy's, derivatives
equal finite differences."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ftrans
import ftrans.numpy as fnp
from ftrans.testing import check_vjp

OPS = {"add": (fnp.add, np.add), "subtract": (fnp.subtract, np.subtract),
       "multiply": (fnp.multiply, np.multiply), "maximum": (fnp.maximum, np.maximum),
       "arctan2": (fnp.arctan2, np.arctan2)}


@settings(max_examples=40, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
       op=st.sampled_from(sorted(OPS)), seed=st.integers(0, 2 ** 16))
def test_binary_broadcasting(shapes, op, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.5, 1.5, shapes.input_shapes[0])
    y = rng.uniform(-1.5, -0.5, shapes.input_shapes[1])
    f, ref = OPS[op]

    def traced(x, y):
        return fnp.sum(f(x, y) * f(x, y))

    out = ftrans.vmap(lambda a: f(a, y), in_axes=None, axis_size=1)(x)[0]
    np.testing.assert_allclose(out, ref(x, y))
    check_vjp(traced, (x, y))


@settings(max_examples=30, deadline=None)
@given(dt=st.sampled_from([np.float32, np.float64, np.int32, np.int64, np.bool_]),
       scalar=st.sampled_from([2, 2.5, True]),
       op=st.sampled_from(["add", "multiply", "divide", "maximum", "power"]))
def test_result_dtypes_follow_numpy(dt, scalar, op):
    x = np.ones(3, dt)
    ref = getattr(np, op)(x, scalar)
    closed = ftrans.make_jaxpr(lambda a: getattr(fnp, op)(a, scalar))(x)
    assert closed.out_avals[0].dtype == ref.dtype
    closed_r = ftrans.make_jaxpr(lambda a: getattr(fnp, op)(scalar, a))(x)
    assert closed_r.out_avals[0].dtype == getattr(np, op)(scalar, x).dtype


SCALARS = [1j, 2.0, 3, np.float64(2.0), np.float32(2.0), np.complex64(1j), np.asarray(2.0),
           np.asarray(2.0, np.float32), True]


def test_array_with_a_constant_scalar_has_numpys_dtype_and_value():
    # the operators' fast path binds a constant scalar as it is: only where NumPy 2 would
    # give the array's dtype (a Python float is weak, a NumPy scalar is not)
    for dtype in (np.float32, np.float64, np.complex64):
        x = np.linspace(0.5, 1.5, 3).astype(dtype)
        for s in SCALARS:
            for f in (lambda a, b: a * b, lambda a, b: b - a):
                want = f(x, s)
                got = ftrans.jit(lambda a: f(a, s))(x)
                assert got.dtype == want.dtype, (dtype, s, got.dtype, want.dtype)
                np.testing.assert_allclose(got, want, rtol=1e-6)
                eager = ftrans.vjp(lambda a: f(a, s), x)[0]
                assert eager.dtype == want.dtype, (dtype, s, eager.dtype, want.dtype)


def test_gradient_through_a_complex_constant_is_real():
    assert ftrans.value_and_grad(lambda x: fnp.abs(x * 1j))(0.7) == (0.7, 1.0)
    g = ftrans.grad(lambda x: fnp.sum(fnp.abs(x * np.complex64(2j))))(np.ones(3, np.float32))
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, 2.0)
