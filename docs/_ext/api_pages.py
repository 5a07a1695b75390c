"""Sphinx extension: the API reference pages, ``api/<module>.rst``, written when the build
starts from each module's public names (its ``__all__``, else the public functions and classes
defined in ftrans), so a new function appears in the reference without editing the docs.
Each page has a summary table (first docstring lines) and every member's whole docstring."""

from __future__ import annotations

import importlib
import inspect
import pathlib
from typing import Any

from sphinx.application import Sphinx

MODULES = [
    "ftrans", "ftrans.numpy", "ftrans.numpy.linalg", "ftrans.numpy.fft", "ftrans.numpy.safe",
    "ftrans.lax", "ftrans.random", "ftrans.scipy.special", "ftrans.scipy.stats",
    "ftrans.scipy.signal", "ftrans.scipy.linalg", "ftrans.tree_util", "ftrans.test_util",
    "ftrans.explain", "ftrans.config", "ftrans.distributed",
]


# Where a module has no ``__all__``, the names it imports from these internal modules are
# not its API (``ftrans.explain`` imports ``vjp`` and ``Jaxpr`` to do its job).
INTERNAL = ("ftrans.core", "ftrans.ir", "ftrans.display", "ftrans.symbolic", "ftrans.api",
            "ftrans.transforms", "ftrans.device", "ftrans.tree_util", "ftrans.backends")
# Helpers other modules use that are no user's API.
NOT_API = {"ftrans.config": {"check_nans", "check_rule", "debugging_nans", "in_backward_pass",
                             "nans_checked"},
           "ftrans.tree_util": {"flatten_fun", "refill"}}


def _home(obj: Any) -> str:
    """The module that defines ``obj``: a wrapper's (``functools.wraps``) is its function's,
    so a NumPy function ftrans re-exports in a wrapper is still NumPy's."""
    try:
        obj = inspect.unwrap(obj)
    except ValueError:  # a cycle of __wrapped__
        pass
    home = getattr(obj, "__module__", None)
    return home if isinstance(home, str) else type(obj).__module__ or ""


def _private_elsewhere(home: str, own: str) -> bool:
    """``home`` is a primitive module, or a private module outside ``own``'s package."""
    parent = own.rpartition(".")[0]
    private = any(part.startswith("_") for part in home.split("."))
    return home.startswith("ftrans.prims") or (private and not home.startswith(parent + "."))


def public_names(module: Any) -> list[str]:
    own = module.__name__
    names = getattr(module, "__all__", None)
    explicit = names is not None
    if names is None:
        names = [n for n in dir(module) if not n.startswith("_")]
    keep = []
    for name in names:
        obj = getattr(module, name, None)
        home = _home(obj)
        if obj is None or inspect.ismodule(obj) or not callable(obj):
            continue  # submodules and constants
        if not home.startswith("ftrans") or name in NOT_API.get(own, ()):
            continue  # NumPy's dtypes and functions re-exported as they are
        if not explicit and own not in ("ftrans", "ftrans.lax") and not home.startswith(own) \
                and (home.startswith(INTERNAL) or _private_elsewhere(home, own)):
            continue  # a helper the module imports (ftrans.scipy.linalg's shape_of)
        keep.append(name)
    return sorted(keep, key=str.lower)


def submodules(module: Any) -> list[str]:
    """Public submodules that are attributes (``ftrans.scipy.stats.norm``), by name."""
    own = module.__name__
    return sorted(n for n in dir(module) if not n.startswith("_")
                  and inspect.ismodule(getattr(module, n))
                  and getattr(module, n).__name__ == f"{own}.{n}")


def _entry(module: str, name: str, obj: Any) -> str:
    if inspect.isclass(obj):
        return f".. autoclass:: {name}\n   :members:\n"
    if inspect.isfunction(obj) or inspect.isbuiltin(obj):
        return f".. autofunction:: {name}\n"
    return f".. autofunction:: {name}\n"  # callable objects (ufunc-like): documented alike


def _members(module: Any, names: list[str]) -> list[str]:
    own = module.__name__
    lines = [f".. currentmodule:: {own}", ""]
    if names:
        lines += [".. autosummary::", "   :nosignatures:", ""]
        lines += [f"   {n}" for n in names]
        lines += [""]
        lines += [_entry(own, n, getattr(module, n)) for n in names]
    return lines


def page(module_name: str) -> str | None:
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None  # an optional part (ftrans.distributed) not present
    title = f"``{module_name}``"
    lines = [title, "=" * len(title), "", f".. automodule:: {module_name}", "   :no-members:",
             ""]
    lines += _members(module, public_names(module))
    if module_name == "ftrans.scipy.stats":  # distributions as modules, as in SciPy
        for sub in submodules(module):
            child = importlib.import_module(f"{module_name}.{sub}")
            head = f"``{child.__name__}``"
            lines += [head, "-" * len(head), ""]
            lines += _members(child, public_names(child))
    return "\n".join(lines) + "\n"


def write_pages(app: Sphinx) -> None:
    folder = pathlib.Path(app.srcdir) / "api"
    folder.mkdir(exist_ok=True)  # generated only: a fresh checkout has no docs/api/
    written = []
    for name in MODULES:
        text = page(name)
        if text is None:
            continue
        path = folder / f"{name}.rst"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        written.append(name)
    toc = ["API reference", "=============", "",
           "Generated from the docstrings of each module's public functions.", "",
           ".. toctree::", "   :maxdepth: 1", ""] + [f"   {n}" for n in written]
    index = folder / "index.rst"
    text = "\n".join(toc) + "\n"
    if not index.exists() or index.read_text(encoding="utf-8") != text:
        index.write_text(text, encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", write_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
