"""Sphinx configuration of the ftrans documentation site (built by ``bash ci/docs.sh``).

Sphinx with MyST Markdown, as NumPy, SciPy and JAX use: the guides stay plain Markdown that
GitHub renders and tests/test_docs.py executes, and the API reference comes from the
docstrings (autodoc + napoleon, NumPy style). Every python block of every guide runs during
the build (``_ext/run_blocks.py``) and a ``text`` block right after one must be its output.
"""

from __future__ import annotations

import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

import ftrans  # noqa: E402  (the installed package: ci/docs.sh installs it)

project = "ftrans"
author = "the ftrans developers"
copyright = "the ftrans developers, MIT licence"
release = version = ftrans.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "run_blocks",  # runs the guides' python blocks, checks their shown output
    "api_pages",  # writes api/<module>.rst from each module's public names
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_generated", "**/.ipynb_checkpoints"]
templates_path = ["_templates"]

myst_heading_anchors = 4
myst_enable_extensions = ["colon_fence"]

autosummary_generate = False  # api_pages writes the pages; one page per module
autodoc_typehints = "none"  # signatures as written; parameter types are in the docstrings
autodoc_member_order = "bysource"
autodoc_default_options = {"undoc-members": False}
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_use_rtype = False
napoleon_use_ivar = True  # "Attributes" as fields: autodoc documents the members themselves

# -n: every cross-reference in text (:func:, :mod:, links) must resolve. Type names in
# parameter lists (array_like, int, optional, NumPy's types) are not linked: the build is
# offline, so there is no intersphinx inventory for Python and NumPy to resolve them against.
nitpicky = True
nitpick_ignore_regex = [("py:class", r".*"), ("py:obj", r"(optional|default).*"),
                        ("py:exc", r"numpy\..*")]  # NumPy's exceptions (AxisError)

html_theme = "alabaster"
html_title = f"ftrans {release}"
html_theme_options = {
    "description": "JAX-style function transformations of NumPy code",
    "fixed_sidebar": True,
    "page_width": "1100px",
    "sidebar_width": "240px",
}
html_static_path: list[str] = []
