"""``ftrans.numpy.fft`` (issue 13 §3): values and dtypes against NumPy over ``n``/``s``,
``axis``/``axes`` (repeated too), each ``norm`` and each input dtype; NumPy's errors; the
transpose rules of the ``fft`` primitive against explicit DFT matrices and by the dot-product
identity; ``np.fft`` on traced arrays; ``jit``'s program; HIPS autograd's own
``tests/test_fft.py`` cases, run as ftrans checks; and JAX, where installed, as an oracle for
vjps. Every function also has rows in ``samples_fft.py`` (all transforms, vmap, emulated GPU).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp
from ftrans.prims import fft as pf
from ftrans.testing import pair

rng = np.random.default_rng(13)
X = rng.standard_normal((4, 5, 6))
XC = X + 1j * rng.standard_normal(X.shape)
INPUTS = {"f64": X, "c128": XC, "f32": X.astype(np.float32), "c64": XC.astype(np.complex64),
          "f16": X.astype(np.float16), "i64": np.arange(120).reshape(4, 5, 6) % 7}

ONE_D = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft"]
ONE_D_ARGS = [{}, {"n": 3}, {"n": 8}, {"n": 7}, {"axis": 0}, {"axis": -2, "n": 5},
              {"norm": "ortho"}, {"norm": "forward", "n": 9}, {"norm": "backward", "axis": 1}]
N_D = ["fft2", "ifft2", "fftn", "ifftn", "rfft2", "irfft2", "rfftn", "irfftn"]
N_D_ARGS = [{}, {"s": (3, 7), "axes": (1, 2)}, {"axes": (0, 2)}, {"axes": (2, 0), "s": (5, 3)},
            {"norm": "ortho"}, {"norm": "forward", "axes": (1, 0)}, {"axes": (0, 0)},
            {"axes": (2, 1, 2), "s": (3, 4, 5)}, {"axes": (1,), "s": (4,)}]


def _takes(name: str, kind: str) -> bool:
    return not (name in ("rfft", "ihfft", "rfft2", "rfftn") and kind in "c")


def _traced(name: str, a: np.ndarray, kw: dict):
    fn = getattr(fnp.fft, name)
    return ftrans.jit(lambda a: fn(a, **kw))(a)


def _check_against_numpy(name: str, a: np.ndarray, kw: dict) -> None:
    want = getattr(np.fft, name)(a, **kw)
    got = _traced(name, a, kw)
    assert got.dtype == want.dtype and got.shape == want.shape, (name, kw, got.dtype)
    single = np.finfo(want.dtype).resolution >= 1e-6
    # float16 input: NumPy rounds its norm factor to float16, ftrans computes it in float32
    tol = 2e-3 if a.dtype == np.float16 else 1e-5 if single else 1e-12
    scale = max(1.0, float(np.max(np.abs(want))))
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol * scale, err_msg=f"{name} {kw}")


@pytest.mark.parametrize("kind", list(INPUTS))
@pytest.mark.parametrize("name", ONE_D)
def test_one_dimensional_transforms_match_numpy(name, kind):
    a = INPUTS[kind]
    if not _takes(name, a.dtype.kind):
        return
    for kw in ONE_D_ARGS:
        _check_against_numpy(name, a, kw)


@pytest.mark.parametrize("kind", ["f64", "c128", "f32", "c64"])
@pytest.mark.parametrize("name", N_D)
def test_n_dimensional_transforms_match_numpy(name, kind):
    a = INPUTS[kind]
    if not _takes(name, a.dtype.kind):
        return
    for kw in N_D_ARGS:
        if name.endswith("2") and len(kw.get("axes", (0, 1))) != 2:
            continue
        _check_against_numpy(name, a, kw)


def test_deprecated_s_forms_warn_and_match_numpy():
    for name in ("fftn", "irfftn", "rfftn"):
        a = XC if name == "irfftn" else X
        for kw in ({"s": (3, 4)}, {"s": (None, 4), "axes": (0, 2)}, {"s": (-1, 3), "axes": (0, 1)}):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                _check_against_numpy(name, a, kw)
        with pytest.warns(DeprecationWarning, match="axes"):
            ftrans.jit(lambda a: getattr(fnp.fft, name)(a, s=(3, 4)))(a)


def test_empty_axes_and_empty_batches_as_numpy():
    assert ftrans.jit(lambda a: fnp.fft.fftn(a, axes=()))(X).dtype == np.float64
    got = ftrans.jit(lambda a: fnp.fft.fft(a))(np.ones((0, 3)))
    assert got.shape == (0, 3) and got.dtype == np.complex128


@pytest.mark.parametrize("name", ["fftshift", "ifftshift"])
def test_shifts_match_numpy(name):
    for a in (X, XC, np.arange(7.0)):
        for axes in (None, 1, (0, 2), -1, [0]):
            if a.ndim == 1 and axes not in (None, -1, [0]):
                continue
            want = getattr(np.fft, name)(a, axes)
            got = ftrans.jit(lambda a: getattr(fnp.fft, name)(a, axes))(a)
            np.testing.assert_array_equal(got, want)
    g = ftrans.grad(lambda x: fnp.sum(fnp.fft.fftshift(x) * np.arange(5.0)))(np.ones(5))
    np.testing.assert_array_equal(g, np.fft.ifftshift(np.arange(5.0)))


def test_frequencies_match_numpy_and_differentiate_in_the_spacing():
    for n in (1, 4, 5):
        for d in (1.0, 0.25):
            np.testing.assert_allclose(fnp.fft.fftfreq(n, d), np.fft.fftfreq(n, d))
            np.testing.assert_allclose(ftrans.jit(lambda d: fnp.fft.fftfreq(n, d))(d),
                                       np.fft.fftfreq(n, d), rtol=1e-15)
            np.testing.assert_allclose(ftrans.jit(lambda d: fnp.fft.rfftfreq(n, d))(d),
                                       np.fft.rfftfreq(n, d), rtol=1e-15)
    # f = k / (n d): df/dd = -f / d
    d = 0.3
    np.testing.assert_allclose(ftrans.jacfwd(lambda d: fnp.fft.fftfreq(5, d))(d),
                               -np.fft.fftfreq(5, d) / d, rtol=1e-12)
    np.testing.assert_allclose(ftrans.jacrev(lambda d: fnp.fft.rfftfreq(6, d))(d),
                               -np.fft.rfftfreq(6, d) / d, rtol=1e-12)


# ----------------------------------------------------------------------------- errors

def _jit_raises(exc, match, fn, *args):
    with pytest.raises(exc, match=match):
        ftrans.jit(fn)(*args)
    with pytest.raises(exc):  # NumPy raises the same type (or a subclass of it) too
        fn(*args)


def test_errors_are_numpys():
    x = np.ones((4, 5))
    F = fnp.fft
    _jit_raises(ValueError, "Invalid norm value foo", lambda a: F.fft(a, norm="foo"), x)
    _jit_raises(ValueError, "Invalid norm value", lambda a: F.hfft(a, norm="foo"), x)
    _jit_raises(ValueError, r"Invalid number of FFT data points \(0\)", lambda a: F.fft(a, 0), x)
    _jit_raises(ValueError, r"data points \(-2\)", lambda a: F.rfftn(a, s=(3, -2), axes=(0, 1)),
                x)
    _jit_raises(ValueError, r"data points \(0\)", lambda a: F.irfft(a), np.ones(1))
    _jit_raises(IndexError, "axis 2 is out of bounds for array of dimension 2",
                lambda a: F.fft(a, axis=2), x)
    _jit_raises(IndexError, "axis -3 is out of bounds", lambda a: F.fft2(a, axes=(-3, 0)), x)
    _jit_raises(ValueError, "Shape and axes have different lengths",
                lambda a: F.fftn(a, s=(3,), axes=(0, 1)), x)
    _jit_raises(TypeError, "rfft takes real input, got complex128", F.rfft, x + 1j)
    _jit_raises(TypeError, "ihfft takes real input", F.ihfft, x + 1j)
    _jit_raises(TypeError, "cannot be interpreted as an integer", lambda a: F.fft(a, 2.5), x)
    _jit_raises(IndexError, "rfftn: axes must name at least one axis",
                lambda a: F.rfftn(a, axes=()), x)
    _jit_raises(IndexError, "out of bounds", lambda a: F.fftshift(a, axes=5), x)
    with pytest.raises(NotImplementedError, match=r"numpy.fft.fft\(..., out=...\) on traced"):
        ftrans.jit(lambda a: F.fft(a, out=np.empty(5, complex)))(x)
    with pytest.raises(ValueError, match="n should be an integer"):
        ftrans.grad(lambda d: F.fftfreq(4.0, d)[1])(1.0)
    # the primitive's own checks (abstract evaluation)
    z = np.ones(4, complex)
    for exc, match, params in ((TypeError, "fft: rfft takes a real floating-point operand",
                                ("rfft", (4,))),
                               (ValueError, r"needs trailing axes \(3,\)", ("irfft", (4,))),
                               (ValueError, "fft_type must be one of", ("dct", (4,))),
                               (ValueError, "norm must be one of", ("fft", (4,), "none")),
                               (ValueError, "need an operand with at least 2", ("fft", (2, 2))),
                               (TypeError, "fft: ifft takes a complex operand", ("ifft", (4,)))):
        arg = z.real if params[0] == "ifft" else z
        with pytest.raises(exc, match=match):
            ftrans.make_jaxpr(lambda a: pf.fft(a, *params))(arg)


def test_plain_numpy_calls_on_tracers_dispatch_here():
    x = rng.standard_normal(6)

    def f(x):
        return np.sum(np.abs(np.fft.rfft(x, norm="ortho")) ** 2) + np.real(np.fft.ifft(x)[1])

    cj = ftrans.make_jaxpr(f)(x)
    assert [e.prim.name for e in cj.eqns].count("fft") == 2
    ftrans.check_grads(f, (x,), order=2)
    with pytest.raises(NotImplementedError, match="numpy.fft.foo|fft"):
        from ftrans.numpy._protocols import _array_function

        def foo(a):
            return a
        foo.__module__ = "numpy.fft"
        ftrans.jit(lambda a: _array_function(foo, (a,), {}))(x)


# ----------------------------------------------------------------------------- derivatives

def _dft(n: int) -> np.ndarray:
    k = np.arange(n)
    return np.exp(-2j * np.pi * np.outer(k, k) / n)


@pytest.mark.parametrize("norm", ["backward", "ortho", "forward"])
def test_fft_transposes_to_itself_not_to_its_inverse(norm):
    """With the pairing Re Σ u·v (no conjugation), the transpose of z ↦ s F z is ct ↦ s Fᵀ ct
    = s F ct (the DFT matrix is symmetric), JAX's convention."""
    n = 5
    scale = {"backward": 1.0, "ortho": 1 / np.sqrt(n), "forward": 1 / n}[norm]
    ct = rng.standard_normal(n) + 1j * rng.standard_normal(n)
    z = np.zeros(n, complex)
    (got,) = ftrans.linear_transpose(lambda z: fnp.fft.fft(z, norm=norm), z)(ct)
    np.testing.assert_allclose(got, scale * _dft(n).T @ ct, rtol=1e-12)
    np.testing.assert_allclose(got, np.fft.fft(ct, norm=norm), rtol=1e-12)
    # the Jacobian of fft of a real input is the DFT matrix itself
    np.testing.assert_allclose(ftrans.jacfwd(lambda x: fnp.fft.fft(x, norm=norm))(np.ones(n)),
                               scale * _dft(n), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("n", [1, 2, 5, 6])
@pytest.mark.parametrize("norm", ["backward", "ortho", "forward"])
def test_real_transforms_transpose_by_their_explicit_matrices(n, norm):
    """rfft as the real-to-complex matrix P F; its transpose (for real inputs) is
    u ↦ Re((P F)ᵀ u); irfft's matrix read off column by column, transposed likewise."""
    m = n // 2 + 1
    scale = {"backward": 1.0, "ortho": 1 / np.sqrt(n), "forward": 1 / n}[norm]
    P_F = scale * _dft(n)[:m]  # (m, n): rfft(x) = P_F @ x
    u = rng.standard_normal(m) + 1j * rng.standard_normal(m)
    (got,) = ftrans.linear_transpose(lambda x: fnp.fft.rfft(x, norm=norm), np.zeros(n))(u)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, np.real(P_F.T @ u), rtol=1e-12, atol=1e-12)
    # irfft as a real-linear map of (Re w, Im w): columns from unit inputs
    basis = np.concatenate([np.eye(m), 1j * np.eye(m)])
    cols = np.stack([np.fft.irfft(b, n, norm=norm) for b in basis], axis=1)  # (n, 2m)
    v = rng.standard_normal(n)
    (got,) = ftrans.linear_transpose(lambda w: fnp.fft.irfft(w, n, norm=norm),
                                     np.zeros(m, complex))(v)
    # ⟨v, J w⟩ = v·cols·(Re w, Im w) = Re Σ ct·w with ct = (cols ᵀv)_re - i (colsᵀv)_im
    t = cols.T @ v
    np.testing.assert_allclose(got, t[:m] - 1j * t[m:], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("fft_type", pf.FFT_TYPES)
@pytest.mark.parametrize("lengths", [(5,), (4,), (3, 4), (2, 3, 5)])
@pytest.mark.parametrize("norm", pf.NORMS)
def test_primitive_dot_product_identity(fft_type, lengths, norm):
    shape = (2,) + tuple(lengths)
    if fft_type == "irfft":
        shape = shape[:-1] + (lengths[-1] // 2 + 1,)
    x = rng.standard_normal(shape)
    if fft_type != "rfft":
        x = x + 1j * rng.standard_normal(shape)
    y = pf.fft(x, fft_type, lengths, norm)
    u = rng.standard_normal(y.shape) + (1j * rng.standard_normal(y.shape) if y.dtype.kind == "c"
                                        else 0)
    (xt,) = ftrans.linear_transpose(lambda a: pf.fft(a, fft_type, lengths, norm), x)(u)
    assert xt.dtype == x.dtype and xt.shape == x.shape
    np.testing.assert_allclose(pair(u, y), pair(xt, x), rtol=1e-11)


def test_gradient_of_a_spectral_loss_by_hand():
    """f(x) = Σ |F(w x) h|² with real window w and frequency weights h: the gradient in JAX's
    convention is 2 w F(h² conj(F(w x))) (F symmetric), for complex and real x."""
    w, h = rng.uniform(0.5, 1.5, (6, 8)), rng.uniform(0.5, 1.5, (6, 8))

    def f(x):
        return fnp.sum(fnp.abs(fnp.fft.fft2(x * w) * h) ** 2)

    for x in (XC[0, :, :], X[0, :, :]):
        x = np.resize(x, (6, 8))
        want = 2 * w * np.fft.fft2(h ** 2 * np.conj(np.fft.fft2(w * x)))
        if x.dtype.kind == "f":
            want = want.real
        np.testing.assert_allclose(ftrans.grad(f)(x), want, rtol=1e-12)
        np.testing.assert_allclose(ftrans.jit(ftrans.grad(f))(x), want, rtol=1e-12)


def test_jit_runs_one_fft_per_transform():
    def f(x):
        return fnp.sum(fnp.fft.irfft2(fnp.fft.rfft2(x) * 2.0) ** 2)

    g = ftrans.jit(ftrans.grad(f))
    x = rng.standard_normal((4, 6))
    np.testing.assert_allclose(g(x), 8 * x, rtol=1e-12)  # f = Σ (2x)² = 4 Σ x²
    cj = ftrans.make_jaxpr(ftrans.grad(f))(x)
    assert [e.prim.name for e in cj.eqns].count("fft") == 4  # two forward, two transposed


def test_lax_fft_as_jax():
    import ftrans.lax as lax
    z = XC[0]
    np.testing.assert_allclose(lax.fft(z, "FFT", (5, 6)), np.fft.fft2(z), rtol=1e-12)
    np.testing.assert_allclose(lax.fft(z, "ifft", [6]), np.fft.ifft(z), rtol=1e-12)
    np.testing.assert_allclose(lax.fft(X[0], "RFFT", 6), np.fft.rfft(X[0]), rtol=1e-12)
    np.testing.assert_allclose(lax.fft(np.fft.rfft(X[0]), "IRFFT", (6,)), X[0], rtol=1e-12)
    with pytest.raises(ValueError, match="fft_type must be one of FFT, IFFT, RFFT, IRFFT"):
        lax.fft(z, "DCT", (6,))
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    np.testing.assert_allclose(lax.fft(z, "IFFT", (5, 6)),
                               jax.lax.fft(z, "IFFT", (5, 6)), rtol=1e-12)


def test_vmap_over_every_position_of_the_batch_axis():
    def f(z):
        return fnp.fft.fftn(z, axes=(0, 1), s=(3, 5))

    zs = rng.standard_normal((2, 4, 3)) + 1j * rng.standard_normal((2, 4, 3))
    for ax in range(3):
        batched = np.moveaxis(zs, 0, ax)
        got = ftrans.vmap(f, in_axes=ax)(batched)
        np.testing.assert_allclose(got, np.stack([f(z) for z in zs]), rtol=1e-12)


# ----------------------------------------------------------------------------- autograd's cases

def _hermitian(name: str, mat: np.ndarray) -> np.ndarray:
    """autograd feeds an inverse real transform the forward transform of a real array."""
    return getattr(np.fft, name[1:])(mat) if name.startswith("ir") else mat


def _autograd_cases():
    """The cases of HIPS autograd's tests/test_fft.py as (label, function, argument): each
    is checked here to second order in both modes (autograd checks reverse mode only)."""
    r = np.random.default_rng(1).standard_normal
    F = fnp.fft
    cases = [("fft", F.fft, r((5, 5))),
             ("fft_ortho", lambda x: F.fft(x, norm="ortho"), r((5, 5))),
             ("fft_axis", lambda x: F.fft(x, axis=0), r((5, 5))),
             ("ifft", F.ifft, r((5, 5))),
             ("fft2", F.fft2, r((5, 5)) / 10), ("ifft2", F.ifft2, r((5, 5))),
             ("fftn", F.fftn, r((5, 5)) / 10), ("ifftn", F.ifftn, r((5, 5))),
             ("rfft", F.rfft, r((4, 4)) / 10),
             ("rfft_ortho", lambda x: F.rfft(x, norm="ortho"), r((4, 4)) / 10),
             ("rfft_axes", lambda x: F.rfft(x, axis=0), r((4, 4)) / 10),
             ("irfft", F.irfft, np.fft.rfft(r((4, 4)) / 10)),
             ("irfft_ortho", lambda x: F.irfft(x, norm="ortho"), np.fft.rfft(r((4, 4)) / 10)),
             ("rfft2", F.rfft2, r((4, 4)) / 10),
             ("irfft2", F.irfft2, np.fft.rfft2(r((4, 4)) / 10)),
             ("rfftn", F.rfftn, r((4, 4, 4)) / 10),
             # autograd raises NotImplementedError for odd last axes; ftrans differentiates them
             ("rfftn_odd", F.rfftn, r((5, 5, 5)) / 10),
             ("rfftn_subset", lambda x: F.rfftn(x)[(0, 1, 0), (3, 3, 2)], r((4, 4, 4)) / 10),
             ("rfftn_axes", lambda x: F.rfftn(x, axes=(0, 2)), r((4, 4, 4)) / 10),
             ("irfftn", F.irfftn, np.fft.rfftn(r((4, 4, 4)) / 10)),
             ("irfftn_subset", lambda x: F.irfftn(x)[(0, 1, 0), (3, 3, 2)],
              np.fft.rfftn(r((4, 4, 4)) / 10)),
             # and the case autograd leaves for later: repeated axes
             ("fftn_repeated", lambda x: F.fftn(x, s=(7, 3), axes=(0, 0)), r((5, 5, 5)) / 10)]
    for name, d, dn in (("fft", 5, -2), ("fft", 5, 2), ("ifft", 5, -2), ("ifft", 5, 2),
                        ("rfft", 4, -2), ("rfft", 4, 2), ("irfft", 4, -2), ("irfft", 4, 2)):
        fn = getattr(F, name)
        cases.append((f"{name}_n{dn:+d}", lambda x, fn=fn, n=d + dn: fn(x, n),
                      _hermitian(name, r((d, d)))))
    for name, d in (("fft2", 5), ("ifft2", 5), ("fftn", 5), ("ifftn", 5), ("rfft2", 4),
                    ("irfft2", 4), ("rfftn", 4), ("irfftn", 4)):
        fn = getattr(F, name)
        cases.append((f"{name}_s", lambda x, fn=fn, d=d: fn(x, s=[d + 2, d - 2], axes=[0, 2]),
                      _hermitian(name, r((d, d, d)) / 10)))
    for name in ("fftshift", "ifftshift"):
        fn = getattr(F, name)
        cases += [(name, fn, r((5, 5))), (f"{name}_even", fn, r((4, 4))),
                  (f"{name}_axes", lambda x, fn=fn: fn(x, axes=1), r((5, 5)))]
    return cases


AUTOGRAD_CASES = _autograd_cases()


@pytest.mark.parametrize("case", AUTOGRAD_CASES, ids=[c[0] for c in AUTOGRAD_CASES])
def test_the_cases_of_autograds_test_fft(case):
    _, fun, mat = case
    ftrans.check_grads(fun, (mat,), order=2)


# ----------------------------------------------------------------------------- JAX

JAX_CASES = [
    ("fft", {"n": 7, "axis": 0, "norm": "ortho"}, XC[0]),
    ("ifft", {"n": 4}, XC[0]),
    ("rfft", {"n": 7}, X[0]), ("rfft", {"axis": 0, "norm": "forward"}, X[0]),
    ("irfft", {}, XC[0]), ("irfft", {"n": 7, "norm": "ortho"}, XC[0]),
    ("hfft", {"n": 5}, XC[0]), ("ihfft", {}, X[0]),
    ("fft2", {"s": (3, 8)}, XC), ("ifftn", {"axes": (0, 2)}, XC),
    ("rfftn", {"axes": (2, 0), "s": (5, 3)}, X), ("irfftn", {"axes": (1, 2)}, XC),
    ("irfft2", {"s": (3, 5), "norm": "forward"}, XC),
]


@pytest.mark.parametrize("case", JAX_CASES, ids=[c[0] for c in JAX_CASES])
def test_vjps_match_jax(case):
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    jax.config.update("jax_enable_x64", True)
    name, kw, a = case
    ours, f_vjp = ftrans.vjp(lambda a: getattr(fnp.fft, name)(a, **kw), a)
    theirs, j_vjp = jax.vjp(lambda a: getattr(jnp.fft, name)(a, **kw), jnp.asarray(a))
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
    ct = rng.standard_normal(ours.shape) + (1j * rng.standard_normal(ours.shape)
                                            if ours.dtype.kind == "c" else 0)
    np.testing.assert_allclose(f_vjp(ct)[0], j_vjp(jnp.asarray(ct))[0], rtol=1e-10, atol=1e-12)
