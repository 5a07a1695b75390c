"""jit's input rules (the same as the other transformations'), its static-argument keys, and
its bounded resources: an LRU cache of programs, generated names that are never Python
keywords or builtins, and big programs."""

from __future__ import annotations

import builtins
import importlib
import keyword
import math
import re

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp
from ftrans.backends import numpy_backend
from ftrans.backends.numpy_backend import var_name

jit_module = importlib.import_module("ftrans.jit")  # ftrans.jit is the function

# --- input rules


@pytest.mark.parametrize("dtype", [object, str])
@pytest.mark.parametrize("api", ["jit", "grad", "vmap"])
def test_object_and_string_arrays_are_rejected_by_every_transformation(api, dtype):
    x = np.array([1.5, 2.5], dtype=dtype)
    f = {"jit": ftrans.jit, "vmap": ftrans.vmap,
         "grad": lambda g: ftrans.grad(lambda x: fnp.sum(g(x)))}[api](lambda x: x * 1.0)
    with pytest.raises(TypeError, match=rf"^{api}: .*argument 0 \('x'\).*arrays of dtype "
                                        rf"{re.escape(str(x.dtype))} are not supported"):
        f(x)


def test_the_issue_probe_object_array_under_jit():
    with pytest.raises(TypeError, match=r"jit: argument 0 \('x'\): arrays of dtype object"):
        ftrans.jit(lambda x: x * 1.0)(np.array([1.5, 2.5], dtype=object))


def test_python_int_beyond_int64_overflows_as_eagerly():
    with pytest.raises(OverflowError):
        fnp.multiply(2 ** 63, 2)  # eager: NumPy refuses the int
    f = ftrans.jit(lambda x: x * 2)
    with pytest.raises(OverflowError, match=r"jit: argument 0 \('x'\): the Python int "
                                            r"9223372036854775808 is out of bounds for int64"):
        f(2 ** 63)
    assert f(3) == 6 and type(f(3)) is np.int64  # the cached int program...
    with pytest.raises(OverflowError, match="argument 0"):
        f(2 ** 63)  # ...never sees an out-of-range int either
    assert f(-2 ** 63 + 1) == fnp.multiply(-2 ** 63 + 1, 2)  # in range: as eagerly (wraps)
    g = ftrans.jit(lambda p, y=0: p["a"] + y)
    with pytest.raises(OverflowError, match=r"argument 0 \('p'\)"):
        g({"a": -2 ** 63 - 1})
    with pytest.raises(OverflowError, match="keyword argument 'y'"):
        g({"a": 1}, y=2 ** 64)
    with pytest.raises(OverflowError, match=r"make_jaxpr: argument 0 \('x'\)"):
        ftrans.make_jaxpr(lambda x: x * 2)(2 ** 63)


def test_negative_zero_static_argument_has_its_own_program():
    f = ftrans.jit(lambda x, s: x * fnp.copysign(1.0, s), static_argnums=1)
    assert f(2.0, 0.0) == 2.0
    assert f(2.0, -0.0) == -2.0
    assert f(2.0, (-0.0)) == -2.0 and f(2.0, 0.0) == 2.0 and f.trace_count == 2
    g = ftrans.jit(lambda x, s: x * fnp.copysign(1.0, s[0]), static_argnums=1)
    assert (g(1.0, (0.0,)), g(1.0, (-0.0,))) == (1.0, -1.0)  # inside a tuple too
    h = ftrans.jit(lambda x, s: x * fnp.copysign(1.0, s.imag), static_argnames="s")
    assert (h(1.0, s=0j), h(1.0, s=complex(0.0, -0.0))) == (1.0, -1.0)


def test_nan_static_argument_hits_the_cache():
    f = ftrans.jit(lambda x, s: x + s, static_argnums=1)
    for _ in range(5):
        assert np.isnan(f(1.0, float("nan")))
        assert np.isnan(f(1.0, np.float64("nan")))
        assert np.isnan(f(1.0, complex(1.0, math.nan)))
    assert f.trace_count == 3  # one per type: float, np.float64, complex
    assert len(f._cache) == 3


# --- the cache: least recently used programs evicted, clear_cache


def test_cache_is_bounded_and_evicts_the_least_recently_used(monkeypatch):
    monkeypatch.setattr(jit_module, "CACHE_SIZE", 4)
    f = ftrans.jit(lambda x: x * 2.0)
    for n in range(1, 5):  # four programs: the cache is full
        f(np.ones(n))
    f(np.ones(1))  # the oldest, used again
    f(np.ones(5))  # a fifth evicts the least recently used: n=2
    assert f.trace_count == 5
    f(np.ones(1))
    assert f.trace_count == 5  # kept
    f(np.ones(2))
    assert f.trace_count == 6  # evicted, traced again
    for n in range(6, 40):
        f(np.ones(n))
    assert len(f._cache) <= 4 and len(f._flat_cache) <= 4
    g = ftrans.jit(lambda x, k: x * k, static_argnums=1)  # the general path likewise
    for k in range(20):
        assert g(1.0, k) == k
    assert len(g._cache) <= 4 and g.trace_count == 20


def test_the_issue_probe_thousand_shapes_keep_at_most_cache_size_entries(monkeypatch):
    monkeypatch.setattr(jit_module, "CACHE_SIZE", 100)  # 4,096 by default, as in JAX
    f = ftrans.jit(lambda x: x + 1.0)
    for n in range(1000):
        f(np.zeros(n))
    assert len(f._cache) == len(f._flat_cache) == 100 and f.trace_count == 1000
    assert jit_module.CACHE_SIZE == 100 and monkeypatch  # (restored after the test)


def test_default_cache_size_is_jax_s():
    assert jit_module.CACHE_SIZE == 4096


def test_clear_cache_drops_every_program():
    f = ftrans.jit(lambda x, n: x * n, static_argnums=1)
    assert f(np.ones(2), 3)[0] == 3.0 and f(2.0, 3) == 6.0
    assert f.trace_count == 2
    f.clear_cache()
    assert f._cache == {} and f._flat_cache == {}
    assert f(2.0, 3) == 6.0 and f.trace_count == 3


# --- generated code: names, big programs


def _index(word: str) -> int:
    """The n with ftrans.ir._nth_name(n) == word (bijective base 26)."""
    n = 0
    for ch in word:
        n = n * 26 + ord(ch) - ord("a") + 1
    return n - 1


def test_generated_names_are_never_keywords_or_builtins():
    reserved = set(keyword.kwlist) | set(keyword.softkwlist) | set(dir(builtins))
    letters = sorted(w for w in reserved if w.isalpha() and w.islower() and w.isascii())
    assert {"elif", "if", "len", "sum", "with", "yield", "print"} <= set(letters)
    for w in letters:
        name = var_name(_index(w))
        assert name == w + "_" and name.isidentifier() and name not in reserved
        assert var_name(_index(w) + 1) not in reserved and var_name(_index(w) - 1) != name


def test_program_whose_names_pass_every_short_keyword_and_builtin_compiles():
    # 18,300 variables: every one-, two- and three-letter name (if, def, del, for, len,
    # sum, zip, ...); the issue's 100,000-equation program reached 'elif'
    n = _index("zzz") + 10

    def chain(x):
        for i in range(n):
            x = x * 1.0001 if i % 2 else x - 1e-5
        return x

    f = ftrans.jit(chain, backend="numpy")
    x = np.linspace(0.0, 1.0, 3)
    src = f.source(x)
    assert " def_ = " in src and " len_ = " in src and "\n    del " in src
    want = x.copy()
    for i in range(n):
        want = want * 1.0001 if i % 2 else want - 1e-5
    np.testing.assert_allclose(f(x), want, rtol=1e-12)


def test_huge_output_and_input_lists_compile():
    # 6,000 arguments and results: the equations make two segment functions (SEGMENT), and
    # the last one returns all the results; Python's compiler takes these flat lists
    n = 6_000
    f = ftrans.jit(lambda *xs: [x + 1.0 for x in xs], backend="numpy")
    out = f(*[float(i) for i in range(n)])
    assert len(out) == n and out[-1] == n and out[0] == 1.0


@pytest.mark.parametrize("scalar", [False, True])
def test_long_programs_become_segment_functions(monkeypatch, scalar):
    """Python's compiler holds a whole function at once (~5 KB per line): a program longer
    than SEGMENT equations is cut into functions that hand values over in a dict. Measured
    by hand: a 200,000-equation chain compiles in 7 s at a 345 MB peak (one function: 16 s,
    1.5 GB)."""
    monkeypatch.setattr(numpy_backend, "SEGMENT", 40)

    def f(x, y):
        keep = x * 3.0  # made early, returned at the end: crosses every segment
        for i in range(400):
            x = fnp.sin(x) * 0.5 + y if i % 3 else x - keep * 1e-3
        return x, keep, y, x

    args = (0.3, 0.2) if scalar else (np.linspace(0.0, 1.0, 5), np.linspace(1.0, 2.0, 5))
    jf = ftrans.jit(f, backend="numpy")
    got = jf(*args)
    src = jf.source(*args)
    functions = src.count("\ndef ") + 1
    assert functions > 400 // 40 and "_e.pop(" in src
    assert max(len(part.splitlines()) for part in src.split("\ndef ")) < 4 * 40 + 20
    monkeypatch.setattr(numpy_backend, "SEGMENT", 4000)
    want = ftrans.jit(f, backend="numpy")(*args)
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)
    if not scalar:
        assert got[0] is not got[3] and got[2] is not args[1]  # still the caller's own
