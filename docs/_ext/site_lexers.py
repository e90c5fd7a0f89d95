"""Highlight the body of the site's own cell magics as Python.

IPython's lexer highlights the body of the cell magics it knows
(``%%time``, ``%%capture``, ...) as Python, and any other cell magic's body
as plain text. The porting page runs old code under Keras 2 with the magics
of ``tfopt_docs.legacy_keras`` (``%%tf_keras``, ``%%side_by_side``), whose
bodies are Python: this registers, under the same name ``ipython3``, IPython's
lexer with one rule more. TensorFlow-free, like all of docs/_ext.
"""

from __future__ import annotations

from ipython_pygments_lexers import IPython3Lexer
from pygments.lexer import bygroups, using
from pygments.lexers import Python3Lexer
from pygments.token import Keyword, Operator, Text
from sphinx.application import Sphinx

#: The cell magics whose body is Python (see src/tfopt_docs/legacy_keras.py).
PYTHON_CELL_MAGICS = ("tf_keras", "side_by_side")


class SiteIPython3Lexer(IPython3Lexer):
    """IPython 3 code, with the site's cell magics' bodies highlighted as Python."""

    tokens = {  # noqa: RUF012 (Pygments reads this class attribute; it is never mutated)
        **IPython3Lexer.tokens,
        "root": [
            (
                rf"(?s)(\s*)(%%)({'|'.join(PYTHON_CELL_MAGICS)})\b([^\n]*\n)(.*)",
                bygroups(Text, Operator, Keyword, Text, using(Python3Lexer)),
            ),
            *IPython3Lexer.tokens["root"],
        ],
    }


def setup(app: Sphinx) -> dict:
    app.add_lexer("ipython3", SiteIPython3Lexer)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
