"""Sphinx extension: every ```python block of a Markdown page runs while the site is built,
in order, in one namespace per page (as tests/test_docs.py runs them), from a scratch
directory; a ```text (or untagged) block right after a python block shows that block's output,
and must be exactly what it prints. A failing block or a shown output the code does not
produce is a warning, so the build (``-W``) fails: no page shows what the code does not do.

Images a page shows come from its code: the scratch directory is ``_generated/<page>/``
under the source folder, so ``![graph](_generated/<page>/f.svg)`` shows a file a block wrote.
"""

from __future__ import annotations

import contextlib
import io
import os
import pathlib
import traceback
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)


def _normalize(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def _next_block(node: nodes.Element) -> nodes.Element | None:
    """The literal block right after ``node`` in its section, if that is the next node."""
    parent = node.parent
    index = parent.index(node)
    if index + 1 < len(parent.children):
        after = parent.children[index + 1]
        if isinstance(after, nodes.literal_block):
            return after
    return None


def run_page(app: Sphinx, doctree: nodes.document) -> None:
    docname = app.env.docname
    if not doctree["source"].endswith(".md"):
        return
    blocks = [n for n in doctree.findall(nodes.literal_block) if n.get("language") == "python"]
    if not blocks:
        return
    import numpy as np

    scratch = pathlib.Path(app.srcdir) / "_generated" / docname
    scratch.mkdir(parents=True, exist_ok=True)
    namespace: dict[str, Any] = {"__name__": f"docs_{docname.replace('/', '_')}"}
    old_dir = os.getcwd()
    old_print = np.get_printoptions()
    os.chdir(scratch)
    try:
        for block in blocks:
            code = block.astext()
            out = io.StringIO()
            # line numbers of the page in tracebacks: the code starts after the fence line
            code = "\n" * (block.line or 0) + code
            try:
                with contextlib.redirect_stdout(out), np.errstate(all="ignore"):
                    exec(compile(code, doctree["source"], "exec"), namespace)
            except Exception as e:
                shown_tb = traceback.format_exception(type(e), e, e.__traceback__.tb_next)
                logger.warning("python block failed:\n%s", "".join(shown_tb), location=block)
                return  # later blocks depend on this one
            shown = _next_block(block)
            if shown is not None and shown.get("language") in ("text", "none", "default", None):
                if _normalize(shown.astext()) != _normalize(out.getvalue()):
                    logger.warning("the text block after this python block is not its "
                                   "output; the code prints:\n%s", out.getvalue(),
                                   location=shown)
    finally:
        os.chdir(old_dir)
        np.set_printoptions(**old_print)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("doctree-read", run_page, priority=100)  # before images are collected
    return {"parallel_read_safe": False, "parallel_write_safe": True}
