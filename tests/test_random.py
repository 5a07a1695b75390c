"""``ftrans.random``: Threefry's published known answers, JAX's numbers (an optional oracle),
the same numbers under jit and vmap, the distributions (moments and Kolmogorov-Smirnov
distances from fixed keys, so deterministic), reparameterised derivatives, and errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp
import ftrans.random as fr
from ftrans.prims.random import threefry2x32_p

KEY = fr.PRNGKey(20240611)

# Random123's known-answer vectors for threefry2x32 with 20 rounds (kat_vectors):
# (counter, key) -> output
KATS = [
    ((0x00000000, 0x00000000), (0x00000000, 0x00000000), (0x6B200159, 0x99BA4EFE)),
    ((0xFFFFFFFF, 0xFFFFFFFF), (0xFFFFFFFF, 0xFFFFFFFF), (0x1CB996FC, 0xBB002BE7)),
    ((0x243F6A88, 0x85A308D3), (0x13198A2E, 0x03707344), (0xC4923A9C, 0x483DF7A0)),
]


def _kat_args():
    ctr = np.array([k[0] for k in KATS], np.uint32)
    key = np.array([k[1] for k in KATS], np.uint32)
    want = np.array([(o[0] << 32) | o[1] for _, _, o in KATS], np.uint64)
    return (key[:, 0], key[:, 1], ctr[:, 0], ctr[:, 1]), want


def test_threefry_known_answers():
    args, want = _kat_args()
    np.testing.assert_array_equal(threefry2x32_p.bind(*args), want)
    np.testing.assert_array_equal(ftrans.jit(threefry2x32_p.bind)(*args), want)
    np.testing.assert_array_equal(ftrans.vmap(threefry2x32_p.bind)(*args), want)
    for i in range(len(KATS)):  # one at a time: 0-d operands
        assert threefry2x32_p.bind(*[a[i] for a in args]) == want[i]


def test_threefry_known_answers_in_generated_cuda_code():
    """ft_threefry2x32 of kernels/ft_math.cuh, built for the host, on the known answers and
    on a block of counters against the NumPy impl."""
    from cuda_harness import CXX, HostLib, reference_env
    if CXX is None:
        pytest.skip("no C++ compiler")
    from ftrans.backends.cuda_codegen import plan_jaxpr
    args, want = _kat_args()
    f = lambda k0, k1, c0, c1: threefry2x32_p.bind(k0, k1, c0, c1) ^ np.uint64(1)  # noqa
    cj = ftrans.make_jaxpr(f)(*args)
    (group,) = plan_jaxpr(cj.jaxpr).groups
    rng = np.random.default_rng(0)
    more = tuple(rng.integers(0, 2 ** 32, 1000, dtype=np.uint64).astype(np.uint32)
                 for _ in range(4))
    cj2 = ftrans.make_jaxpr(f)(*more)
    (group2,) = plan_jaxpr(cj2.jaxpr).groups
    lib = HostLib([group, group2])
    env = reference_env(cj.jaxpr, cj.consts, list(args))
    (got,) = lib.run(group, [env[id(v)] for v in group.inputs])
    np.testing.assert_array_equal(got ^ np.uint64(1), want)
    env = reference_env(cj2.jaxpr, cj2.consts, list(more))
    (got,) = lib.run(group2, [env[id(v)] for v in group2.inputs])
    np.testing.assert_array_equal(got, f(*more))


def test_large_draws_are_computed_in_blocks_like_small_ones():
    big = fr.bits(KEY, (3, 70001))
    small = fr.bits(KEY, (3 * 70001,))
    np.testing.assert_array_equal(big.ravel(), small)
    idx = np.array([0, 1, 65535, 65536, 65537, 210002])
    one_by_one = [threefry2x32_p.bind(KEY[0], KEY[1], np.uint32(0), np.uint32(i)) for i in idx]
    np.testing.assert_array_equal(small[idx], one_by_one)


# ----------------------------------------------------------------------------- keys

def test_seeds_are_64_bit():
    np.testing.assert_array_equal(fr.PRNGKey(0), [0, 0])
    np.testing.assert_array_equal(fr.PRNGKey(2 ** 40 + 3), [256, 3])
    np.testing.assert_array_equal(fr.PRNGKey(-1), [2 ** 32 - 1, 2 ** 32 - 1])
    np.testing.assert_array_equal(fr.PRNGKey(np.uint64(2 ** 63 + 1)), [2 ** 31, 1])
    np.testing.assert_array_equal(fr.key(5), fr.PRNGKey(5))
    assert fr.PRNGKey(7).dtype == np.uint32
    traced = ftrans.jit(fr.PRNGKey)
    for seed in (np.int64(-5), np.int64(2 ** 40 + 3), np.int32(-1), np.uint32(9)):
        np.testing.assert_array_equal(traced(seed), fr.PRNGKey(seed))
    np.testing.assert_array_equal(fr.key_data(fr.split(KEY, 3)), fr.split(KEY, 3))
    np.testing.assert_array_equal(fr.wrap_key_data(KEY), KEY)
    np.testing.assert_array_equal(fr.clone(KEY), KEY)


def test_split_and_fold_in_give_distinct_keys():
    keys = fr.split(KEY, (4, 5))
    assert keys.shape == (4, 5, 2) and keys.dtype == np.uint32
    assert len({tuple(k) for k in keys.reshape(-1, 2)}) == 20
    assert len({tuple(fr.fold_in(KEY, i)) for i in range(20)}) == 20
    # both encrypt the counter i (as JAX's partitionable Threefry): the same keys
    np.testing.assert_array_equal(keys.reshape(-1, 2),
                                  np.stack([fr.fold_in(KEY, i) for i in range(20)]))
    np.testing.assert_array_equal(fr.fold_in(KEY, np.int64(-1)), fr.fold_in(KEY, 2 ** 32 - 1))
    np.testing.assert_array_equal(fr.fold_in(KEY, np.uint64(2 ** 32 + 4)), fr.fold_in(KEY, 4))


# ----------------------------------------------------------------------------- JAX

SAMPLERS = [
    ("uniform", lambda m, k: m.uniform(k, (3, 4))),
    ("uniform32", lambda m, k: m.uniform(k, (7,), "float32")),
    ("normal", lambda m, k: m.normal(k, (5, 2))),
    ("normal32", lambda m, k: m.normal(k, (9,), "float32")),
    ("bits", lambda m, k: m.bits(k, (6,))),
    ("bits32", lambda m, k: m.bits(k, (6,), "uint32")),
    ("bits8", lambda m, k: m.bits(k, (6,), "uint8")),
    ("split", lambda m, k: m.split(k, 3)),
    ("fold_in", lambda m, k: m.fold_in(k, 123456789)),
    ("randint", lambda m, k: m.randint(k, (20,), -5, 1000)),
    ("randint8", lambda m, k: m.randint(k, (20,), -100, 300, "int8")),
    ("randint_u64", lambda m, k: m.randint(k, (20,), 3, 2 ** 40, "uint64")),
    ("randint_i32", lambda m, k: m.randint(k, (20,), -2 ** 31, 2 ** 31 - 1, "int32")),
    ("bernoulli", lambda m, k: m.bernoulli(k, 0.3, (30,))),
    ("bernoulli_p", lambda m, k: m.bernoulli(k, np.linspace(0.0, 1.0, 7))),
    ("bernoulli_high", lambda m, k: m.bernoulli(k, np.float32(0.3), (30,), mode="high")),
    ("permutation", lambda m, k: m.permutation(k, 10)),
    ("permutation_big", lambda m, k: m.permutation(k, 3000)),
    ("permutation_axis", lambda m, k: m.permutation(k, np.arange(12.0).reshape(3, 4), 1)),
    ("permutation_independent",
     lambda m, k: m.permutation(k, np.arange(12.0).reshape(3, 4), 1, True)),
    ("choice", lambda m, k: m.choice(k, 7, (3,))),
    ("choice_noreplace", lambda m, k: m.choice(k, np.arange(10.0), (2, 2), False)),
    ("choice_p", lambda m, k: m.choice(k, 4, (5,), True, np.array([0.1, 0.2, 0.3, 0.4]))),
    ("choice_p_noreplace",
     lambda m, k: m.choice(k, 4, (3,), False, np.array([0.1, 0.2, 0.3, 0.4]))),
    ("categorical", lambda m, k: m.categorical(k, np.log([[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]]))),
    ("categorical_shape",
     lambda m, k: m.categorical(k, np.log([[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]]), 0, (5, 3))),
    ("categorical_noreplace",
     lambda m, k: m.categorical(k, np.log([0.2, 0.3, 0.1, 0.4]), shape=(3,), replace=False)),
    ("exponential", lambda m, k: m.exponential(k, (5,))),
    ("logistic", lambda m, k: m.logistic(k, (5,))),
    ("laplace", lambda m, k: m.laplace(k, (5,))),
    ("cauchy", lambda m, k: m.cauchy(k, (5,))),
    ("gumbel", lambda m, k: m.gumbel(k, (5,))),
    ("lognormal", lambda m, k: m.lognormal(k, 0.5, (5,))),
    ("truncated_normal", lambda m, k: m.truncated_normal(k, -1.0, 2.0, (5,))),
    ("multivariate_normal", lambda m, k: m.multivariate_normal(
        k, np.array([1.0, -1.0]), np.array([[2.0, 0.5], [0.5, 1.0]]), (3,))),
    ("uniform_range", lambda m, k: m.uniform(k, (4,), minval=-2.0, maxval=3.0)),
]
EXACT = {"uniform", "uniform32", "bits", "bits32", "bits8", "split", "fold_in", "randint",
         "randint8", "randint_u64", "randint_i32", "bernoulli", "bernoulli_p", "bernoulli_high",
         "permutation",
         "permutation_big", "permutation_axis", "permutation_independent", "choice",
         "choice_noreplace", "choice_p", "choice_p_noreplace", "categorical",
         "categorical_shape", "categorical_noreplace"}


@pytest.mark.parametrize("name, draw", SAMPLERS, ids=[s[0] for s in SAMPLERS])
@pytest.mark.parametrize("seed", [0, 42, 2 ** 40 + 7])
def test_jax_gives_the_same_numbers(name, draw, seed):
    """With jax_enable_x64 (64-bit seeds, float64 and int64 defaults as here): integers,
    keys and unit-range uniforms to the bit; the others to the rounding of erfinv, log and
    tan, and of XLA's fused multiply-add when scaling uniforms to a range."""
    jax = pytest.importorskip("jax")
    with jax.enable_x64(True):
        want = np.asarray(draw(jax.random, jax.random.PRNGKey(seed)))
    got = draw(fr, fr.PRNGKey(seed))
    assert got.shape == want.shape
    # JAX's top_k gives int32 indices even with x64; ftrans gives int64, as argmax does
    assert got.dtype == want.dtype or name == "categorical_noreplace"
    if name in EXACT:
        np.testing.assert_array_equal(got, want)
    else:
        rtol = 1e-5 if got.dtype == np.float32 else 1e-10
        np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol)


# ----------------------------------------------------------------------------- jit, vmap

GAMMA_SAMPLERS = [
    ("gamma", lambda m, k: m.gamma(k, np.array([0.3, 1.0, 2.5, 40.0]))),
    ("gamma32", lambda m, k: m.gamma(k, 0.7, (5,), "float32")),
    ("loggamma", lambda m, k: m.loggamma(k, np.array([1e-3, 0.5, 3.0]))),
    ("beta", lambda m, k: m.beta(k, 0.5, np.array([0.5, 2.0, 9.0]))),
    ("dirichlet", lambda m, k: m.dirichlet(k, np.array([0.2, 1.0, 4.0]), (2,))),
    ("chisquare", lambda m, k: m.chisquare(k, 3.0, (4,))),
    ("t", lambda m, k: m.t(k, 4.0, (4,))),
    ("poisson", lambda m, k: m.poisson(k, np.array([0.0, 0.5, 4.0, 12.0, 3e3]))),
]


@pytest.mark.parametrize("name, draw", SAMPLERS + GAMMA_SAMPLERS,
                         ids=[s[0] for s in SAMPLERS + GAMMA_SAMPLERS])
def test_jit_and_vmap_give_the_same_numbers(name, draw):
    keys = fr.split(KEY, 3)
    f = lambda k: draw(fr, k)  # noqa: E731
    loop = np.stack([f(k) for k in keys])
    np.testing.assert_array_equal(ftrans.vmap(f)(keys), loop)
    np.testing.assert_array_equal(ftrans.vmap(f, out_axes=1)(keys), np.moveaxis(loop, 0, 1))
    np.testing.assert_array_equal(ftrans.jit(f)(keys[1]), loop[1])
    np.testing.assert_array_equal(ftrans.jit(ftrans.vmap(f))(keys), loop)


def test_vmap_over_fold_in_data_and_keys_in_a_loop():
    step = lambda i: fr.normal(fr.fold_in(KEY, i), (2,))  # noqa: E731
    np.testing.assert_array_equal(ftrans.vmap(step)(np.arange(4)),
                                  np.stack([step(i) for i in range(4)]))

    def walk(n):
        def body(i, x):
            return x + fr.normal(fr.fold_in(KEY, i), ())
        return ftrans.lax.fori_loop(0, n, body, 0.0)

    want = sum(fr.normal(fr.fold_in(KEY, i), ()) for i in range(5))
    np.testing.assert_allclose(ftrans.jit(walk, static_argnums=0)(5), want, rtol=1e-14)


def test_parameters_batch_with_the_keys():
    keys = fr.split(KEY, 3)
    lows = np.array([0.0, 10.0, 20.0])
    out = ftrans.vmap(lambda k, lo: fr.uniform(k, (4,), minval=lo, maxval=lo + 1))(keys, lows)
    loop = np.stack([fr.uniform(k, (4,), minval=lo, maxval=lo + 1) for k, lo in zip(keys, lows)])
    np.testing.assert_array_equal(out, loop)
    out = ftrans.vmap(lambda p: fr.bernoulli(KEY, p, (6,)))(np.array([0.1, 0.9]))
    np.testing.assert_array_equal(out, np.stack([fr.bernoulli(KEY, p, (6,)) for p in (0.1, 0.9)]))


# ----------------------------------------------------------------------------- distributions

def _ks(x: np.ndarray, cdf) -> float:
    """The Kolmogorov-Smirnov distance between the sample ``x`` and ``cdf``."""
    x = np.sort(np.asarray(x, np.float64))
    n = x.size
    f = cdf(x)
    return float(max(np.max(np.arange(1, n + 1) / n - f), np.max(f - np.arange(n) / n)))


_erf = np.vectorize(math.erf)
N = 20000
KS_LIMIT = 1.95 / math.sqrt(N)  # the 0.1 % critical value: fixed keys, so never flaky


def _phi(x):
    return 0.5 * (1 + _erf(x / math.sqrt(2)))


@pytest.mark.parametrize("name, sample, cdf", [
    ("uniform", lambda k: fr.uniform(k, (N,), minval=-1.0, maxval=3.0),
     lambda x: (x + 1) / 4),
    ("uniform32", lambda k: fr.uniform(k, (N,), "float32"), lambda x: x),
    ("normal", lambda k: fr.normal(k, (N,)), _phi),
    ("normal32", lambda k: fr.normal(k, (N,), "float32"), _phi),
    ("exponential", lambda k: fr.exponential(k, (N,)), lambda x: 1 - np.exp(-x)),
    ("logistic", lambda k: fr.logistic(k, (N,)), lambda x: 1 / (1 + np.exp(-x))),
    ("laplace", lambda k: fr.laplace(k, (N,)),
     lambda x: np.where(x < 0, 0.5 * np.exp(x), 1 - 0.5 * np.exp(-x))),
    ("cauchy", lambda k: fr.cauchy(k, (N,)), lambda x: 0.5 + np.arctan(x) / np.pi),
    ("gumbel", lambda k: fr.gumbel(k, (N,)), lambda x: np.exp(-np.exp(-x))),
    ("lognormal", lambda k: fr.lognormal(k, 0.5, (N,)), lambda x: _phi(np.log(x) / 0.5)),
    ("truncated_normal", lambda k: fr.truncated_normal(k, -0.5, 1.5, (N,)),
     lambda x: (_phi(x) - _phi(-0.5)) / (_phi(1.5) - _phi(-0.5))),
])
def test_kolmogorov_smirnov_distance(name, sample, cdf):
    for key in fr.split(KEY, 2):
        assert _ks(sample(key), cdf) < KS_LIMIT


def test_moments_of_the_normal_and_multivariate_normal():
    x = fr.normal(KEY, (N,))
    assert abs(x.mean()) < 4 / math.sqrt(N)
    assert abs(x.var() - 1) < 5 * math.sqrt(2 / N)
    assert abs(np.mean(x ** 3)) < 5 * math.sqrt(15 / N)
    mean, cov = np.array([1.0, -2.0, 0.5]), np.array([[2.0, 0.6, 0.2], [0.6, 1.0, -0.3],
                                                     [0.2, -0.3, 0.5]])
    for method in ("cholesky", "eigh", "svd"):
        y = fr.multivariate_normal(KEY, mean, cov, (N,), method=method)
        assert y.shape == (N, 3)
        np.testing.assert_allclose(y.mean(0), mean, atol=5 * math.sqrt(2 / N))
        np.testing.assert_allclose(np.cov(y.T), cov, atol=0.05)


def test_discrete_frequencies():
    b = fr.bernoulli(KEY, 0.3, (N,))
    assert b.dtype == np.bool_ and abs(b.mean() - 0.3) < 4 * math.sqrt(0.21 / N)
    r = fr.randint(KEY, (N,), -3, 4)
    assert r.dtype == np.int64 and r.min() == -3 and r.max() == 3
    np.testing.assert_allclose(np.bincount(r + 3) / N, 1 / 7, atol=4 * math.sqrt(1 / 7 / N))
    p = np.array([0.1, 0.2, 0.3, 0.4])
    c = fr.categorical(KEY, np.log(p), shape=(N,))
    np.testing.assert_allclose(np.bincount(c, minlength=4) / N, p, atol=0.015)
    ch = fr.choice(KEY, 4, (N,), p=p)
    np.testing.assert_allclose(np.bincount(ch, minlength=4) / N, p, atol=0.015)
    # without replacement: distinct draws, each value equally likely to come first
    firsts = ftrans.vmap(lambda k: fr.choice(k, 5, (3,), replace=False))(fr.split(KEY, 2000))
    assert all(len(set(row)) == 3 for row in firsts.tolist())
    np.testing.assert_allclose(np.bincount(firsts[:, 0], minlength=5) / 2000, 0.2, atol=0.04)
    perms = ftrans.vmap(lambda k: fr.permutation(k, 4))(fr.split(KEY, 2400))
    np.testing.assert_array_equal(np.sort(perms, axis=1), np.tile(np.arange(4), (2400, 1)))
    counts = np.unique(perms, axis=0, return_counts=True)[1]
    assert len(counts) == 24 and counts.min() > 60 and counts.max() < 140  # 100 expected


def test_randint_edges():
    assert (fr.randint(KEY, (50,), 5, 5) == 5).all()  # an empty range gives minval
    assert (fr.randint(KEY, (50,), 5, 2) == 5).all()
    full = fr.randint(KEY, (1000,), 0, 256, "uint8")
    assert full.dtype == np.uint8 and full.min() < 10 and full.max() > 245
    wide = fr.randint(KEY, (1000,), -2 ** 63, 2 ** 63 - 1)
    assert wide.min() < -2 ** 62 and wide.max() > 2 ** 62
    lo = np.array([0, 100, 1000])
    r = fr.randint(KEY, (200, 3), lo, lo + 10)
    assert ((r >= lo) & (r < lo + 10)).all()


@pytest.mark.parametrize("a", [0.02, 0.4, 1.0, 3.0, 250.0])
def test_gamma_distribution(a):
    st = pytest.importorskip("scipy.stats")
    x = fr.gamma(KEY, a, (N,))
    assert x.dtype == np.float64 and (x >= 0).all()
    assert _ks(x, st.gamma(a).cdf) < KS_LIMIT
    lx = fr.loggamma(KEY, a, (N,))
    assert _ks(np.exp(lx), st.gamma(a).cdf) < KS_LIMIT
    if a > 0.1:  # below, a good part of the mass lies under float32's smallest number
        x32 = fr.gamma(KEY, a, (N,), "float32")
        assert x32.dtype == np.float32 and _ks(x32, st.gamma(a).cdf) < KS_LIMIT


def test_gamma_family_distributions():
    st = pytest.importorskip("scipy.stats")
    assert _ks(fr.beta(KEY, 0.7, 2.5, (N,)), st.beta(0.7, 2.5).cdf) < KS_LIMIT
    assert _ks(fr.beta(KEY, 0.2, 0.3, (N,)), st.beta(0.2, 0.3).cdf) < KS_LIMIT
    tiny = fr.beta(KEY, 0.01, 0.02, (N,))  # drawn in log space: no 0/0 when both underflow
    assert np.isfinite(tiny).all() and abs(tiny.mean() - 1 / 3) < 0.015
    assert _ks(fr.chisquare(KEY, 3.0, (N,)), st.chi2(3.0).cdf) < KS_LIMIT
    assert _ks(fr.t(KEY, 4.0, (N,)), st.t(4.0).cdf) < KS_LIMIT
    alpha = np.array([0.5, 1.5, 3.0])
    d = fr.dirichlet(KEY, alpha, (N,))
    np.testing.assert_allclose(d.sum(-1), 1.0, rtol=1e-12)
    for i in range(3):  # the marginals are Beta(alpha_i, sum - alpha_i)
        assert _ks(d[:, i], st.beta(alpha[i], alpha.sum() - alpha[i]).cdf) < KS_LIMIT


@pytest.mark.parametrize("lam", [0.05, 1.0, 7.5, 10.0, 80.0, 5e4])
def test_poisson_distribution(lam):
    """The empirical CDF against Poisson's (its largest gap: the discrete KS distance)."""
    st = pytest.importorskip("scipy.stats")
    k = fr.poisson(KEY, lam, (N,))
    assert k.dtype == np.int64 and k.min() >= 0
    support = np.arange(k.max() + 1)
    ecdf = np.cumsum(np.bincount(k)) / N
    assert np.max(np.abs(ecdf - st.poisson(lam).cdf(support))) < KS_LIMIT
    assert fr.poisson(KEY, lam, (5,), "int32").dtype == np.int32


def test_poisson_edges_and_no_derivative():
    np.testing.assert_array_equal(fr.poisson(KEY, np.array([0.0, -1.0, np.nan])), [0, -1, -1])
    g = ftrans.grad(lambda lam: fnp.sum(fnp.astype(fr.poisson(KEY, lam, (3,)), float)))(4.0)
    assert g == 0.0


def test_gamma_edge_parameters():
    x = fr.gamma(KEY, np.array([0.0, -1.0, np.nan, np.inf, 1e-300]))
    assert np.isnan(x[:3]).all() and x[3] == np.inf and 0 <= x[4] < 1e-10
    assert np.isfinite(fr.loggamma(KEY, 1e-300, (3,))).all()  # where gamma underflows


def test_gamma_implicit_gradients_against_scipy_and_jax():
    """dx/da holding the CDF fixed: finite differences of SciPy's gammaincinv, and JAX's
    random_gamma_grad."""
    sc = pytest.importorskip("scipy.special")
    from ftrans.prims.random_gamma import random_gamma_grad_p
    for a in (0.05, 0.5, 1.0, 3.0, 50.0, 1e3, 1e5):
        x = sc.gammaincinv(a, np.array([1e-3, 0.1, 0.5, 0.9, 0.999]))
        q = sc.gammainc(a, x)
        h = a * 1e-6
        fd = (sc.gammaincinv(a + h, q) - sc.gammaincinv(a - h, q)) / (2 * h)
        np.testing.assert_allclose(random_gamma_grad_p.bind(np.full(5, a), x), fd, rtol=1e-7)
    jax = pytest.importorskip("jax")
    a, x = np.array([0.05, 0.05, 3.0, 3.0, 1e3, 1e3]), np.array([1e-9, 0.3, 0.5, 9.0, 950.0,
                                                                  1060.0])
    with jax.enable_x64(True):
        want = np.asarray(jax.lax.random_gamma_grad(a, x))
    np.testing.assert_allclose(random_gamma_grad_p.bind(a, x), want, rtol=1e-12)
    np.testing.assert_allclose(random_gamma_grad_p.bind(a.astype(np.float32),
                                                        x.astype(np.float32)),
                               want, rtol=1e-5)


def test_gamma_family_gradients_are_unbiased():
    """The mean of the reparameterised derivatives is the derivative of the mean:
    E[X] = a for gamma, E[log X] = digamma(a) for loggamma, a / (a + b) for beta,
    alpha_i / sum(alpha) for dirichlet (2**15 draws, 4-5 standard errors)."""
    import ftrans.scipy.special as fsp
    n = 2 ** 15
    for a in (0.3, 2.0):
        g = ftrans.grad(lambda a: fnp.mean(fr.gamma(KEY, a, (n,))))(a)
        assert abs(g - 1.0) < 0.03, (a, g)
        g = ftrans.grad(lambda a: fnp.mean(fr.loggamma(KEY, a, (n,))))(a)
        assert abs(g / float(fsp.polygamma(1, a)) - 1) < 0.03, (a, g)
    a, b = 1.5, 2.5
    ga, gb = ftrans.grad(lambda a, b: fnp.mean(fr.beta(KEY, a, b, (n,))), argnums=(0, 1))(a, b)
    np.testing.assert_allclose([ga, gb], [b / (a + b) ** 2, -a / (a + b) ** 2], rtol=0.05)
    alpha = np.array([0.5, 1.5, 3.0])
    jac = ftrans.jacrev(lambda al: fnp.mean(fr.dirichlet(KEY, al, (n,)), axis=0))(alpha)
    s = alpha.sum()
    np.testing.assert_allclose(jac, (np.eye(3) * s - alpha[:, None]) / s ** 2, atol=0.01)
    g = ftrans.grad(lambda df: fnp.mean(fr.chisquare(KEY, df, (n,))))(3.0)
    assert abs(g - 1.0) < 0.03


def test_gamma_derivatives_batch_and_compile():
    keys = fr.split(KEY, 3)
    a = np.array([0.5, 2.0, 7.0])
    f = ftrans.grad(lambda a, k: fnp.sum(fr.gamma(k, a, (4,))))
    loop = np.stack([f(ai, k) for ai, k in zip(a, keys)])
    np.testing.assert_allclose(ftrans.vmap(f)(a, keys), loop, rtol=1e-12)
    np.testing.assert_allclose(ftrans.jit(ftrans.vmap(f))(a, keys), loop, rtol=1e-12)
    with pytest.raises(NotImplementedError, match=r"second derivatives of gamma draws .* with "
                                                  r"respect to their shape parameters"):
        ftrans.grad(ftrans.grad(lambda a: fr.gamma(KEY, a)))(2.0)


# ----------------------------------------------------------------------------- derivatives

def test_location_scale_reparameterisation():
    z = fr.normal(KEY, (5,))
    f = lambda mu, sigma: fnp.sum((mu + sigma * fr.normal(KEY, (5,))) ** 2)  # noqa: E731
    g_mu, g_sigma = ftrans.grad(f, argnums=(0, 1))(0.5, 2.0)
    np.testing.assert_allclose(g_mu, np.sum(2 * (0.5 + 2.0 * z)))
    np.testing.assert_allclose(g_sigma, np.sum(2 * (0.5 + 2.0 * z) * z))
    u = fr.uniform(KEY, (5,))
    g_lo, g_hi = ftrans.grad(lambda lo, hi: fnp.sum(fr.uniform(KEY, (5,), minval=lo, maxval=hi)),
                             argnums=(0, 1))(-1.0, 3.0)
    np.testing.assert_allclose([g_lo, g_hi], [np.sum(1 - u), np.sum(u)])


def test_reparameterised_samplers_pass_check_grads():
    ftrans.check_grads(lambda lo, hi: fr.truncated_normal(KEY, lo, hi, (6,)), (-0.7, 1.3),
                       order=2)
    ftrans.check_grads(lambda m, c: fr.multivariate_normal(KEY, m, c @ c.T + np.eye(2), (4,)),
                       (np.array([0.3, -0.2]), np.array([[1.0, 0.2], [0.1, 0.8]])), order=2)
    ftrans.check_grads(lambda s: fr.lognormal(KEY, s, (3,)), (0.7,), order=2)


# ----------------------------------------------------------------------------- errors

def test_bad_keys_are_named():
    with pytest.raises(TypeError, match=r"ftrans.random.normal: key must be a PRNG key.*got "
                                        r"int 0 \(to make a key from a seed: "
                                        r"ftrans.random.PRNGKey\(0\)\)"):
        fr.normal(0, (2,))
    with pytest.raises(TypeError, match=r"uniform: key must be a PRNG key.*got a float64 "
                                        r"array of shape \(2,\)"):
        fr.uniform(np.zeros(2), (2,))
    with pytest.raises(TypeError, match=r"split: key must be .*uint32 array of shape \(3,\)"):
        fr.split(np.zeros(3, np.uint32))
    with pytest.raises(ValueError, match=r"normal takes a single key \(shape \(2,\)\), got an "
                                         r"array of 4 keys of shape \(4, 2\): map over them "
                                         r"with ftrans.vmap"):
        fr.normal(fr.split(KEY, 4), (2,))
    with pytest.raises(TypeError, match=r"key must be .*got a traced float64"):
        ftrans.jit(lambda k: fr.normal(k, (2,)))(np.zeros(2))


def test_bad_shapes_dtypes_and_parameters_are_named():
    with pytest.raises(ValueError, match=r"normal: shape must be a tuple of non-negative "
                                         r"integers, got \(2, -1\)"):
        fr.normal(KEY, (2, -1))
    with pytest.raises(TypeError, match=r"uniform: shape must be a tuple .*got \(2.5,\)"):
        fr.uniform(KEY, (2.5,))
    with pytest.raises(ValueError, match=r"normal: dtype must be a float dtype .*got int32"):
        fr.normal(KEY, (2,), np.int32)
    with pytest.raises(TypeError, match=r"randint: dtype must be an integer dtype, got float64"):
        fr.randint(KEY, (2,), 0, 5, float)
    with pytest.raises(ValueError, match=r"uniform: minval of shape \(3,\) does not broadcast "
                                         r"to shape \(2,\)"):
        fr.uniform(KEY, (2,), minval=np.zeros(3))
    with pytest.raises(ValueError, match=r"choice: cannot take a larger sample \(size 6\) than "
                                         r"the population \(size 5\) when replace=False"):
        fr.choice(KEY, 5, (6,), replace=False)
    with pytest.raises(ValueError, match=r"choice: p must be None or a 1-D array of the same "
                                         r"size as a.shape\[axis\] \(5\), got shape \(4,\)"):
        fr.choice(KEY, 5, (2,), p=np.ones(4) / 4)
    with pytest.raises(TypeError, match=r"bernoulli: p must be a float probability, got dtype "
                                        r"int64"):
        fr.bernoulli(KEY, 1, (2,))
    with pytest.raises(ValueError, match=r"multivariate_normal: cov must have shape \(\.\.\., 2, "
                                         r"2\) for a mean of shape \(2,\), got \(3, 3\)"):
        fr.multivariate_normal(KEY, np.zeros(2), np.eye(3))
    with pytest.raises(ValueError, match=r"multivariate_normal: method must be one of"):
        fr.multivariate_normal(KEY, np.zeros(2), np.eye(2), method="qr")
    with pytest.raises(ValueError, match=r"dirichlet: alpha must have at least one "
                                         r"dimension"):
        fr.dirichlet(KEY, 1.0)
    with pytest.raises(ValueError, match=r"gamma: a of shape \(3,\) does not broadcast to "
                                         r"shape \(2,\)"):
        fr.gamma(KEY, np.ones(3), (2,))
    with pytest.raises(ValueError, match=r"categorical: cannot draw 5 samples without "
                                         r"replacement from 3 categories"):
        fr.categorical(KEY, np.zeros(3), shape=(5,), replace=False)


def test_bad_seeds_and_fold_in_data_are_named():
    with pytest.raises(TypeError, match=r"PRNGKey: seed must be a scalar integer, got float 1.5"):
        fr.PRNGKey(1.5)
    with pytest.raises(TypeError, match=r"PRNGKey: seed must be a scalar integer, got a int64 "
                                        r"array of shape \(2,\)"):
        fr.PRNGKey(np.arange(2))
    with pytest.raises(OverflowError, match=r"PRNGKey: seed 18446744073709551616 does not fit "
                                            r"in 64 bits"):
        fr.PRNGKey(2 ** 64)
    with pytest.raises(OverflowError, match=r"fold_in: data -1 is out of bounds for uint32"):
        fr.fold_in(KEY, -1)
    with pytest.raises(TypeError, match=r"fold_in: data must be a scalar integer, got float 2.0"):
        fr.fold_in(KEY, 2.0)
    with pytest.raises(TypeError, match=r"fold_in: data must be a scalar integer, got a traced "
                                        r"float64"):
        ftrans.jit(lambda d: fr.fold_in(KEY, d))(1.0)
