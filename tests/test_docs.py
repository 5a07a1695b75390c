"""The documentation runs: every python block of README.md and docs/*.md, the doctests of
every ftrans module, and every ``ftrans.…`` name the README mentions exists."""

from __future__ import annotations

import doctest
import importlib
import pathlib
import pkgutil
import re

import numpy as np
import pytest

import ftrans

ROOT = pathlib.Path(__file__).resolve().parent.parent
PKG = pathlib.Path(ftrans.__file__).resolve().parent  # the package tested (maybe installed)
# docs/*.md but the site's pages that only include a file from the root (changelog.md)
DOCS = [ROOT / "README.md"] + sorted(p for p in (ROOT / "docs").glob("*.md")
                                     if "```{include}" not in p.read_text(encoding="utf-8"))
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def python_blocks(path: pathlib.Path) -> list[tuple[int, str]]:
    text = path.read_text(encoding="utf-8")
    return [(text[:m.start()].count("\n") + 2, m.group(1)) for m in _BLOCK.finditer(text)]


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_markdown_python_blocks_run(path, tmp_path, monkeypatch, capsys):
    """Blocks run in order in one namespace, like a notebook, from a scratch directory."""
    blocks = python_blocks(path)
    assert blocks, f"{path.name} has no python blocks"
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": f"docs_{path.stem}"}
    for line, code in blocks:
        try:
            exec(compile(code, f"{path.name}:{line}", "exec"), namespace)
        except Exception as e:  # name the block in the failure
            raise AssertionError(f"{path.name}, python block at line {line} failed: "
                                 f"{type(e).__name__}: {e}") from e


def _modules() -> list[str]:
    names = ["ftrans"]
    for info in pkgutil.walk_packages(ftrans.__path__, "ftrans."):
        names.append(info.name)
    return names


def _import(name: str):
    """The module, or a skip when it needs an optional dependency that is not installed."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name and not e.name.split(".")[0] == "ftrans":
            pytest.skip(f"{name} needs the optional dependency {e.name!r}")
        raise


@pytest.mark.parametrize("name", _modules())
def test_doctests(name):
    module = _import(name)
    old = np.get_printoptions()
    np.set_printoptions(legacy="1.25")  # scalars print as 1.0, not np.float64(1.0)
    try:
        finder = doctest.DocTestFinder(exclude_empty=True)
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS
                                       | doctest.NORMALIZE_WHITESPACE)
        for test in finder.find(module, name):
            if test.filename and not pathlib.Path(test.filename).resolve().is_relative_to(PKG):
                continue  # re-exported from elsewhere (e.g. NumPy)
            with np.errstate(all="ignore"):  # examples of NaN debugging compute NaNs
                runner.run(test)
        result = runner.summarize(verbose=False)
    finally:
        np.set_printoptions(**old)
    assert result.failed == 0, f"{result.failed} doctest(s) of {name} failed (output above)"
    if name in ("ftrans.api.derivatives", "ftrans.api.jacobians", "ftrans.explain",
                "ftrans.graph", "ftrans.testing",
                "ftrans.config", "ftrans.numpy.safe"):
        assert result.attempted > 5, f"{name}: only {result.attempted} doctests found"


def test_public_functions_have_doctest_examples():
    missing = []
    for name in ftrans.__all__ if hasattr(ftrans, "__all__") else dir(ftrans):
        obj = getattr(ftrans, name)
        if callable(obj) and not isinstance(obj, type) and not name.startswith("_"):
            if ">>>" not in (obj.__doc__ or ""):
                missing.append(name)
    assert not missing, f"public functions without a >>> example: {missing}"


def test_readme_has_a_section_for_every_public_function():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    public = [n for n in dir(ftrans) if not n.startswith("_")
              and callable(getattr(ftrans, n)) and not isinstance(getattr(ftrans, n), type)]
    missing = [n for n in public if f"#### `ftrans.{n}" not in readme
               and not re.search(rf"#### .*`ftrans\.{n}\b", readme)]
    assert not missing, f"README.md has no API section for: {missing}"


def _resolve(dotted: str):
    obj = ftrans
    parts = dotted.split(".")[1:]
    for i, part in enumerate(parts):
        if not hasattr(obj, part):
            importlib.import_module(".".join(["ftrans"] + parts[:i + 1]))
        obj = getattr(obj, part)
    return obj


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_every_ftrans_name_mentioned_exists(path):
    text = re.sub(r"https?://\S+", "", path.read_text(encoding="utf-8"))  # not names
    names = set(re.findall(r"\bftrans(?:\.\w+)+", text))
    missing = []
    for dotted in sorted(names):
        try:
            _resolve(dotted)
        except (AttributeError, ImportError):
            missing.append(dotted)
    assert not missing, f"{path.name} mentions names ftrans does not have: {missing}"


def test_ir_page_shows_what_make_jaxpr_prints():
    import ftrans.numpy as fnp
    page = (ROOT / "docs" / "ir.md").read_text(encoding="utf-8")
    w = np.ones((3, 2))
    shown = str(ftrans.make_jaxpr(lambda x: fnp.sum(fnp.tanh(x @ w) * 2.0))(np.ones((4, 3))))
    assert shown in page
    shown = str(ftrans.make_jaxpr(ftrans.grad(lambda x: fnp.sin(x) * x))(1.0))
    assert shown in page
