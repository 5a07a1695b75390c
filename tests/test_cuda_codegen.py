"""The CuPy backend's code generation, checked without a GPU: fusion plans, every generated
kernel compiled with ``nvcc -arch=sm_90``, and the same element code built for the host and
compared with NumPy (1e-12 in float64, 1e-5 in float32), edge values included."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from cuda_harness import (
    CXX,
    NVCC,
    HostLib,
    Program,
    all_groups,
    assert_close,
    build_corpus,
    edges_welcome,
    find_nvrtc,
    make_inputs,
    numpy_eqn,
    nvcc_compile,
    nvrtc_compile,
    reference_env,
    tolerance,
)
from samples import SAMPLES

import ftrans
import ftrans.lax as lax
import ftrans.numpy as fnp
from ftrans.backends import cuda_codegen as cg
from ftrans.core import PRIMITIVES, eval_jaxpr

_rng = np.random.default_rng(5)
N = 40  # more than the edge values, so every one appears in each input


def _v(*shape, lo=-1.0, hi=1.0):
    return _rng.uniform(lo, hi, shape)


def tutorial(x1, x2):
    v1 = x1 / x2
    return (fnp.sin(v1) + v1 - fnp.exp(x2)) * (v1 - fnp.exp(x2))


W = _v(6, 4)

COMPOSED = [
    ("tutorial", tutorial, (_v(N, lo=0.5, hi=2), _v(N, lo=0.5, hi=2))),
    ("softplus", lambda x: fnp.log1p(fnp.exp(-fnp.abs(x))) + fnp.maximum(x, 0.0), (_v(N),)),
    ("select", lambda x, y: fnp.where(x > y, fnp.sin(x) * y, fnp.cos(y) ** 2) / (1 + x * x),
     (_v(N), _v(N))),
    ("trig", lambda x, y: fnp.arctan2(x, y) * fnp.tanh(x) - fnp.sinh(y) / fnp.cosh(x)
     + fnp.arcsin(x * 0.5) * fnp.arccos(y * 0.5) + fnp.arctan(x) * fnp.tan(y),
     (_v(N), _v(N))),
    ("powers", lambda x, y: fnp.power(fnp.abs(x) + 0.5, y) + x ** 3 - 1.0 / (x ** 2 + 1.0)
     + fnp.sqrt(fnp.abs(y)) * fnp.expm1(x) + fnp.log(fnp.abs(x) + 1e-3), (_v(N), _v(N))),
    ("logistic", lambda x: lax.logistic(3.0 * x) * fnp.minimum(x, 0.25) + fnp.sign(x) * x,
     (_v(N),)),
    ("softmax", lambda x: fnp.exp(x) / fnp.sum(fnp.exp(x)), (_v(N),)),
    ("sum_axis0", lambda x: fnp.sum(fnp.sin(x) * x, axis=0), (_v(5, 8),)),
    ("sum_axis1", lambda x: fnp.sum(fnp.cos(x) * x, axis=1), (_v(5, 8),)),
    ("sum_columns", lambda x: fnp.sum(fnp.tanh(x) * x, axis=0), (_v(6, 40),)),
    ("max_columns", lambda x: fnp.max(fnp.sin(x) * 3.0, axis=(0, 1)), (_v(3, 4, 40),)),
    ("sum_axes02", lambda x: fnp.sum(fnp.exp(x) * x, axis=(0, 2)), (_v(3, 4, 5),)),
    ("max_axis1", lambda x: fnp.max(fnp.tanh(x) * 2.0, axis=1), (_v(4, 10),)),
    ("min_axis0", lambda x: fnp.min(x * x - x, axis=0), (_v(10, 4),)),
    ("mlp", lambda x: fnp.sum(fnp.tanh(x @ W) ** 2), (_v(3, 6),)),
    ("bias_tanh", lambda x, b: fnp.tanh(x + b) * b, (_v(5, 8), _v(8))),
    ("softmax_rows", lambda x: fnp.exp(x) / fnp.sum(fnp.exp(x), axis=1, keepdims=True),
     (_v(5, 8),)),
    ("column_scale", lambda x, c: x * fnp.sum(x, axis=0) + fnp.reshape(c, (5, 1)) * x,
     (_v(5, 8), _v(5))),
    ("convert", lambda x: fnp.astype(fnp.sin(x), np.float32) * 2.0
     + fnp.astype(x > 0, np.float32), (_v(N),)),
    # bool values inside a kernel: float -> bool tests, logical operations, select
    ("logic", lambda x, y: fnp.where(
        fnp.logical_or(fnp.isnan(fnp.log(x) * y),
                       fnp.logical_xor(fnp.isinf(y / x), fnp.logical_not(x > 0.25))),
        x * y, fnp.where(fnp.logical_and(fnp.isfinite(x / y), y > x), fnp.exp(x), -y)),
     (_v(N), _v(N))),
    # bool outputs stored by a kernel (no derivative programs)
    ("predicates", lambda x, y: fnp.logical_and(fnp.logical_not(fnp.isnan(x / y)),
                                                fnp.logical_or(fnp.isinf(fnp.exp(x * 800.0)),
                                                               fnp.isfinite(y / x))),
     (_v(N), _v(N))),
    ("prod_axis1", lambda x: fnp.prod(fnp.cos(x) * 1.25, axis=1), (_v(5, 8),)),
    ("prod_columns", lambda x: fnp.prod(1.0 + 0.1 * fnp.sin(x), axis=0), (_v(6, 40),)),
    # complex values: their equations run CuPy's functions, the real ones around them fuse
    ("complex_wave", lambda x, y: fnp.abs(fnp.exp(1j * x) * (y + 2j)) ** 2
     + fnp.real(fnp.conj(x + 1j * y) * fnp.sin(x)) * fnp.tanh(y), (_v(N), _v(N))),
    ("complex_columns", lambda z: fnp.sum(fnp.abs(fnp.sqrt(z + 3.0)) * fnp.tanh(fnp.real(z)),
                                          axis=0), (_v(5, 8) + 1j * _v(5, 8),)),
    # a filter in the frequency domain (cuFFT on the device) between fused real kernels
    ("fft_filter", lambda x: fnp.tanh(fnp.fft.irfft(fnp.fft.rfft(fnp.sin(x) * x, axis=1) * 0.5,
                                                    n=8, axis=1)) * x, (_v(5, 8),)),
]


@functools.lru_cache(maxsize=None)
def composed() -> tuple[Program, ...]:
    return tuple(build_corpus(COMPOSED))


@functools.lru_cache(maxsize=None)
def sampled() -> tuple[Program, ...]:
    return tuple(build_corpus([(f"{s.prim}-{i}", s.fun, s.args)
                               for i, s in enumerate(SAMPLES)]))


def corpus() -> tuple[Program, ...]:
    return composed() + sampled()


# ----------------------------------------------------------------------------- plans

def test_tutorial_gradient_is_one_kernel():
    g = ftrans.grad(lambda a, b: fnp.sum(tutorial(a, b)), argnums=(0, 1))
    plan = cg.plan_jaxpr(ftrans.make_jaxpr(g)(np.ones(10), np.ones(10)).jaxpr)
    assert len(plan.steps) == 1 and isinstance(plan.steps[0], cg.Group)
    assert len(plan.steps[0].outputs) == 2  # both gradients, nothing else stored


def test_value_and_reduction_share_a_kernel():
    cj = ftrans.make_jaxpr(lambda x: fnp.sum(fnp.sin(x) * x, axis=1))(np.ones((3, 4)))
    (group,) = cg.plan_jaxpr(cj.jaxpr).steps
    assert group.reduction is not None and group.reduction.prim.name == "reduce_sum"
    assert "ft_partial" in group.kernel_source()


def test_broadcast_operands_are_read_in_place():
    """A bias broadcast along rows joins the kernel: read at its broadcast index, never
    materialized at the full shape."""
    cj = ftrans.make_jaxpr(lambda x, b: fnp.tanh(x + b))(np.ones((5, 8)), np.ones(8))
    (g,) = cg.plan_jaxpr(cj.jaxpr).steps
    assert [e.prim.name for e in g.eqns] == ["broadcast_in_dim", "add", "tanh"]
    assert "p_in1[(i % 8LL)]" in g.kernel_source() or "p_in0[(i % 8LL)]" in g.kernel_source()


def test_matmul_splits_groups():
    plan = cg.plan_jaxpr(ftrans.make_jaxpr(lambda x: fnp.tanh(fnp.sin(x) @ W) * 2.0)(
        np.ones((3, 6))).jaxpr)
    kinds = [s.prim.name if not isinstance(s, cg.Group) else "group" for s in plan.steps]
    assert kinds == ["sin", "dot_general", "group"] or kinds == ["group", "dot_general",
                                                                 "group"]


def test_no_cycle_through_an_unfused_equation():
    # c depends on a (group) through a matmul; joining c's consumer to a's group would
    # need the matmul inside the kernel
    def f(x):
        a = fnp.sin(x)
        b = fnp.reshape(a, (6, 3))
        c = fnp.reshape(fnp.cos(b), (3, 6))
        return a * c
    plan = cg.plan_jaxpr(ftrans.make_jaxpr(f)(np.ones((3, 6))).jaxpr)
    x = np.linspace(0, 1, 18).reshape(3, 6)
    out = cg.execute(plan, [], [x], numpy_eqn, _numpy_group)
    np.testing.assert_allclose(out[0], f(x))


def _numpy_group(g: cg.Group, inputs: list) -> list:
    env = {id(v): x for v, x in zip(g.inputs, inputs)}
    for e in g.eqns + ([g.reduction] if g.reduction is not None else []):
        vals = [a.val if type(a).__name__ == "Literal" else env[id(a)] for a in e.inputs]
        env[id(e.outputs[0])] = numpy_eqn(e, vals)[0]
    return [env[id(v)] for v in g.outputs]


def test_plans_run_like_the_program():
    """Executing each plan (groups evaluated with NumPy) gives eval_jaxpr's results: the
    schedule respects every dependency and keeps every needed value."""
    for p in corpus():
        args = make_inputs(p.jaxpr.in_avals, seed=1, edges=False)
        got = cg.execute(p.plan, p.consts, args, numpy_eqn, _numpy_group)
        with np.errstate(all="ignore"):
            want = eval_jaxpr(p.jaxpr, p.consts, *args)
        for a, b in zip(got, want):
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=p.name)


def test_every_elementwise_primitive_is_fused():
    fused = {e.prim.name for g in all_groups(corpus()) for e in g.eqns}
    fused |= {g.reduction.prim.name for g in all_groups(corpus()) if g.reduction is not None}
    expected = {name for name, p in PRIMITIVES.items()
                if p.cuda is not None or p.cuda_reduce is not None}
    assert expected - fused == set()


def test_complex_equations_stay_out_of_kernels():
    """Kernels are real: equations on complex values run CuPy's own functions (as NumPy's on
    the CPU), while the real equations of a complex program still fuse around them."""
    def complex_eqn(e):
        return any(v.aval.dtype.kind == "c" for v in (*e.inputs, *e.outputs))
    groups = all_groups(corpus())
    assert not any(complex_eqn(e) for g in groups
                   for e in g.eqns + ([g.reduction] if g.reduction is not None else []))
    mixed = [p for p in sampled() if any(complex_eqn(e) for e in p.jaxpr.eqns)]
    assert len(mixed) > 100 and sum(len(p.plan.groups) for p in mixed) > 50
    f = ftrans.grad(lambda x: fnp.sum(fnp.abs(fnp.exp(1j * fnp.sin(x))) * fnp.tanh(x)))
    plan = cg.plan_jaxpr(ftrans.make_jaxpr(f)(np.ones(8)).jaxpr)
    assert any(isinstance(s, cg.Group) for s in plan.steps)
    assert any(not isinstance(s, cg.Group) and complex_eqn(s) for s in plan.steps)


def test_literals_are_exact():
    assert float.fromhex(cg.c_literal(0.1, np.float32)[:-1]) == float(np.float32(0.1))
    assert float.fromhex(cg.c_literal(0.1, np.float64)) == 0.1
    assert cg.c_literal(float("nan"), np.float32) == "FT_NAN_F32"
    assert cg.c_literal(True, np.bool_) == "true"


def test_kernels_are_found_from_the_package():
    import os
    d = cg.kernels_dir()
    for name in cg._KERNEL_FILES:
        assert os.path.exists(os.path.join(d, name))


# ----------------------------------------------------------------------------- compilers

@pytest.mark.skipif(NVCC is None, reason="nvcc is not installed")
def test_every_generated_kernel_compiles_for_sm90():
    """Every kernel of the corpus through nvcc's front end and NVVM to sm_90 PTX."""
    sources = sorted({g.kernel_source() for g in all_groups(corpus())})
    assert len(sources) > 100
    nvcc_compile(sources, "-ptx")


@pytest.mark.skipif(NVCC is None, reason="nvcc is not installed")
def test_composed_kernels_assemble_for_sm90():
    """Some composed functions' kernels (elementwise, and each kind of reduction) all the
    way to an sm_90 binary, ptxas included."""
    chosen = [p for p in composed() if p.name.split(":")[0].split("[")[0]
              in ("tutorial", "softmax", "sum_axes02", "max_axis1", "min_axis0",
                  "sum_columns", "max_columns", "prod_columns", "logic")]
    sources = sorted({g.kernel_source() for g in all_groups(chosen)})
    nvcc_compile(sources, "-cubin")


NVRTC = find_nvrtc()


@pytest.mark.skipif(NVRTC is None, reason="libnvrtc not found (pip install nvidia-cuda-nvrtc, "
                    "or set FTRANS_NVRTC)")
def test_every_generated_kernel_compiles_with_nvrtc():
    """The same sources through NVRTC, as CuPy compiles them: no standard headers there."""
    nvrtc_compile(NVRTC, "\n".join(sorted({g.kernel_source() for g in all_groups(corpus())})))


@pytest.mark.skipif(CXX is None, reason="no C++ compiler")
@pytest.mark.parametrize("which", ["composed", "samples"])
def test_host_build_matches_numpy(which):
    progs = composed() if which == "composed" else sampled()
    lib = HostLib(all_groups(progs))
    checked = 0
    for p in progs:
        args = make_inputs(p.jaxpr.in_avals, seed=len(p.name), edges=edges_welcome(p.jaxpr))
        env = reference_env(p.jaxpr, p.consts, args)
        for g in p.plan.groups:
            outs = lib.run(g, [env[id(v)] for v in g.inputs])
            for v, got in zip(g.outputs, outs):
                want = env[id(v)]
                tol = tolerance(v.aval.dtype) if v.aval.dtype.kind == "f" else 0.0
                atol = tol
                if g.reduction is not None and v is g.reduction.outputs[0] \
                        and g.reduction.prim.name == "reduce_sum":
                    # summation order differs (tree vs pairwise): bound by sum |terms|
                    terms = np.abs(env[id(g.reduction.inputs[0])].astype(np.float64))
                    with np.errstate(all="ignore"):
                        atol = tol * np.sum(terms, axis=g.reduction.params["axes"])
                assert_close(got, want, tol, atol, f"{p.name}: {g} output {v}")
                checked += 1
    assert checked > 50
