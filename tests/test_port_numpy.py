"""NumPy names ports reach for (issue 14 §5): ``size``, ``append``, ``gradient``, einsum's
sublist form, ``full`` with a traced fill value, indexing NumPy arrays with traced indices,
and what the errors for missing names say. Values against NumPy; derivatives against finite
differences; ``vmap`` against Python loops."""

from __future__ import annotations

import re

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp
from ftrans.numpy import _hints
from ftrans.testing import check_grads

RNG = np.random.default_rng(14)
F2 = RNG.standard_normal((4, 5))


# ----------------------------------------------------------------------------- size, append

def test_size_on_traced_arrays():
    for axis in (None, 0, 1, -1, (0, 1)):
        expected = np.size(F2, axis)
        assert ftrans.jit(lambda x: np.asarray(np.size(x, axis)) * 1.0)(F2) == expected
        assert ftrans.grad(lambda x: fnp.size(x, axis) * fnp.sum(x))(F2)[0, 0] == expected
    assert ftrans.vmap(lambda x: np.size(x) * x[0])(F2).tolist() == (5 * F2[:, 0]).tolist()
    assert fnp.size([[1, 2, 3]]) == 3 and fnp.size(2.0) == 1
    with pytest.raises(np.exceptions.AxisError):
        fnp.size(F2, 2)


@pytest.mark.parametrize("axis", [None, 0, 1])
def test_append(axis):
    values = RNG.standard_normal((1, 5) if axis == 0 else (4, 2) if axis == 1 else (3,))
    expected = np.append(F2, values, axis=axis)
    np.testing.assert_array_equal(ftrans.jit(lambda a, v: np.append(a, v, axis=axis))(F2, values),
                                  expected)
    np.testing.assert_array_equal(ftrans.jit(lambda a: fnp.append(a, values, axis))(F2), expected)
    check_grads(lambda a, v: fnp.sum(fnp.sin(fnp.append(a, v, axis=axis))), (F2, values), order=2)
    out = ftrans.vmap(lambda a: fnp.append(a, values, axis))(np.stack([F2, 2 * F2]))
    np.testing.assert_array_equal(out[1], np.append(2 * F2, values, axis=axis))
    with pytest.raises(ValueError, match="dimensions except for the concatenation axis"):
        ftrans.jit(lambda a: fnp.append(a, np.ones((2, 2)), 0))(F2)


# ----------------------------------------------------------------------------- gradient

UNEVEN = np.array([0.0, 0.5, 1.5, 1.7, 3.0])
GRADIENT_CASES = [
    ((), {}), ((2.0,), {}), ((0.5, 2.0), {}), ((1.5, UNEVEN), {}), ((1.5, UNEVEN),
                                                                    {"edge_order": 2}),
    ((2.0,), {"edge_order": 2}), ((UNEVEN,), {"axis": 1}), ((UNEVEN,), {"axis": -1,
                                                                       "edge_order": 2}),
    ((), {"axis": (1, 0)}), ((np.arange(4.0) * 2, 3.0), {"edge_order": 2}),
]


@pytest.mark.parametrize("args, kwargs", GRADIENT_CASES, ids=range(len(GRADIENT_CASES)))
def test_gradient_matches_numpy(args, kwargs):
    expected = np.gradient(F2, *args, **kwargs)
    got = ftrans.jit(lambda f: fnp.gradient(f, *args, **kwargs))(F2)
    if isinstance(expected, tuple):
        assert isinstance(got, tuple) and len(got) == len(expected)
    for g, e in zip(np.atleast_1d(got) if not isinstance(got, tuple) else got,
                    np.atleast_1d(expected) if not isinstance(expected, tuple) else expected):
        np.testing.assert_allclose(g, e, rtol=1e-13, atol=1e-13)
    # linear in f: its Jacobian applied to a direction is NumPy's gradient of that direction
    v = RNG.standard_normal(F2.shape)
    _, t = ftrans.jvp(lambda f: fnp.gradient(f, *args, **kwargs), (F2,), (v,))
    tv = np.gradient(v, *args, **kwargs)
    for a, b in zip(t if isinstance(t, tuple) else (t,), tv if isinstance(tv, tuple) else (tv,)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_gradient_differentiable_in_the_spacings_and_batched():
    f = RNG.standard_normal(6)
    x = np.array([0.0, 0.4, 1.1, 1.5, 2.6, 3.0])
    check_grads(lambda f, x: fnp.sum(fnp.gradient(f, x, edge_order=2) ** 2), (f, x), order=2)
    check_grads(lambda h: fnp.sum(fnp.gradient(f, h) ** 2), (0.7,), order=2)
    batch = np.stack([f, 2 * f + 1, f ** 2])
    out = ftrans.vmap(lambda f, x: fnp.gradient(f, x))(batch, np.stack([x, x * 2, x + 1]))
    loop = [np.gradient(b, xx) for b, xx in zip(batch, [x, x * 2, x + 1])]
    np.testing.assert_allclose(out, loop, rtol=1e-12)
    # the spacing traced, the values not
    assert np.isclose(ftrans.grad(lambda h: fnp.gradient(np.array([1.0, 2.0, 4.0]), h)[1])(0.5),
                      -6.0)
    # integer input gives float output, as NumPy
    np.testing.assert_array_equal(ftrans.jit(lambda h: fnp.gradient(np.arange(4) ** 2, h))(1.0),
                                  np.gradient(np.arange(4) ** 2, 1.0))


def test_gradient_errors_match_numpy():
    for call in (lambda m: m.gradient(np.ones(2), 1.0, edge_order=2),
                 lambda m: m.gradient(np.ones(3), 1.0, edge_order=3),
                 lambda m: m.gradient(np.ones((3, 3)), 1.0, 2.0, 3.0),
                 lambda m: m.gradient(np.ones(3), np.ones(4)),
                 lambda m: m.gradient(np.ones(3), np.ones((3, 1)))):
        with pytest.raises((ValueError, TypeError)) as theirs:
            call(np)
        with pytest.raises(type(theirs.value)) as ours:
            ftrans.jit(lambda h: call(_Traced(h)))(1.0)
        assert str(ours.value) == str(theirs.value)


class _Traced:
    """``fnp`` with a traced value mixed into ``f`` (so ftrans's route runs)."""

    def __init__(self, h):
        self.h = h

    def gradient(self, f, *args, **kwargs):
        return fnp.gradient(f * self.h, *args, **kwargs)


# ----------------------------------------------------------------------------- einsum, full

def test_einsum_sublist_form():
    a, b = RNG.standard_normal((2, 3)), RNG.standard_normal((3, 4))
    expected = np.einsum(a, [0, 1], b, [1, 2], [0, 2])
    np.testing.assert_allclose(ftrans.jit(lambda a: np.einsum(a, [0, 1], b, [1, 2], [0, 2]))(a),
                               expected, rtol=1e-13)
    np.testing.assert_allclose(ftrans.grad(lambda b: fnp.einsum(a, [0, 1], b, [1, 2]).sum())(b),
                               np.broadcast_to(a.sum(0)[:, None], b.shape), rtol=1e-13)
    np.testing.assert_allclose(ftrans.jit(lambda a: fnp.einsum(a, [Ellipsis, 1], b, [1, 2]))(a),
                               a @ b, rtol=1e-13)
    out = ftrans.vmap(lambda a: np.einsum(a, [0, 1], [1]))(np.stack([a, 2 * a]))
    np.testing.assert_allclose(out, [a.sum(0), 2 * a.sum(0)], rtol=1e-13)
    with pytest.raises(ValueError, match=r"the sublist of operand 1 must hold integers in "
                                         r"\[0, 52\) or Ellipsis, got 'j'"):
        ftrans.jit(lambda a: fnp.einsum(a, [0, 1], b, ["j", 2]))(a)


def test_full_with_a_traced_fill_value():
    assert ftrans.grad(lambda v: fnp.sum(fnp.full((2, 3), v)))(2.0) == 6.0
    np.testing.assert_array_equal(ftrans.jit(lambda v: fnp.full((2,), v, dtype=np.float32))(1.5),
                                  np.full(2, 1.5, np.float32))
    np.testing.assert_array_equal(ftrans.vmap(lambda v: fnp.full(3, v))(np.array([1.0, 2.0])),
                                  [[1.0] * 3, [2.0] * 3])
    # NumPy's own full converts the fill value: the error names ftrans.numpy.full
    for transform in (ftrans.grad, ftrans.jit):
        with pytest.raises(ftrans.TracerArrayConversionError,
                           match=r"numpy\.full converts this argument with np\.asarray .*call "
                                 r"ftrans\.numpy\.full instead") as info:
            transform(lambda v: np.full((2,), v).sum())(1.0)
        assert "test_port_numpy.py" in str(info.value)  # the user's line, not NumPy's


# ----------------------------------------------------------------------------- traced indices

TABLE = np.arange(10.0) ** 2


@pytest.mark.parametrize("route", ["asarray", "array", "take"])
def test_indexing_a_numpy_table_with_a_traced_index(route):
    def look(i):
        if route == "take":
            return fnp.take(TABLE, i)
        return getattr(fnp, route)(TABLE)[i]

    assert ftrans.jit(look)(3) == 9.0
    assert ftrans.jit(look)(-1) == 81.0
    np.testing.assert_array_equal(ftrans.vmap(look)(np.array([1, 4, 7])), [1.0, 16.0, 49.0])
    idx = np.array([[0, 2], [3, 3]])
    np.testing.assert_array_equal(ftrans.jit(look)(idx), TABLE[idx])
    # differentiable in what the looked-up value multiplies, under jit and vmap
    assert ftrans.jit(ftrans.grad(lambda x, i: x * look(i)))(2.0, 4) == 16.0
    g = ftrans.vmap(ftrans.grad(lambda x, i: x * look(i)), in_axes=(None, 0))(2.0,
                                                                             np.array([1, 2]))
    np.testing.assert_array_equal(g, [1.0, 4.0])
    assert ftrans.grad(lambda x, i: x * look(i))(2.0, 5) == 25.0


def test_lifted_tables_behave_as_constants():
    w = RNG.standard_normal((3, 4))

    def f(x, i):
        t = fnp.asarray(w)
        assert t.shape == (3, 4) and len(t) == 3
        back = np.asarray(t)  # a constant: giving it back to NumPy drops nothing
        assert back is w or np.array_equal(back, w)
        row = t[i]
        return fnp.sum(row * x) + float(np.sum(back))

    x = RNG.standard_normal(4)
    expected = w[1] @ x + w.sum()
    assert np.isclose(ftrans.jit(f)(x, 1), expected)
    np.testing.assert_allclose(ftrans.jit(ftrans.grad(f))(x, 1), w[1])
    np.testing.assert_allclose(ftrans.vmap(f, in_axes=(None, 0))(x, np.array([0, 2])),
                               [w[0] @ x + w.sum(), w[2] @ x + w.sum()])
    # functional updates of a lifted table
    out = ftrans.jit(lambda i, v: fnp.asarray(TABLE).at[i].set(v))(2, -1.0)
    assert out[2] == -1.0 and out[3] == 9.0
    # outside transformations and under grad alone, asarray gives the NumPy array itself
    assert fnp.asarray(TABLE) is TABLE
    ftrans.grad(lambda x: x * (fnp.asarray(TABLE) is TABLE))(1.0)


def test_the_errors_of_untraceable_indexing_name_the_working_routes():
    with pytest.raises(ftrans.TracerArrayConversionError,
                       match=r"Indexing a NumPy array with a traced index \(table\[i\]\) cannot "
                             r"be traced.*ftrans\.numpy\.asarray\(table\)\[i\].*"
                             r"ftrans\.numpy\.take\(table, i") as info:
        ftrans.jit(lambda i: TABLE[i])(3)
    assert "test_port_numpy.py" in str(info.value)
    with pytest.raises(ftrans.TracerArrayConversionError, match="asarray\\(table\\)\\[i\\]"):
        ftrans.vmap(lambda i: TABLE[i])(np.array([1, 2]))

    def store(i):
        t = TABLE.copy()
        t[i] = 0.0
        return t

    with pytest.raises(ftrans.TracerArrayConversionError, match=r"\.at\[i\]\.set\(v\)"):
        ftrans.jit(store)(1)
    with pytest.raises(ftrans.TracerArrayConversionError,
                       match=r"numpy\.take converts this argument.*call ftrans\.numpy\.take"):
        ftrans.jit(lambda i: np.take(TABLE, i))(3)
    with pytest.raises(ftrans.ConcretizationError, match=r"ftrans\.numpy\.take\(table, i\) or "
                                                         r"ftrans\.numpy\.asarray\(table\)\[i\]"):
        ftrans.jit(lambda i: [1.0, 2.0][i])(1)
    # following the advice works
    assert ftrans.jit(lambda i: fnp.asarray(TABLE)[i])(3) == 9.0
    # under grad alone the index is concrete: NumPy indexing works as it is
    assert ftrans.grad(lambda x, i: x * TABLE[i])(1.0, 3) == 9.0


# ----------------------------------------------------------------------------- missing names

NAME_TABLE = [
    # (name, what the message says) -- misleading fuzzy matches are gone
    ("real2", "did you mean ftrans.numpy.real?"),
    ("sine", "did you mean ftrans.numpy.sin?"),
    ("xyzzy", None),
    ("product", "it is NumPy 1's name of ftrans.numpy.prod"),
    ("cumproduct", "NumPy 1's name of ftrans.numpy.cumprod"),
    ("trapz", "NumPy 1's name of ftrans.numpy.trapezoid"),
    ("alltrue", "ftrans.numpy.all"),
    ("NaN", "ftrans.numpy.nan"),
    ("msort", "NumPy 1's msort(a) is ftrans.numpy.sort(a, axis=0)"),
    ("double", "NumPy's double is float64, which ftrans.numpy has as ftrans.numpy.float64"),
    ("bool", "ftrans.numpy.bool_"),
    ("single", "ftrans.numpy.float32"),
    ("cdouble", "ftrans.numpy.complex128"),
    ("asanyarray", "on traced arrays the same as ftrans.numpy.asarray"),
    ("random", "ftrans has it as ftrans.random"),
    ("logsumexp", "ftrans has it as ftrans.scipy.special.logsumexp"),
    ("expit", "ftrans.scipy.special.expit"),
    ("nancumsum", "NumPy's nancumsum is not supported by ftrans.numpy yet; on traced arrays use "
                  "ftrans.numpy.cumsum(ftrans.numpy.where(ftrans.numpy.isnan(a), 0, a))"),
    ("vectorize", "on traced arrays use ftrans.vmap(f)"),
    ("bincount", "NumPy's bincount is not supported by ftrans.numpy yet"),
    ("errstate", "numpy.errstate is a NumPy object that ftrans.numpy does not provide"),
    ("ndarray", "traced values are ftrans.core.Tracer objects"),
]


@pytest.mark.parametrize("name, says", NAME_TABLE, ids=[n for n, _ in NAME_TABLE])
def test_missing_names_point_at_the_right_alternative(name, says):
    if hasattr(fnp, name):
        pytest.skip(f"ftrans.numpy.{name} exists now")
    with pytest.raises(AttributeError) as info:
        getattr(fnp, name)
    text = str(info.value)
    assert text.startswith(f"module 'ftrans.numpy' has no attribute '{name}'")
    if says is None:
        assert text == f"module 'ftrans.numpy' has no attribute '{name}'"
    else:
        assert says in text
    for wrong in ("ravel", "repeat", "equal"):  # the old fuzzy suggestions for 'real'
        assert f"ftrans.numpy.{wrong}" not in text


def test_real_and_the_issue_example():
    assert ftrans.grad(lambda x: np.real(x) * 2)(1.0) == 2.0
    assert not hasattr(fnp, "no_such_function")


def test_numpy_functions_without_a_traced_route_say_so():
    x = np.ones(3)
    with pytest.raises(NotImplementedError, match=r"^ftrans does not support the function "
                                                  r"numpy\.bincount on traced arrays yet\.$"):
        ftrans.jit(lambda x: np.bincount(x.astype(int)))(x)
    with pytest.raises(NotImplementedError, match=r"numpy\.nancumsum on traced arrays yet; on "
                                                  r"traced arrays use ftrans\.numpy\.cumsum"):
        ftrans.grad(lambda x: np.nancumsum(x).sum())(x)
    with pytest.raises(NotImplementedError, match=r"numpy\.linalg\.tensorinv on traced arrays "
                                                  r"yet; on traced arrays use ftrans\.numpy\."
                                                  r"linalg\.inv of the matrix it reshapes to"):
        ftrans.grad(lambda x: np.linalg.tensorinv(x).sum())(np.eye(2))
    with pytest.raises(AttributeError, match=r"ftrans\.numpy\.linalg' has no attribute 'normm': "
                                             r"did you mean ftrans\.numpy\.linalg\.norm\?"):
        fnp.linalg.normm  # noqa: B018


def test_traced_array_attributes():
    with pytest.raises(AttributeError, match=r"^traced array has no attribute 'nbytes' \(NumPy "
                                             r"arrays have it; traced arrays do not yet\)\n"
                                             r"See \S+#tracer-attribute-error$"):
        ftrans.grad(lambda x: x.nbytes * x)(1.0)
    with pytest.raises(AttributeError, match=r"'summ': did you mean ftrans\.numpy\.sum\?"):
        ftrans.grad(lambda x: x.summ())(1.0)
    with pytest.raises(AttributeError, match=r"call ftrans\.block_until_ready\(x\)"):
        ftrans.jit(lambda x: x.block_until_ready())(1.0)


def test_every_ftrans_name_in_the_hints_exists():
    texts = [*_hints._WORKAROUNDS.values(), *_hints._ELSEWHERE.values(),
             *(ours for _, ours in _hints._OLD_CALLS.values()),
             *("ftrans.numpy." + n for n in _hints._RENAMED.values())]
    missing_optional = {"ftrans.scipy.special.i0"}  # SciPy's i0 arrives with issue 14 §2
    for text in texts:
        for dotted in re.findall(r"ftrans(?:\.\w+)+", text):
            if dotted in missing_optional:
                continue
            assert _hints._resolve(dotted) is not None, f"{dotted} (in {text!r}) does not exist"
