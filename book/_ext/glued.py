"""The ``{eval}`` role on the book's pages.

The chapters quote a stored number as ``{eval}`runtime.glued("name:.2f")```,
which jupyterlab-myst evaluates in JupyterLab. On the page it shows what
myst-nb's ``{glue:text}`name:.2f``` shows (the same node, from the same glue
store), so one text serves the notebook and the page (see
cnnlib.runtime.GLUED_EXPRESSION).

myst-nb's own ``eval`` role needs a kernel at build time, and the book executes
nothing: any other expression is a build warning.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from myst_nb.ext.glue.roles import PasteTextRole
from myst_nb.ext.glue.utils import glue_warning
from sphinx.application import Sphinx

from cnnlib.runtime import GLUED_EXPRESSION


class GluedRole(PasteTextRole):
    """``{eval}`runtime.glued("name:spec")``` as ``{glue:text}`name:spec```."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        parsed = GLUED_EXPRESSION.fullmatch(self.text)
        if parsed is None:
            message = (
                f"{{eval}}`{self.text}`: the book quotes stored values as "
                'runtime.glued("name")'
            )
            return [], [glue_warning(message, self.document, self.line)]
        spec = parsed["spec"]
        self.text = parsed["name"] + (f":{spec}" if spec else "")
        return super().run()


def setup(app: Sphinx) -> dict[str, Any]:
    # A local extension loads after myst-nb, whose `eval` role this replaces.
    app.add_role("eval", GluedRole(), override=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
