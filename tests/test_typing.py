"""ftrans for a type checker (issue 17 §2): ``py.typed`` ships, every public module says what
it exports (``__all__``) and exports no internal helper, the transformations keep the
signature of what they transform, and a user's script type-checks under ``mypy --strict``
(tests/typing/user_script.py) while a script with deliberate mistakes does not
(tests/typing/bad_script.py)."""

import importlib
import inspect
import os
import pathlib
import pkgutil
import re
import subprocess
import sys
import types

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp
import ftrans.typing as ft

HERE = pathlib.Path(__file__).resolve().parent
SCRIPTS = HERE / "typing"
PKG = pathlib.Path(ftrans.__file__).resolve().parent

PUBLIC_MODULES = [
    "ftrans", "ftrans.numpy", "ftrans.numpy.linalg", "ftrans.numpy.fft", "ftrans.numpy.safe",
    "ftrans.lax", "ftrans.random", "ftrans.scipy", "ftrans.scipy.special",
    "ftrans.scipy.linalg", "ftrans.scipy.signal", "ftrans.scipy.stats",
    "ftrans.scipy.stats.norm", "ftrans.tree_util", "ftrans.test_util", "ftrans.typing",
    "ftrans.config", "ftrans.explain", "ftrans.testing", "ftrans.sparse", "ftrans.api",
]
if importlib.util.find_spec("ftrans.distributed") is not None:
    PUBLIC_MODULES.append("ftrans.distributed")
# and every module of the public packages (not the private ones, _name)
PUBLIC_MODULES += sorted(
    {info.name for pkg in ("numpy", "scipy", "random", "lax", "tree_util")
     for info in pkgutil.walk_packages(importlib.import_module(f"ftrans.{pkg}").__path__,
                                       f"ftrans.{pkg}.")
     if not any(part.startswith("_") for part in info.name.split("."))}
    - set(PUBLIC_MODULES))

# Modules whose every public attribute is an export: the faces people read with dir() and
# the API reference lists (ftrans.numpy.linalg used to show any_tracer, shape_of...).
# (Other modules hold some helpers other ftrans modules import: tree_util.flatten_fun...)
NO_HELPERS = ["ftrans", "ftrans.numpy", "ftrans.numpy.linalg", "ftrans.lax", "ftrans.random",
              "ftrans.scipy", "ftrans.scipy.stats", "ftrans.api", "ftrans.typing"]


def _module(name: str) -> types.ModuleType:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:  # an optional dependency (dask for distributed)
        if e.name and e.name.split(".")[0] != "ftrans":
            pytest.skip(f"{name} needs {e.name}")
        raise


def _unexported(mod: types.ModuleType) -> list[str]:
    """Public attributes that are neither exported nor modules nor annotation helpers."""
    out = []
    for name, value in vars(mod).items():
        if name.startswith("_") or name in mod.__all__ or isinstance(value, types.ModuleType):
            continue
        if name in ("annotations", "TYPE_CHECKING") or getattr(value, "__module__",
                                                               None) == "typing":
            continue  # from __future__ import annotations; from typing import Any
        if name in ft.__all__ and value is getattr(ft, name):
            continue  # annotations with ftrans.typing's names
        out.append(name)
    return out


# ----------------------------------------------------------------------------- py.typed


def test_the_package_is_marked_typed():
    # run from tests/ against the installed wheel in CI (ci/test.sh), so this checks the wheel;
    # ci/sdist.sh checks the ftrans built from the sdist
    assert (PKG / "py.typed").is_file(), f"no py.typed in {PKG}"
    pyproject = PKG.parent / "pyproject.toml"
    if pyproject.is_file():  # a source checkout: the wheel's package data names it
        assert re.search(r'ftrans = \[[^\]]*"py\.typed"', pyproject.read_text())


# ----------------------------------------------------------------------------- __all__


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_public_modules_declare_their_exports(name):
    mod = _module(name)
    assert isinstance(getattr(mod, "__all__", None), list), f"{name} has no __all__ list"
    missing = [n for n in mod.__all__ if not hasattr(mod, n)]
    assert not missing, f"{name}.__all__ names what it does not have: {missing}"
    assert len(set(mod.__all__)) == len(mod.__all__), f"{name}.__all__ repeats names"


@pytest.mark.parametrize("name", NO_HELPERS)
def test_faces_expose_no_internal_helpers(name):
    mod = _module(name)
    assert not _unexported(mod), (f"{name} shows names it does not export (import them under "
                                  f"a private name, or add them to __all__): "
                                  f"{_unexported(mod)}")


def test_linalg_shows_numpys_names_only():
    import ftrans.numpy.linalg as fla
    for helper in ("any_tracer", "shape_of", "as_array", "result_dtype", "Tracer"):
        assert not hasattr(fla, helper), helper
    assert {"solve", "inv", "det", "svd", "eigh", "norm", "LinAlgError"} <= set(fla.__all__)
    with pytest.raises(AttributeError, match="any_tracer"):
        fla.any_tracer  # noqa: B018


def test_the_helper_check_finds_helpers():
    fake = types.ModuleType("fake")
    fake.__all__ = ["f"]
    fake.f = lambda: None
    fake.shape_of = np.shape
    fake.Any = object
    assert _unexported(fake) == ["shape_of", "Any"]


# ----------------------------------------------------------------------------- ftrans.typing


def test_typing_names_at_runtime():
    assert ft.__all__ == ["Array", "ArrayLike", "DTypeLike", "PyTree"]
    assert isinstance(np.ones(2), ft.Array) and not isinstance([1.0], ft.Array)
    assert not isinstance(1.0, ft.Array)
    seen = []
    ftrans.grad(lambda x: seen.append(isinstance(x, ft.Array)) or x * x)(1.0)
    ftrans.vmap(lambda x: seen.append(isinstance(x, ft.Array)) or x)(np.ones(2))
    assert seen == [True, True]
    for ok in (np.ones(2), np.float32(1), np.bool_(True), True, 1, 1.0, 1j):
        assert isinstance(ok, ft.ArrayLike), ok
    for bad in ("1.0", [1.0], None):
        assert not isinstance(bad, ft.ArrayLike), bad
    assert np.dtype(np.float32) == np.dtype("float32")  # DTypeLike is NumPy's
    with pytest.raises(TypeError, match="annotations and isinstance"):
        ft.Array()


# ----------------------------------------------------------------------------- signatures


def _loss(w, x, scale: float = 1.0):
    return fnp.sum(fnp.tanh(fnp.dot(x, w)) ** 2) * scale


@pytest.mark.parametrize("transform", [
    ftrans.grad, ftrans.value_and_grad, ftrans.jit, ftrans.vmap, ftrans.jacfwd, ftrans.jacrev,
    ftrans.jacobian, ftrans.hessian, ftrans.checkpoint, ftrans.custom_jvp, ftrans.custom_vjp,
    ftrans.make_jaxpr], ids=lambda t: t.__name__)
def test_transformed_functions_keep_the_signature(transform):
    assert inspect.signature(transform(_loss)) == inspect.signature(_loss)
    assert transform(_loss).__name__ == "_loss"


def test_keyword_arguments_work_as_the_signature_says():
    # checkpoint took positional arguments only, though typed as taking fun's parameters
    w, x = np.array([0.5, -1.0, 2.0]), np.arange(6.0).reshape(2, 3)
    want = _loss(w, x, 2.0)
    g_want = ftrans.grad(_loss)(w, x, 2.0)
    for transform in (ftrans.checkpoint, ftrans.jit, lambda f: f):
        f = transform(_loss)
        np.testing.assert_allclose(f(w, x, scale=2.0), want, rtol=1e-14)
        np.testing.assert_allclose(ftrans.grad(f)(w, x, scale=2.0), g_want, rtol=1e-14)
    with pytest.raises(TypeError, match="scale"):
        ftrans.checkpoint(_loss)(w, x, 2.0, scale=2.0)


def test_jit_keeps_its_methods_typed():
    f = ftrans.jit(_loss)
    hints = {n: inspect.signature(getattr(f, n)) for n in ("__call__", "lower", "source")}
    assert all("_P.args" in str(s) for s in hints.values()), hints
    assert "_R" in str(hints["__call__"].return_annotation)
    w, x = np.ones(3), np.ones((2, 3))
    assert f(w, x) == _loss(w, x) and f.lower(w, x).jaxpr is not None
    f.clear_cache()


# ----------------------------------------------------------------------------- mypy


def _mypy(*files: str) -> str:
    """mypy --strict (tests/typing/mypy.ini) on ``files``, against the ftrans under test."""
    pytest.importorskip("mypy", reason="mypy is not installed")
    env = dict(os.environ)
    if "site-packages" not in str(PKG) and "dist-packages" not in str(PKG):
        env["MYPYPATH"] = str(PKG.parent)  # a source checkout; an installed ftrans is found
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", "mypy.ini", "--no-error-summary",
         "--cache-dir", os.devnull, "--show-error-codes", "--no-pretty", *files],
        cwd=SCRIPTS, env=env, capture_output=True, text=True, timeout=600)
    if proc.returncode not in (0, 1):
        pytest.fail(f"mypy crashed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


@pytest.fixture(scope="module")
def mypy_report() -> dict[str, list[tuple[int, str]]]:
    """mypy's errors on both scripts (one run: mypy reads ftrans once), by file."""
    out = _mypy("user_script.py", "bad_script.py")
    errors: dict[str, list[tuple[int, str]]] = {"user_script.py": [], "bad_script.py": []}
    for line in out.splitlines():
        m = re.match(r"(\w+\.py):(\d+): error: .*\[([\w-]+)\]$", line)
        if m:
            errors.setdefault(m[1], []).append((int(m[2]), m[3]))
        elif ": error:" in line:
            errors.setdefault("other", []).append((0, line))
    errors["raw"] = [(0, out)]
    return errors


def test_a_users_script_type_checks_strictly(mypy_report):
    assert mypy_report["user_script.py"] == [], mypy_report["raw"][0][1]
    assert "other" not in mypy_report, mypy_report["raw"][0][1]


def test_mypy_finds_the_deliberate_mistakes(mypy_report):
    expected = []
    for i, line in enumerate((SCRIPTS / "bad_script.py").read_text().splitlines(), 1):
        m = re.search(r"\S  # E: ([a-z-]+)$", line)
        if m:
            expected.append((i, m[1]))
    assert len(expected) >= 5
    assert mypy_report["bad_script.py"] == expected, mypy_report["raw"][0][1]


def test_the_users_script_runs(tmp_path):
    proc = subprocess.run([sys.executable, str(SCRIPTS / "user_script.py")], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(PKG.parent)})
    assert proc.returncode == 0, proc.stderr
    assert "lambda" in proc.stdout  # the printed jaxprs


# ----------------------------------------------------------------------------- pyright


def _pyright(tmp_path: pathlib.Path, script: str, mode: str) -> str:
    """pyright (the PyPI wrapper, where installed and able to start) on a copy of ``script``."""
    pytest.importorskip("pyright", reason="pyright is not installed")
    cmd = [sys.executable, "-m", "pyright"]
    try:
        ok = subprocess.run(cmd + ["--version"], capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.skip("pyright does not start (it fetches its Node package on first use)")
    if ok.returncode != 0:
        pytest.skip(f"pyright does not start here: {ok.stderr.strip()[-200:]}")
    (tmp_path / script).write_text((SCRIPTS / script).read_text())
    extra = [] if "site-packages" in str(PKG) else [str(PKG.parent)]
    (tmp_path / "pyrightconfig.json").write_text(
        '{"include": ["%s"], "extraPaths": %s, "typeCheckingMode": "%s"}'
        % (script, str(extra).replace("'", '"'), mode))
    proc = subprocess.run(cmd + ["-p", str(tmp_path / "pyrightconfig.json"), "--pythonpath",
                                 sys.executable], cwd=tmp_path, capture_output=True, text=True,
                          timeout=600)
    return proc.stdout


def test_pyright_strict_accepts_the_users_script(tmp_path):
    out = _pyright(tmp_path, "user_script.py", "strict")
    assert "0 errors" in out, out


def test_pyright_finds_the_deliberate_mistakes(tmp_path):
    out = _pyright(tmp_path, "bad_script.py", "basic")
    lines = sorted({int(m[1]) for m in re.finditer(r"bad_script\.py:(\d+):\d+ - error", out)})
    marked = [i for i, line in enumerate((SCRIPTS / "bad_script.py").read_text().splitlines(), 1)
              if re.search(r"\S  # E: [a-z-]+$", line)]
    assert lines == marked, out
