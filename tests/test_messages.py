"""Messages that teach (issue 17 §4): every error class links to its section of
docs/errors.md; an `if` under vmap, grad of a vector, has_aux mistakes and broadcasting
errors say what to do in the user's terms; every NumPy keyword that ftrans.numpy lacks raises
an error naming the function, the keyword and ftrans."""

from __future__ import annotations

import importlib
import inspect
import pathlib
import pkgutil
import re

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp
from ftrans.errors import DOCS_URL, DocumentedError, UnsupportedKeywordError

ROOT = pathlib.Path(__file__).resolve().parent.parent
ERRORS_PAGE = ROOT / "docs" / "errors.md"


# ----------------------------------------------------------------------------- (a) links

def _public_error_classes() -> dict[str, type]:
    """Every public exception or warning class defined in an ftrans module."""
    found: dict[str, type] = {}
    for info in pkgutil.walk_packages(ftrans.__path__, "ftrans."):
        if ".bench" in info.name or "cupy_emulator" in info.name:
            continue
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # an optional dependency
            continue
        for name, obj in vars(module).items():
            if (isinstance(obj, type) and issubclass(obj, BaseException)
                    and obj.__module__.startswith("ftrans") and not name.startswith("_")
                    and obj is not DocumentedError and obj.__module__ == module.__name__):
                found[f"{obj.__module__}.{name}"] = obj
    return found


# signals caught inside the kernel cache (they become a KernelCacheWarning), never raised to
# the user
INTERNAL = {"WriteError", "BuildFailure"}
ERROR_CLASSES = {path: cls for path, cls in _public_error_classes().items()
                 if cls.__name__ not in INTERNAL}
_ARGS = {"UnsafePathError": ("/some/dir", "is a symbolic link"),
         "MissingAttributeError": ("nancumsum",), "TracerAttributeError": ("itemsize",)}


def test_the_error_classes_are_found():
    names = {c.__name__ for c in ERROR_CLASSES.values()}
    assert {"ConcretizationError", "UnexpectedTracerError", "TracerArrayConversionError",
            "UnsupportedKeywordError", "KernelCompileError", "BackendMismatchError",
            "JaxprTypeError", "KernelCacheWarning"} <= names


@pytest.mark.parametrize("path", sorted(ERROR_CLASSES))
def test_every_error_message_links_to_its_section(path):
    cls = ERROR_CLASSES[path]
    assert issubclass(cls, DocumentedError), f"{path} does not link to docs/errors.md"
    error = cls(*_ARGS.get(cls.__name__, ("what went wrong",)))
    text = str(error)
    link = f"{DOCS_URL}#{cls.anchor}"
    assert text.endswith("\nSee " + link)
    assert link == f"https://ftrans.readthedocs.io/en/latest/errors.html#{cls.anchor}"
    page = ERRORS_PAGE.read_text(encoding="utf-8")
    assert f"\n({cls.anchor})=\n## {cls.__name__}\n" in page, (
        f"docs/errors.md has no section ({cls.anchor})= / ## {cls.__name__}")


def test_anchors_are_kebab_case_and_distinct():
    anchors = [c.anchor for c in ERROR_CLASSES.values()]
    assert len(set(anchors)) == len(anchors)
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", a) for a in anchors), anchors
    assert ftrans.ConcretizationError.anchor == "concretization-error"


def test_a_raised_error_carries_its_link():
    with pytest.raises(ftrans.ConcretizationError) as e:
        ftrans.jit(lambda x: 1.0 if x > 0 else 0.0)(1.0)
    assert str(e.value).endswith(f"See {DOCS_URL}#concretization-error")
    with pytest.raises(AttributeError) as e:
        fnp.trapz  # noqa: B018
    assert f"{DOCS_URL}#missing-attribute-error" in str(e.value)
    with pytest.raises(AttributeError) as e:  # nothing known about it: Python's words only
        fnp.xyzzy  # noqa: B018
    assert str(e.value) == "module 'ftrans.numpy' has no attribute 'xyzzy'"


# ----------------------------------------------------------------------------- (b) `if`

def _absolute(x):
    if x > 0:  # the line the messages name
        return x
    return -x


def test_if_under_vmap_suggests_where_and_cond_not_static_argnums():
    with pytest.raises(ftrans.ConcretizationError) as e:
        ftrans.vmap(_absolute)(np.array([1.0, -2.0]))
    msg = str(e.value)
    assert "abstract under vmap" in msg and "test_messages.py" in msg and "in _absolute" in msg
    assert "ftrans.numpy.where(cond, x, y)" in msg and "ftrans.lax.cond(" in msg
    assert "static_argnums" not in msg
    # and the suggestion works
    g = ftrans.vmap(lambda x: fnp.where(x > 0, x, -x))(np.array([1.0, -2.0]))
    assert g.tolist() == [1.0, 2.0]


def test_if_under_jit_suggests_static_argnums_too():
    with pytest.raises(ftrans.ConcretizationError) as e:
        ftrans.jit(_absolute)(1.0)
    msg = str(e.value)
    assert "abstract under jit" in msg and "ftrans.numpy.where" in msg
    assert "jit(f, static_argnums=...)" in msg
    assert "concrete values" not in msg  # no derivative is being taken


def test_index_under_vmap_has_no_static_argnums():
    with pytest.raises(ftrans.ConcretizationError) as e:
        ftrans.vmap(lambda i: [1.0, 2.0][i])(np.arange(2))
    msg = str(e.value)
    assert "ftrans.lax.switch" in msg and "ftrans.numpy.take" in msg
    assert "static_argnums" not in msg


def test_if_under_grad_works_and_under_jit_of_grad_explains_concreteness():
    # grad alone traces concretely: the derivative of the branch taken
    assert ftrans.grad(_absolute)(2.0) == 1.0 and ftrans.grad(_absolute)(-2.0) == -1.0
    with pytest.raises(ftrans.ConcretizationError) as e:
        ftrans.jit(ftrans.grad(_absolute))(2.0)
    msg = str(e.value)
    assert "grad, jvp, vjp and the Jacobians alone trace with concrete values" in msg
    assert "abstract because of jit" in msg and "static_argnums" in msg
    with pytest.raises(ftrans.ConcretizationError) as e:
        ftrans.vmap(ftrans.grad(_absolute))(np.array([1.0, -2.0]))
    msg = str(e.value)
    assert "concrete values" in msg and "because of vmap" in msg
    assert "static_argnums" not in msg


# ----------------------------------------------------------------------------- (c) grad

def test_grad_of_a_vector_suggests_jacobians_or_a_sum():
    with pytest.raises(TypeError) as e:
        ftrans.grad(lambda x: x * 2.0)(np.ones(3))
    msg = str(e.value)
    assert "shape: (3,)" in msg
    assert "ftrans.jacrev(f)" in msg and "ftrans.jacobian(f)" in msg
    assert "ftrans.grad(lambda x: f(x).sum())" in msg
    # what the message says holds: the Jacobian, and the gradient of the sum
    np.testing.assert_allclose(ftrans.jacrev(lambda x: x * 2.0)(np.ones(3)), 2 * np.eye(3))
    np.testing.assert_allclose(ftrans.grad(lambda x: (x * 2.0).sum())(np.ones(3)),
                               2 * np.ones(3))


def test_grad_of_several_outputs_names_them_not_a_treedef():
    with pytest.raises(TypeError) as e:
        ftrans.grad(lambda x: (fnp.sum(x), x))(np.ones(2))
    msg = str(e.value)
    assert ("returned a tuple of 2: (a scalar array of dtype float64, an array of shape (2,) "
            "and dtype float64)") in msg
    assert "has_aux=True" in msg and "ftrans.jacrev" in msg and "PyTreeDef" not in msg


# ----------------------------------------------------------------------------- (d) has_aux

@pytest.mark.parametrize("api", ["grad", "value_and_grad", "jacfwd", "jacrev", "hessian"])
def test_has_aux_errors_name_what_was_returned(api):
    transform = getattr(ftrans, api)
    with pytest.raises(TypeError) as e:
        transform(lambda x: fnp.sum(x * x), has_aux=True)(np.ones(2))
    msg = str(e.value)
    assert "must return a pair (output, aux)" in msg
    assert "it returned a scalar array of dtype float64" in msg and "Tracer" not in msg
    with pytest.raises(TypeError) as e:
        transform(lambda x: (fnp.sum(x * x), 1, "label"), has_aux=True)(np.ones(2))
    msg = str(e.value)
    assert ("it returned a tuple of 3: (a scalar array of dtype float64, an int, a str)"
            in msg) and "Tracer" not in msg


def test_has_aux_errors_of_jvp_vjp_and_scan_bodies():
    with pytest.raises(TypeError) as e:
        ftrans.vjp(lambda x: x * 2.0, np.ones(2), has_aux=True)
    assert "returned an array of shape (2,) and dtype float64" in str(e.value)
    with pytest.raises(TypeError) as e:
        ftrans.jvp(lambda x: [x], (1.0,), (1.0,), has_aux=True)
    assert "returned a list of 1: (a scalar array of dtype float64)" in str(e.value)
    with pytest.raises(TypeError) as e:
        ftrans.lax.scan(lambda c, x: c + x, 0.0, np.ones(3))
    msg = str(e.value)
    assert "must return a pair (carry, y)" in msg and "scalar array of dtype float64" in msg
    assert "Tracer" not in msg


# ----------------------------------------------------------------------------- (e) lines

def _line_of(fn, text: str) -> int:
    lines, start = inspect.getsourcelines(fn)
    return start + next(i for i, line in enumerate(lines) if text in line)


def _bad_sum(x):
    return x + np.ones(4)  # the user's line


@pytest.mark.parametrize("transform", ["jit", "vmap", "grad"])
def test_broadcasting_errors_under_tracing_name_the_users_line(transform):
    where = f"test_messages.py:{_line_of(_bad_sum, 'the user')} (in _bad_sum)"
    fun = {"jit": ftrans.jit(_bad_sum), "vmap": ftrans.vmap(_bad_sum),
           "grad": ftrans.grad(lambda x: fnp.sum(_bad_sum(x)))}[transform]
    with pytest.raises(ValueError) as e:
        fun(np.ones((3, 5)) if transform == "vmap" else np.ones(5))
    msg = str(e.value)
    assert "add: operands could not be broadcast together with shapes (5,) (4,)" in msg
    assert where in msg
    assert ("batch axis not shown" in msg) == (transform == "vmap")


def test_einsum_shape_errors_name_the_users_line():
    def f(x):
        return fnp.einsum("i,i->", x, np.ones(4))  # einsum line
    with pytest.raises(ValueError) as e:
        ftrans.jit(f)(np.ones(3))
    assert f"test_messages.py:{_line_of(f, 'einsum line')} (in f)" in str(e.value)


# ----------------------------------------------------------------------------- (f) keywords

def _keywords(fn) -> list[str] | None:
    """The parameter names ``fn`` takes by keyword; None when it takes ``**kwargs`` or has
    no signature to read."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return None
    if any(p.kind == p.VAR_KEYWORD for p in params):
        return None
    return [p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]


def _numpy_pairs():
    """(module, function name, NumPy keyword) for every keyword of a NumPy function that
    the ftrans.numpy function of the same name does not take."""
    pairs = []
    for ours, theirs, prefix in [(fnp, np, "numpy"), (fnp.linalg, np.linalg, "numpy.linalg"),
                                 (fnp.fft, np.fft, "numpy.fft")]:
        for name in sorted(n for n in dir(ours) if not n.startswith("_")):
            fn, np_fn = getattr(ours, name), getattr(theirs, name, None)
            if (not callable(fn) or isinstance(fn, type) or np_fn is None
                    or not callable(np_fn) or isinstance(np_fn, type)):
                continue
            have, want = _keywords(fn), _keywords(np_fn)
            if have is None or want is None:
                continue
            pairs += [(prefix, name, k) for k in want if k not in have]
    return pairs


PAIRS = _numpy_pairs()


def test_the_comparison_finds_the_known_gaps():
    assert ("numpy", "sum", "out") in PAIRS and ("numpy", "sin", "where") in PAIRS
    assert ("numpy", "std", "out") in PAIRS and ("numpy", "add", "dtype") in PAIRS
    for implemented in [("std", "correction"), ("std", "mean"), ("var", "where"),
                        ("prod", "initial"), ("prod", "where"), ("all", "where"),
                        ("any", "where"), ("cross", "axisa"), ("cross", "axisc"),
                        ("unique", "sorted"), ("full_like", "shape"),
                        ("empty_like", "shape")]:
        assert ("numpy",) + implemented not in PAIRS
    assert len(PAIRS) > 100


@pytest.mark.parametrize("prefix,name,keyword", PAIRS,
                         ids=[f"{p}.{n}-{k}" for p, n, k in PAIRS])
def test_every_numpy_keyword_ftrans_lacks_raises_a_named_error(prefix, name, keyword):
    fn = getattr(fnp if prefix == "numpy" else getattr(fnp, prefix.split(".")[1]), name)
    with pytest.raises(UnsupportedKeywordError) as e:
        fn(**{keyword: None})
    msg = str(e.value)
    assert f"ftrans.{prefix}.{name} does not support NumPy's keyword {keyword}=" in msg
    assert isinstance(e.value, TypeError) and isinstance(e.value, NotImplementedError)


def test_keyword_errors_on_traced_arrays_and_through_numpy():
    x = np.arange(3.0)
    cases = {
        "fnp.std(t, out=x)": ("ftrans.numpy.std", "out="),
        "np.var(t, out=x)": ("ftrans.numpy.var", "out="),
        "fnp.sin(t, out=x)": ("ftrans.numpy.sin", "never written in place"),
        "t.sum(out=x)": ("ftrans.numpy.sum", "never written in place"),
        "np.sum(t, out=x)": ("ftrans.numpy.sum", "never written in place"),
        "fnp.add(t, t, where=t > 0)": ("ftrans.numpy.add", "ftrans.numpy.where(mask"),
        "fnp.zeros_like(t, order='C')": ("ftrans.numpy.zeros_like", "leave it out"),
        "fnp.broadcast_to(array=t, shape=(2, 3))": ("ftrans.numpy.broadcast_to",
                                                    "pass it by position"),
    }
    for code, (name, words) in cases.items():
        with pytest.raises(UnsupportedKeywordError) as e:
            ftrans.jit(lambda t: eval(code, {"np": np, "fnp": fnp, "t": t, "x": x}))(x)
        assert name in str(e.value) and words in str(e.value), code
    # an unknown keyword NumPy does not have either stays Python's TypeError
    with pytest.raises(TypeError, match="unexpected keyword argument 'bogus'"):
        fnp.sum(x, bogus=1)


def test_keyword_guard_keeps_names_docs_and_pickling():
    import pickle
    assert fnp.sum.__name__ == "sum" and ">>>" in fnp.sum.__doc__
    assert "keepdims" in inspect.signature(fnp.sum).parameters
    assert fnp.acos.__wrapped__ is fnp.arccos.__wrapped__
    assert fnp.arccos.__qualname__ == "arccos" and fnp.acos.__qualname__ == "acos"
    assert pickle.loads(pickle.dumps(fnp.sin)) is fnp.sin
    assert pickle.loads(pickle.dumps(fnp.linalg.solve)) is fnp.linalg.solve


def test_std_and_var_take_correction_as_ddof():
    x = np.array([1.0, 2.0, 4.0])
    assert fnp.std(x, correction=1) == pytest.approx(np.std(x, ddof=1))
    assert ftrans.jit(lambda t: fnp.var(t, correction=1))(x) == pytest.approx(np.var(x, ddof=1))
    with pytest.raises(ValueError, match="ddof and correction"):
        fnp.var(x, ddof=1, correction=1)


def _masked_cases():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 4))
    w = rng.random((3, 4)) > 0.3
    m = x.mean(axis=1, keepdims=True)
    return x, [
        ("var where", lambda f, x: f.var(x, axis=1, where=w)),
        ("std where keepdims", lambda f, x: f.std(x, axis=1, where=w, keepdims=True)),
        ("var mean", lambda f, x: f.var(x, axis=1, mean=m)),
        ("std mean ddof", lambda f, x: f.std(x, ddof=1, mean=np.mean(x))),
        ("prod where initial", lambda f, x: f.prod(x, axis=0, where=w, initial=2.0)),
        ("all where", lambda f, x: f.all(x > 0, axis=1, where=w)),
        ("any where", lambda f, x: f.any(x > 0.5, where=w)),
        ("cross axes", lambda f, x: f.cross(x[:, :3], x[:, 1:].T, axisa=1, axisb=0, axisc=0)),
        ("cross positional axisa", lambda f, x: f.cross(x[:, :3].T, x[:, 1:], 0)),
    ]


@pytest.mark.parametrize("case", range(len(_masked_cases()[1])),
                         ids=[c[0] for c in _masked_cases()[1]])
def test_cheap_numpy_keywords_match_numpy_eagerly_jitted_and_in_derivatives(case):
    x, cases = _masked_cases()
    _, fun = cases[case]
    want = fun(np, x)
    np.testing.assert_allclose(fun(fnp, x), want, rtol=1e-12)
    np.testing.assert_allclose(ftrans.jit(lambda x: fun(fnp, x))(x), want, rtol=1e-12)
    if np.asarray(want).dtype.kind == "f":  # the gradient against central differences
        scalar = lambda x: fnp.sum(fun(fnp, x))
        g = ftrans.grad(scalar)(x)
        eps, fd = 1e-6, np.zeros_like(x)
        for i in np.ndindex(x.shape):
            e = np.zeros_like(x)
            e[i] = eps
            fd[i] = (np.sum(fun(np, x + e)) - np.sum(fun(np, x - e))) / (2 * eps)
        np.testing.assert_allclose(g, fd, rtol=1e-5, atol=1e-7)


def test_full_like_and_empty_like_take_shape():
    x = np.array([5.0, 1.0])
    got = ftrans.jit(lambda x: fnp.full_like(x, x[0], shape=(3,)))(x)
    np.testing.assert_array_equal(got, np.full_like(x, 5.0, shape=(3,)))
    assert ftrans.grad(lambda x: fnp.sum(fnp.full_like(x, x[0], shape=(3,))))(x).tolist() == \
        [3.0, 0.0]
    assert ftrans.jit(lambda x: fnp.empty_like(x, shape=(2, 3)))(x).shape == (2, 3)
    assert fnp.empty_like(x, shape=(2, 3)).shape == (2, 3)


def test_unique_takes_sorted():
    x = np.array([2.0, 1.0, 2.0])
    assert fnp.unique(x, sorted=False).tolist() == [1.0, 2.0]
    assert ftrans.grad(lambda x: fnp.sum(fnp.unique(x, sorted=True) ** 2))(x).tolist() == \
        [4.0, 2.0, 0.0]


@pytest.mark.parametrize("code,name,keyword", [
    ("np.sin(t, out=x)", "numpy.sin", "out"),
    ("np.add(t, t, where=t > 0)", "numpy.add", "where"),
    ("fnp.einsum('i->', t, dtype=float)", "numpy.einsum", "dtype"),
    ("fnp.quantile(t, 0.5, out=x)", "numpy.quantile", "out"),
    ("fnp.nansum(t, out=x)", "numpy.nansum", "out"),
    ("fnp.clip(t, 0, 1, out=x)", "numpy.clip", "out"),
    ("fnp.fft.fft(t, out=x)", "numpy.fft.fft", "out"),
    ("fnp.linalg.multi_dot([t, t], out=x)", "numpy.linalg.multi_dot", "out"),
])
def test_keywords_numpy_takes_only_on_numpy_arrays(code, name, keyword):
    """Keywords ftrans passes on to NumPy for NumPy arrays, and cannot do on traced ones."""
    x = np.arange(3.0)
    with pytest.raises(UnsupportedKeywordError) as e:
        ftrans.jit(lambda t: eval(code, {"np": np, "fnp": fnp, "t": t, "x": x}))(x)
    msg = str(e.value)
    assert msg.startswith(f"{name}(..., {keyword}=...) on traced arrays: ftrans.{name} "
                          f"does not support NumPy's keyword {keyword}=")
    assert msg.endswith("#unsupported-keyword-error")


def test_pad_checks_its_mode_keywords_on_traced_arrays_as_numpy_does():
    x = np.arange(3.0)
    with pytest.raises(ValueError, match=r"unsupported keyword arguments for mode 'constant'"):
        ftrans.jit(lambda t: fnp.pad(t, 1, foo=1))(x)
    with pytest.raises(ValueError, match=r"unsupported keyword arguments for mode 'edge'"):
        ftrans.jit(lambda t: fnp.pad(t, 1, mode="edge", constant_values=1.0))(x)
    with pytest.raises(UnsupportedKeywordError, match=r"numpy.pad\(..., reflect_type=...\)"):
        ftrans.jit(lambda t: fnp.pad(t, 1, mode="reflect", reflect_type="odd"))(x)
    got = ftrans.jit(lambda t: fnp.pad(t, 2, mode="reflect", reflect_type="even"))(x)
    np.testing.assert_array_equal(got, np.pad(x, 2, mode="reflect"))
    got = ftrans.jit(lambda t: fnp.pad(t, 1, constant_values=7.0))(x)
    np.testing.assert_array_equal(got, [7.0, 0.0, 1.0, 2.0, 7.0])


def test_custom_rule_errors_name_what_the_rule_returned():
    @ftrans.custom_vjp
    def f(x):
        return x * 2.0
    f.defvjp(lambda x: (x * 2.0, None), lambda res, g: g * 2.0)  # bwd must return a tuple
    with pytest.raises(TypeError) as e:
        ftrans.grad(f)(1.0)
    msg = str(e.value)
    assert "bwd of f must return a tuple of 1 cotangent(s)" in msg
    assert "it returned a scalar array of dtype float64" in msg and "Tracer" not in msg

    @ftrans.custom_vjp
    def g(x):
        return x * 2.0
    g.defvjp(lambda x: x * 2.0, lambda res, ct: (ct * 2.0,))  # fwd must return a pair
    with pytest.raises(TypeError) as e:
        ftrans.grad(g)(1.0)
    assert "fwd of g must return a pair (output, residuals), but it returned a scalar " \
        "array of dtype float64" in str(e.value)

    @ftrans.custom_jvp
    def h(x):
        return x * 2.0
    h.defjvp(lambda primals, tangents: primals[0] * 2.0)  # the rule must return a pair
    with pytest.raises(TypeError) as e:
        ftrans.jvp(h, (1.0,), (1.0,))
    assert "rule of h must return a pair (primal_out, tangent_out), but it returned a " \
        "scalar array of dtype float64" in str(e.value)
