"""Sphinx configuration of tfopt_docs.

Build with ``sphinx-build -c . docs OUT`` (the Makefile does), once per
language: ``-D language=zh_CN`` selects the Chinese translation. Everything
language-dependent is set in ``site_helpers.on_config_inited``, because ``-D``
overrides are applied after this file runs.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "docs" / "_ext"))
import build_environment  # noqa: E402  (docs/_ext, TensorFlow-free)
import site_downloads  # noqa: E402  (docs/_ext: the wheel on the site, install notes)
import site_versions  # noqa: E402  (docs/_ext: TensorFlow and Keras versions, from the installed packages)

project = "tfopt_docs"
author = "tfopt_docs contributors"
copyright = "2026, tfopt_docs contributors"
#: The footer's copyright holder in other languages (site_helpers sets it per language).
site_copyright = {"zh_CN": "2026，tfopt_docs 贡献者"}
language = "en"

extensions = [
    "myst_nb",
    "sphinx_gallery.gen_gallery",
    "sphinx.ext.doctest",
    "sphinx.ext.mathjax",
    "sphinx_copybutton",
    "site_helpers",  # docs/_ext: language switcher, root redirect, jieba dictionary, offline MathJax
    "site_downloads",  # docs/_ext: builds the wheel, serves it under _downloads/tfopt_docs/
    "site_lexers",  # docs/_ext: %%tf_keras and %%side_by_side cells highlighted as Python
    "read_order",  # docs/_ext: with -j, chunks of pages that cost the same (execution_seconds.json)
    "gallery_workers",  # docs/_ext: sphinx-gallery's worker processes end with the gallery
    "kernel_forkserver",  # docs/_ext: page kernels forked from one process that has imported TensorFlow
]

root_doc = "index"
# templates_path and html_static_path are relative to this file's folder (the
# configuration dir, -c .); exclude_patterns, the gallery's folders and
# locale_dirs below are relative to the source dir, docs/.
templates_path = ["docs/_templates"]
html_static_path = ["docs/_static"]
exclude_patterns = [
    "_build",
    "**/.ipynb_checkpoints",
    # sphinx-gallery writes .ipynb downloads next to its .rst pages; myst-nb
    # would otherwise read them as a second copy of every example.
    "auto_examples/**/*.ipynb",
    "auto_examples/**/*.py",
    "auto_examples/**/*.zip",
    "auto_examples/**/*.md5",
]
nitpicky = True

# --- MyST / myst-nb -------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist", "substitution"]
# The versions pages state ("TensorFlow {{ tf_version }}") come from the installed
# packages, so bumping the lock file updates the site and leaves the catalogs
# as they are; gallery examples (rST) write |tf_version| (docs/_ext/site_versions.py).
myst_substitutions = site_versions.myst_substitutions()
rst_epilog = site_versions.rst_epilog(myst_substitutions)
extensions.append("site_versions")  # and the gallery's tooltips and every download state them
myst_heading_anchors = 3
nb_execution_mode = "cache"
# One absolute cache for both languages: the Chinese build reuses the
# English build's execution.
nb_execution_cache_path = str(ROOT / "_build" / ".jupyter_cache")
nb_execution_timeout = 300
nb_execution_raise_on_error = True  # a failing cell fails the build
nb_execution_show_tb = True
nb_ipywidgets_js = {}  # no widget scripts from a CDN
nb_merge_streams = True
nb_output_stderr = "warn"  # anything a cell writes to stderr fails the build
# TensorFlow's start-up lines are filtered out in this process (gallery) and in
# every kernel, and the kernels inherit the build's environment.
build_environment.configure_build()

# --- sphinx-gallery ---------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # Paths relative to conf.py; a new group must be added here, or the build stops.
    "subsection_order": [
        "../examples/getting_started",
        "../examples/autodiff",
        "../examples/optimizers",
        "../examples/schedules",
    ],
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    "reset_modules": ("matplotlib", "gallery_reset.reset_example"),
    "remove_config_comments": True,
    "show_signature": False,
    # The run time changes every build; it would land in the .po catalogs.
    "min_reported_time": float("inf"),
    # The execution-times page loads jQuery and DataTables from CDNs.
    "write_computation_times": False,
    "matplotlib_animations": True,
    "backreferences_dir": None,
    "capture_repr": (),  # show what examples print, not the repr of a last expression
    # Examples run in worker processes, one per core; each imports TensorFlow once
    # for all its examples. An example waits for nothing but its own computation,
    # so a worker more (as Sphinx's -j has) only adds an import: 38 s against 44 s
    # for the gallery on 2 cores, mean of three pairs.
    "parallel": os.cpu_count() or 1,
    # Downloaded notebooks run outside the repository: say what to install, from where.
    "first_notebook_cell": site_downloads.notebook_first_cell(),
}

# --- doctest --------------------------------------------------------------
doctest_global_setup = "import numpy as np"
doctest_default_flags = 0x4 | 0x8  # NORMALIZE_WHITESPACE | ELLIPSIS, as in pytest

# --- HTML -----------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = "tfopt_docs"
html_css_files = ["tfopt.css"]
mathjax_path = "mathjax/tex-chtml.js"  # copied into _static by site_helpers: no CDN
html_theme_options = {
    "navbar_end": ["lang-switcher", "theme-switcher"],
    # Five sections and "More" (the gallery and About) keep the navbar on one
    # row at 1280 px, in both languages (tests/site/test_browser.py).
    "header_links_before_dropdown": 4,
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"index": []}
html_last_updated_fmt = None
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True

# --- in the browser (docs/_ext/site_browser.py; checked by tests/site/test_browser.py) ---
# MathJax where navigation shows math, alt text, Unicode math in tooltips and
# titles, the page-as-notebook download, a favicon, and the theme's colour mode
# set (without a default the theme logs an error on a reader's first visit).
extensions.append("site_browser")
html_favicon = "docs/_static/favicon.svg"
html_js_files = ["site_browser.js"]
html_context = {"default_mode": "auto"}
html_theme_options["article_header_end"] = ["page-downloads"]

# --- translation ------------------------------------------------------------
locale_dirs = ["../locale/"]  # relative to the source dir
gettext_compact = False  # one catalog per page
gettext_uuid = False
gettext_location = False  # keeps the catalogs stable when lines move

#: Languages built, in switcher order: (code, label). site_helpers reads it.
site_languages = [("en", "English"), ("zh_CN", "简体中文")]
#: Source of the term pairs; the Chinese column and the aliases feed jieba's user
#: dictionary, and site_helpers adds the aliases to the Chinese search index.
site_glossary_csv = "reference/glossary.csv"
