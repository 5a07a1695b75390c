"""Every primitive through every transform, from the sample table in ``samples.py``.

Complex rows (``samples_complex.py``) go through the same checks: directions of complex
values are complex, and jvp and vjp are compared by the real pairing ``Re Σ u·v``
(``ftrans.testing.pair``), for which vjp is the transpose of jvp.
"""

from __future__ import annotations

import numpy as np
import pytest
from samples import SAMPLES, Sample

import ftrans
from ftrans.core import PRIMITIVES
from ftrans.ir import ClosedJaxpr, check_jaxpr
from ftrans.testing import check_jvp, check_vjp, numerical_jvp, pair

IDS = [f"{s.prim}-{i}" for i, s in enumerate(SAMPLES)]


def _nested_prims(jaxpr):
    """The primitives of ``jaxpr``'s equations and of the jaxprs in their params (a custom
    rule's function, a loop body)."""
    for eqn in jaxpr.eqns:
        yield eqn.prim.name
        for p in eqn.params.values():
            for inner in (p if isinstance(p, tuple) else (p,)):
                if isinstance(inner, ClosedJaxpr):
                    yield from _nested_prims(inner.jaxpr)


def test_every_primitive_has_a_sample():
    covered = {s.prim for s in SAMPLES}
    missing = sorted(set(PRIMITIVES) - covered)
    assert not missing, f"primitives without a row in tests/samples.py: {missing}"


@pytest.mark.parametrize("s", SAMPLES, ids=IDS)
def test_abstract_eval_agrees_with_impl(s: Sample):
    closed = ftrans.make_jaxpr(s.fun)(*s.args)
    check_jaxpr(closed.jaxpr)
    assert s.prim in set(_nested_prims(closed.jaxpr)), str(closed)
    out = np.asarray(s.fun(*s.args))
    (aval,) = closed.out_avals
    assert aval.shape == out.shape
    assert aval.dtype == out.dtype


@pytest.mark.parametrize("s", SAMPLES, ids=IDS)
def test_jvp_matches_finite_differences(s: Sample):
    check_jvp(s.fun, s.args, order=1)


@pytest.mark.parametrize("s", SAMPLES, ids=IDS)
def test_vjp_dot_product_identity(s: Sample):
    check_vjp(s.fun, s.args, order=1)


@pytest.mark.parametrize("s", SAMPLES, ids=IDS)
def test_second_order(s: Sample):
    check_jvp(s.fun, s.args, order=2)
    check_vjp(s.fun, s.args, order=2)


def _single(s: Sample) -> bool:
    """Whether a row computes in single precision (float32 or complex64 anywhere)."""
    out = np.asarray(s.fun(*s.args))
    return any(np.asarray(a).dtype in (np.float32, np.complex64) for a in (*s.args, out))


def _random(rng, shape, dtype):
    """Standard normal values of ``dtype``: complex ones for a complex dtype."""
    v = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        v = v + 1j * rng.standard_normal(shape)
    return v.astype(dtype)


def _rows(pred):
    chosen = [(i, s) for i, s in zip(IDS, SAMPLES) if pred(s)]
    return pytest.mark.parametrize("s", [s for _, s in chosen], ids=[i for i, _ in chosen])


@_rows(lambda s: not s.smooth)
def test_nonsmooth_rows_have_zero_tangent(s: Sample):
    _, t = ftrans.jvp(s.fun, s.args, tuple(np.ones_like(a) for a in s.args))
    expected = numerical_jvp(s.fun, s.args, tuple(np.ones_like(a) for a in s.args))
    np.testing.assert_allclose(t, expected, atol=1e-6)


@pytest.mark.parametrize("s", SAMPLES, ids=IDS)
@pytest.mark.parametrize("axis", [0, -1])
def test_vmap_matches_loop(s: Sample, axis: int):
    rng = np.random.default_rng(0)
    b = 3
    batched = []
    for a in s.args:
        noise = rng.uniform(0.9, 1.1, size=(b,) + np.shape(a))
        stacked = np.asarray(a)[None] * noise
        batched.append(np.moveaxis(stacked, 0, axis) if np.ndim(a) else stacked)
    in_axes = tuple(axis if np.ndim(a) else 0 for a in s.args)
    out = ftrans.vmap(s.fun, in_axes=in_axes)(*batched)
    loop = [s.fun(*[np.moveaxis(x, ax, 0)[i] for x, ax in zip(batched, in_axes)])
            for i in range(b)]
    tol = 1e-6 if _single(s) else 1e-12  # BLAS kernels differ in the last bits
    np.testing.assert_allclose(out, np.stack(loop), rtol=tol, atol=tol)


@_rows(lambda s: len(s.args) >= 2)
def test_vmap_with_an_unbatched_argument(s: Sample):
    b = 2
    first = np.stack([s.args[0] * (1 + 0.1 * i) for i in range(b)])
    in_axes = (0,) + (None,) * (len(s.args) - 1)
    out = ftrans.vmap(s.fun, in_axes=in_axes)(first, *s.args[1:])
    loop = np.stack([s.fun(first[i], *s.args[1:]) for i in range(b)])
    tol = 1e-6 if _single(s) else 1e-12
    np.testing.assert_allclose(out, loop, rtol=tol, atol=tol)


@_rows(lambda s: s.linear)
def test_transpose_rule(s: Sample):
    rng = np.random.default_rng(7)
    out = np.asarray(s.fun(*s.args))
    ct = _random(rng, out.shape, out.dtype)
    ct_in = ftrans.linear_transpose(s.fun, *s.args)(ct)
    v = tuple(_random(rng, np.shape(a), np.asarray(a).dtype) for a in s.args)
    lhs = pair(ct, s.fun(*v))
    rhs = pair(ct_in, v)
    single = any(np.asarray(a).dtype in (np.float32, np.complex64) for a in (out, *s.args))
    np.testing.assert_allclose(lhs, rhs, rtol=1e-5 if single else 1e-10)


@pytest.mark.parametrize("s", SAMPLES, ids=IDS)
def test_vmap_of_jvp_and_grad_of_vmap(s: Sample):
    rng = np.random.default_rng(3)
    b = 2
    tangents = tuple(_random(rng, (b,) + np.shape(a), np.asarray(a).dtype) for a in s.args)

    def tangent_out(*t):
        return ftrans.jvp(s.fun, s.args, t)[1]

    out = ftrans.vmap(tangent_out)(*tangents)
    loop = np.stack([tangent_out(*[t[i] for t in tangents]) for i in range(b)])
    np.testing.assert_allclose(out, loop, rtol=1e-10, atol=1e-12)

    def total(*a):
        return ftrans.numpy.sum(ftrans.vmap(s.fun)(*a))

    batched = tuple(np.stack([np.asarray(a) * (1 + 0.05 * i) for i in range(b)])
                    for a in s.args)
    check_vjp(total, batched, order=1)


@pytest.mark.parametrize("s", SAMPLES, ids=IDS)
def test_traced_value_matches_plain_numpy(s: Sample):
    """The primal computed through the recorded primitives equals NumPy's own result."""
    traced, _ = ftrans.jvp(s.fun, s.args, tuple(np.zeros_like(a) for a in s.args))
    plain = s.fun(*s.args)
    assert np.asarray(traced).dtype == np.asarray(plain).dtype
    tol = 1e-6 if _single(s) else 1e-13  # single precision: NumPy's loops differ in an ulp
    np.testing.assert_allclose(traced, plain, rtol=tol, atol=tol * 1e-2)
