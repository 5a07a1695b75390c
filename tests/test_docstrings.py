"""The transformation API's docstrings are NumPy-style (issue 17 §3): a summary, then
Parameters (when there are any), Returns (functions), Raises (where something can be
raised; never a placeholder) and Examples sections, the
examples doctests (run by tests/test_docs.py)."""

import inspect
import re

import pytest

import ftrans
import ftrans.api
import ftrans.lax
import ftrans.tree_util

TRANSFORMS = ["custom_jvp", "custom_vjp", "checkpoint", "jit"]


def _public() -> dict[str, object]:
    objs: dict[str, object] = {}
    for name in ftrans.api.__all__:
        objs[f"ftrans.{name}"] = getattr(ftrans.api, name)
    for name in TRANSFORMS:
        objs[f"ftrans.{name}"] = getattr(ftrans, name)
    objs["ftrans.custom_jvp.defjvp"] = ftrans.custom_jvp.defjvp
    objs["ftrans.custom_jvp.defjvps"] = ftrans.custom_jvp.defjvps
    objs["ftrans.custom_vjp.defvjp"] = ftrans.custom_vjp.defvjp
    for meth in ("lower", "source", "clear_cache"):
        objs[f"JitFunction.{meth}"] = getattr(ftrans.jit(lambda x: x), meth)
    for name in ftrans.lax.__all__:  # its own functions, and the primitives' it re-exports
        objs[f"ftrans.lax.{name}"] = getattr(ftrans.lax, name)
    for name in ftrans.tree_util.__all__:
        obj = getattr(ftrans.tree_util, name)
        if not (inspect.isclass(obj) and name.endswith("Key")):  # NamedTuples: their fields
            objs[f"ftrans.tree_util.{name}"] = obj
    return objs


PUBLIC = _public()


def _sections(doc: str) -> list[str]:
    return re.findall(r"^ *(\w+)\n *-{3,}$", doc, re.M)


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_numpy_style_docstring(name):
    obj = PUBLIC[name]
    doc = inspect.getdoc(obj) or ""
    sections = _sections(doc)
    is_class = inspect.isclass(obj)
    fn = obj.__init__ if is_class else obj
    try:
        params = [p for p in inspect.signature(fn).parameters if p not in ("self", "cls")]
    except (TypeError, ValueError):
        params = []
    expected = (["Parameters"] if params else []) + ([] if is_class else ["Returns"])
    if "Raises" in sections:  # optional, as in NumPy's standard: only what can be raised
        expected.append("Raises")
        raises = doc.split("Raises\n------\n")[1].split("\n\n")[0]
        assert not re.match(r"(Nothing|None)\b", raises), f"{name}: a Raises placeholder"
    expected += ["Examples"]
    if is_class and "Attributes" in sections:
        expected.insert(0, "Attributes")
    assert [s for s in sections if s in expected + ["Attributes"]] == expected, (
        f"{name}: sections {sections}, expected {expected}")
    assert ">>>" in doc.split("Examples")[-1], f"{name}: no example"
    summary = doc.split("\n\n")[0]
    assert summary and not summary.startswith(("Parameters", ">>>")), name
    if "Parameters" in sections:  # every parameter is described
        block = doc.split("Parameters\n----------\n")[1].split("\n\n")[0]
        listed = set(re.findall(r"^\*{0,2}(\w+)", block, re.M))
        for line in re.findall(r"^([\w, *]+) :", block, re.M):
            listed |= {p.strip(" *") for p in line.split(",")}
        missing = [p for p in params if p not in listed and p not in ("args", "kwargs", "kw")]
        assert not missing, f"{name}: parameters not described: {missing}"


def test_the_check_reads_sections():
    doc = "Sum.\n\nParameters\n----------\nx : int\n\nReturns\n-------\nint\n"
    assert _sections(doc) == ["Parameters", "Returns"]
    assert len(PUBLIC) > 150
