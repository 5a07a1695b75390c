"""The house's floors (docs/architecture.md, "Floors"), read from the imports of every ftrans
module: module-level and function-level imports alike (they hide cycles, they don't remove
them), absolute and relative, ``from . import x`` resolved to the submodule ``x``, and
``importlib.import_module("ftrans....")`` strings. No import cycle; a module imports only from
its own floor or below; no ftrans file over 600 lines."""

from __future__ import annotations

import ast
import functools
import pathlib
import textwrap

import pytest

import ftrans

PKG = pathlib.Path(ftrans.__file__).resolve().parent
MAX_LINES = 600

# From the ground up (docs/architecture.md). A module is on the floor of the longest prefix
# that names it; every module must be placed, so a new one is placed on purpose.
FLOORS: dict[str, int] = {
    # 1: the ground: the IR, pytrees, which array module computes, tracing's errors, symbolic
    # zeros
    "ftrans.ir": 1, "ftrans.tree_util": 1, "ftrans.xp": 1, "ftrans.errors": 1,
    "ftrans.symbolic": 1, "ftrans.primitive": 1,
    # 2: the core (tracing, bind), the switches it reads, the devices
    "ftrans.core": 2, "ftrans.config": 2, "ftrans.device": 2,
    # 3: every primitive with all its rules (and the dependency rules of their families)
    "ftrans.prims": 3, "ftrans.deps": 3,
    # 4: the transformations, and their entry points on closed jaxprs
    "ftrans.transforms": 4,
    # 5: control flow and custom rules: primitives whose rules run transformations
    "ftrans.control": 5,
    # 6: passes, analyses and code generators
    "ftrans.opt": 6, "ftrans.backends": 6, "ftrans.memory": 6,
    # 7: the faces
    "ftrans": 7, "ftrans.api": 7, "ftrans.jit": 7, "ftrans.lax": 7, "ftrans.numpy": 7,
    "ftrans.scipy": 7, "ftrans.random": 7, "ftrans.explain": 7, "ftrans.graph": 7,
    "ftrans.display": 7, "ftrans.testing": 7, "ftrans.test_util": 7, "ftrans.sparse": 7,
    "ftrans.cost": 7, "ftrans.shapes": 7, "ftrans.cache": 7, "ftrans.distributed": 7,
    "ftrans.bench": 7, "ftrans.bench_gpu": 7,
}

# Arrows the floors alone would allow, and the design does not.
FORBIDDEN = [
    ("ftrans.core", "ftrans.device", "the core reads which array module from ftrans.xp"),
    ("ftrans.transforms", "ftrans.prims", "transformations name no primitive"),
    ("ftrans.graph", "ftrans.explain", "both read traces through ftrans.display"),
    ("ftrans.distributed", "ftrans.api", "the API hands chunks to the workers, not back"),
    ("ftrans.distributed", "ftrans.numpy", "workers run jaxprs, not the user's NumPy code"),
]

# ----------------------------------------------------------------------------- the graph

def module_names(root: pathlib.Path, top: str = "ftrans") -> dict[str, tuple[pathlib.Path, bool]]:
    """``{dotted name: (path, is a package)}`` for every .py file under ``root``."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = [top, *path.relative_to(root).with_suffix("").parts]
        is_pkg = parts[-1] == "__init__"
        if is_pkg:
            parts.pop()
        out[".".join(parts)] = (path, is_pkg)
    return out


def _owner(name: str, modules: dict) -> str | None:
    """The module ``name`` lives in: itself, or its longest prefix that is a module."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(source: str, name: str, is_pkg: bool, modules: dict, top: str = "ftrans"
               ) -> dict[str, int]:
    """``{imported module: first line}`` for the module ``name`` with ``source``: every
    import statement anywhere in it, and ``import_module``-like calls with a literal name."""
    package = name if is_pkg else name.rpartition(".")[0]
    found: dict[str, int] = {}

    def add(target: str | None, line: int) -> None:
        if target is not None and target != name:
            found.setdefault(target, line)

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == top:
                    add(_owner(alias.name, modules), node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                where = ".".join(base + ([node.module] if node.module else []))
            else:
                where = node.module or ""
            if where.split(".")[0] != top:
                continue
            for alias in node.names:  # from . import x: the submodule x, if there is one
                sub = f"{where}.{alias.name}"
                add(sub if sub in modules else _owner(where, modules), node.lineno)
        elif isinstance(node, ast.Call) and node.args:
            fn = node.func
            fname = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
            arg = node.args[0]
            if ("import" in fname.lower() or "lazy" in fname.lower()) \
                    and isinstance(arg, ast.Constant) and isinstance(arg.value, str) \
                    and arg.value.split(".")[0] == top:
                add(_owner(arg.value, modules), node.lineno)
    return found


def import_graph(root: pathlib.Path, top: str = "ftrans") -> dict[str, dict[str, int]]:
    """Each module's imports of other modules of the package under ``root``."""
    modules = module_names(root, top)
    return {name: imports_of(path.read_text(encoding="utf-8"), name, is_pkg, modules, top)
            for name, (path, is_pkg) in modules.items()}


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def floor_of(name: str) -> int | None:
    """The floor of the longest prefix of ``name`` in FLOORS (``ftrans`` itself names only
    the package's ``__init__``)."""
    if name == "ftrans":
        return FLOORS[name]
    while "." in name:
        if name in FLOORS:
            return FLOORS[name]
        name = name.rpartition(".")[0]
    return None


@functools.cache
def graph() -> dict[str, dict[str, int]]:
    return import_graph(PKG)


# ----------------------------------------------------------------------------- the rules

def test_no_import_cycle():
    g = graph()
    found = cycles(g)
    detail = [f"{sorted(c)}: " + ", ".join(f"{a} -> {b} (line {g[a][b]})" for a in c
                                           for b in g[a] if b in c) for c in found]
    assert not found, "import cycles among ftrans modules:\n" + "\n".join(detail)


def test_every_module_is_on_a_floor():
    unplaced = [m for m in graph() if floor_of(m) is None]
    assert not unplaced, (f"modules on no floor: {unplaced}; place them in FLOORS (and in "
                          "docs/architecture.md)")


def test_modules_import_only_from_their_floor_or_below():
    g = graph()
    upward = [f"{a} (floor {floor_of(a)}) imports {b} (floor {floor_of(b)}) at line {line}"
              for a in sorted(g) for b, line in sorted(g[a].items())
              if (floor_of(b) or 0) > (floor_of(a) or 0)]
    assert not upward, "imports running up a floor:\n" + "\n".join(upward)


def test_no_forbidden_import():
    g = graph()
    bad = [f"{a} imports {b} at line {line}: {why}"
           for src, dst, why in FORBIDDEN
           for a in sorted(g) if a == src or a.startswith(src + ".")
           for b, line in sorted(g[a].items()) if b == dst or b.startswith(dst + ".")]
    assert not bad, "\n".join(bad)


def private_imports(name: str) -> list[str]:
    """``module._name`` for every private name module ``name`` imports from a module of
    ftrans (absolute or relative imports, inside functions too)."""
    modules = module_names(PKG)
    path, is_pkg = modules[name]
    package = name if is_pkg else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")[:len(package.split(".")) - node.level + 1]
            where = ".".join(base + [node.module] if node.module else base) if node.level \
                else node.module or ""
            found += [f"{where}.{a.name}" for a in node.names
                      if where.split(".")[0] == "ftrans" and a.name.startswith("_")
                      and not a.name.startswith("__")]
    return found


@pytest.mark.parametrize("name", ["ftrans.explain", "ftrans.graph", "ftrans.display"])
def test_the_displays_use_no_private_helper(name):
    assert private_imports(name) == []


def test_private_imports_are_seen():
    assert "ftrans.ir._nth_name" in private_imports("ftrans.backends.numpy_backend")


def test_no_file_over_600_lines():
    lengths = {str(p.relative_to(PKG)): len(p.read_text(encoding="utf-8").splitlines())
               for p in PKG.rglob("*.py")}
    too_long = sorted(f"{f}: {n} lines" for f, n in lengths.items() if n > MAX_LINES)
    assert not too_long, f"ftrans files over {MAX_LINES} lines: {too_long}"


# ----------------------------------------------------------------------------- the reader

def _package(tmp_path: pathlib.Path, files: dict[str, str]) -> pathlib.Path:
    for rel, text in files.items():
        path = tmp_path / "pkg" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path / "pkg"


def test_the_reader_sees_every_kind_of_import(tmp_path):
    root = _package(tmp_path, {
        "__init__.py": "from . import a, sub\n",
        "a.py": """
            def f():
                from .sub import b          # a function-level import
                import ftrans.sub.c         # absolute, dotted
                return b
            """,
        "sub/__init__.py": "",
        "sub/b.py": "from .. import a  # a relative import of a sibling package's module\n",
        "sub/c.py": """
            import importlib
            from . import b as _b  # from . import x: the submodule x
            from ..a import f      # a name from a module: that module
            numpy = importlib.import_module("ftrans.a")
            """,
    })
    g = import_graph(root)
    assert g == {"ftrans": {"ftrans.a": 1, "ftrans.sub": 1},
                 "ftrans.a": {"ftrans.sub.b": 3, "ftrans.sub.c": 4},
                 "ftrans.sub": {},
                 "ftrans.sub.b": {"ftrans.a": 1},
                 "ftrans.sub.c": {"ftrans.sub.b": 3, "ftrans.a": 4}}
    assert cycles(g) == [["ftrans.a", "ftrans.sub.b", "ftrans.sub.c"]]


def test_the_floors_follow_the_longest_prefix():
    assert floor_of("ftrans.prims.elementwise") == 3 and floor_of("ftrans.control.scan") == 5
    assert floor_of("ftrans.numpy._shape") == 7 and floor_of("ftrans.transforms") == 4
    assert floor_of("ftrans") == 7 and floor_of("ftrans.unplaced") is None
    assert floor_of("elsewhere") is None
