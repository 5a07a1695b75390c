"""Integer bitwise operations and shifts on traced values: NumPy's values for every integer
dtype (counts outside ``[0, bits)`` included) under jit and vmap, JAX's ``lax`` semantics
for the logical and arithmetic shifts, zero derivatives, errors, and the generated CUDA
element code against NumPy on the host."""

from __future__ import annotations

import numpy as np
import pytest

import ftrans
import ftrans.lax as lax
import ftrans.numpy as fnp

INTS = [np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64, np.uint64]


def _values(dtype) -> tuple[np.ndarray, np.ndarray]:
    """Operands: the dtype's extremes, -1, 0 and 1 against counts from -1 to beyond the
    width."""
    info = np.iinfo(dtype)
    bits = info.bits
    x = np.array([info.min, info.max, 0, 1, 5, info.max // 3, info.min // 2 if info.min else 7,
                  -1 if info.min else info.max - 1], dtype=object)
    counts = [0, 1, 3, bits - 1, bits, bits + 1, 2 * bits + 3, -1 if info.min else 200]
    xs, ys = np.meshgrid(np.array(x.tolist(), dtype), np.array(counts, dtype), indexing="ij")
    return xs.ravel(), ys.ravel()


def _ops(x, y):
    return [x & y, x | y, x ^ y, ~x, x << y, x >> y]


@pytest.mark.parametrize("dtype", INTS, ids=lambda d: np.dtype(d).name)
def test_operators_match_numpy_under_jit_and_vmap(dtype):
    x, y = _values(dtype)
    want = _ops(x, y)
    for got in (ftrans.jit(_ops)(x, y), ftrans.vmap(_ops)(x, y)):
        for g, w in zip(got, want):
            assert g.dtype == w.dtype
            np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("dtype", INTS, ids=lambda d: np.dtype(d).name)
def test_logical_and_arithmetic_shifts(dtype):
    """shift_right_logical shifts the unsigned bit pattern, shift_right_arithmetic the
    signed one (JAX's semantics), whatever the dtype; out-of-range counts give 0 or the
    sign fill."""
    x, y = _values(dtype)
    bits = np.iinfo(dtype).bits
    u, s = np.dtype(f"uint{bits}"), np.dtype(f"int{bits}")
    inside = (y.astype(u) < bits)
    safe = np.where(inside, y, 0).astype(u)
    want_logical = np.where(inside, x.view(u) >> safe, 0).astype(u).view(dtype)
    sign_fill = np.where(x.view(s) < 0, -1, 0).astype(s)
    want_arith = np.where(inside, x.view(s) >> safe.astype(s), sign_fill).astype(s).view(dtype)
    f = ftrans.jit(lambda x, y: (lax.shift_right_logical(x, y),
                                 lax.shift_right_arithmetic(x, y)))
    logical, arith = f(x, y)
    np.testing.assert_array_equal(logical, want_logical)
    np.testing.assert_array_equal(arith, want_arith)
    # eagerly (NumPy arrays: the impl) too
    np.testing.assert_array_equal(lax.shift_right_logical(x, y), want_logical)
    np.testing.assert_array_equal(lax.shift_right_arithmetic(x, y), want_arith)


def test_known_values():
    assert int(lax.shift_right_logical(np.int32(-1), np.int32(28))) == 15
    assert int(lax.shift_right_arithmetic(np.uint8(0x80), np.uint8(3))) == 0xF0
    assert int(lax.shift_left(np.int8(1), np.int8(7))) == -128
    assert int(lax.bitwise_not(np.uint16(0))) == 0xFFFF
    # JAX's lax on the same inputs (the shifts' out-of-range semantics included)
    jax = pytest.importorskip("jax")
    import jax.numpy as jnp
    x = np.array([-7, 5, 2 ** 31 - 1, -2 ** 31], np.int32)
    y = np.array([1, 33, -1, 31], np.int32)
    for ours, theirs in ((lax.shift_left, jax.lax.shift_left),
                         (lax.shift_right_logical, jax.lax.shift_right_logical),
                         (lax.shift_right_arithmetic, jax.lax.shift_right_arithmetic)):
        np.testing.assert_array_equal(ftrans.jit(ours)(x, y),
                                      np.asarray(theirs(jnp.asarray(x), jnp.asarray(y))))


def test_booleans_stay_logical_and_python_ints_are_weak():
    b = np.array([True, False, True])
    out = ftrans.jit(lambda b: (b & ~b, b | False, b ^ True, ~b))(b)
    for o, w in zip(out, (b & ~b, b | False, b ^ True, ~b)):
        assert o.dtype == np.bool_
        np.testing.assert_array_equal(o, w)
    u = np.array([1, 200, 255], np.uint8)
    got = ftrans.jit(lambda u: (u << 1, u >> 3, u & 0x0F, 1 << u))(u)
    for g, w in zip(got, (u << 1, u >> 3, u & 0x0F, 1 << u)):
        assert g.dtype == w.dtype
        np.testing.assert_array_equal(g, w)


def test_plain_numpy_code_dispatches():
    x = np.array([3, 12, 255], np.int64)
    f = ftrans.jit(lambda x: np.left_shift(x, 2) ^ np.right_shift(x, 1)
                   | np.bitwise_and(x, 6) | np.invert(x) & np.bitwise_xor(x, 1))
    np.testing.assert_array_equal(f(x), np.left_shift(x, 2) ^ np.right_shift(x, 1)
                                  | np.bitwise_and(x, 6) | np.invert(x) & np.bitwise_xor(x, 1))
    g = ftrans.jit(lambda x: fnp.bitwise_left_shift(x, 1) + fnp.bitwise_right_shift(x, 1)
                   + fnp.bitwise_invert(x) + fnp.bitwise_not(x))
    np.testing.assert_array_equal(g(x), (x << 1) + (x >> 1) + 2 * ~x)


def test_derivatives_through_integer_masks_are_zero():
    x = np.array([0.21, 0.52, 0.93])

    def f(x):
        bits = fnp.astype(x * 16, np.int64)
        mask = (bits >> 1) & 1 ^ (bits << 2) % 3
        return fnp.sum(x * x * fnp.astype(mask, x.dtype))

    bits = (x * 16).astype(np.int64)
    mask = ((bits >> 1) & 1 ^ (bits << 2) % 3).astype(float)
    np.testing.assert_allclose(ftrans.grad(f)(x), 2 * x * mask)
    _, t = ftrans.jvp(lambda x: fnp.astype(fnp.astype(x * 16, np.int64) >> 1, float),
                      (x,), (np.ones(3),))
    np.testing.assert_array_equal(t, 0.0)
    np.testing.assert_allclose(ftrans.vmap(ftrans.grad(f))(np.stack([x, x / 2])),
                               np.stack([ftrans.grad(f)(x), ftrans.grad(f)(x / 2)]))


def test_errors_name_the_function_and_dtypes():
    x = np.array([1.5, 2.0])
    with pytest.raises(TypeError, match="bitwise_and takes integer or boolean operands, "
                                        "got float64, int64"):
        ftrans.jit(lambda x: x & 1)(x)
    with pytest.raises(TypeError, match="invert takes integer or boolean operands, got "
                                        "float64"):
        ftrans.jit(lambda x: ~x)(x)
    with pytest.raises(TypeError, match="left_shift takes integer operands, got bool, int64"):
        ftrans.jit(lambda b: b << 1)(np.array([True]))
    with pytest.raises(TypeError, match="shift_right_logical takes integer operands, got "
                                        "float64"):
        ftrans.make_jaxpr(lambda x: lax.shift_right_logical(x, x))(x)


def test_cuda_element_code_matches_numpy_on_the_host():
    """The fused kernel's element function (ft_shl, ft_shr_* and the operators of
    ft_math.cuh), built for the host, against NumPy for every integer dtype and every
    count, out-of-range ones included."""
    from cuda_harness import CXX, HostLib, reference_env
    if CXX is None:
        pytest.skip("no C++ compiler")
    from ftrans.backends.cuda_codegen import plan_jaxpr

    def f(x, y):
        return ((x << y) ^ (x >> y)) + (~x & y) | lax.shift_right_logical(x, y) \
            ^ lax.shift_right_arithmetic(x, y)

    programs = []
    for dtype in INTS:
        x, y = _values(dtype)
        cj = ftrans.make_jaxpr(f)(x, y)
        (group,) = plan_jaxpr(cj.jaxpr).groups
        assert {e.prim.name for e in group.eqns} >= {"shift_left", "shift_right_logical",
                                                     "shift_right_arithmetic", "bitwise_not"}
        programs.append((cj, group, x, y))
    lib = HostLib([g for _, g, _, _ in programs])
    for cj, group, x, y in programs:
        env = reference_env(cj.jaxpr, cj.consts, [x, y])
        (got,) = lib.run(group, [env[id(v)] for v in group.inputs])
        np.testing.assert_array_equal(got, f(x, y), err_msg=str(x.dtype))
