"""Make a chapter read in JupyterLab (with jupyterlab-myst) as it reads on its page.

Three idempotent changes to a notebook's JSON, which ``python3 .ci/tasks.py jupyter`` applies to
the stored notebooks, ``execute`` applies after each run, and tests/test_jupyterlab.py checks:

1. The prose's numbers: myst-nb's ``{glue:text}`name:.2f``` is unknown to jupyterlab-myst, so it
   becomes ``{eval}`runtime.glued("name:.2f")```, which both sides understand (the page through
   book/_ext/glued.py, from myst-nb's glue store, exactly as before).
2. Each Markdown cell that quotes a glued value gets the ``user_expressions`` metadata that
   jupyterlab-myst writes when it evaluates the cell in a kernel, computed from the values the
   notebook stores: the numbers show as soon as the notebook opens, without running anything.
3. Solutions folded: every cell between a ``solution-start`` and a ``solution-end`` Markdown cell
   gets ``"jupyter": {"source_hidden": true, "outputs_hidden": true}`` (Markdown cells:
   ``source_hidden``), which JupyterLab and Notebook 7 honour; Run All then shows no verdict under
   the question. The solution's text, in the ``solution-start`` cell, is a dropdown
   (``:class: dropdown``), closed in JupyterLab as on the page.

Needs ``cnnlib`` (run it with the interpreter of ``.venv/``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from cnnlib.runtime import GLUED_EXPRESSION, format_glued

GLUE_PREFIX = "application/papermill.record/"
#: myst-nb's role for a glued value's text: name, then an optional format spec.
GLUE_TEXT = re.compile(r"\{glue:text\}`(?P<name>[A-Za-z_]\w*(?::[^`\"]*)?)`")
EVAL = re.compile(r"\{eval\}`(?P<expression>[^`]*)`")
SOLUTION_START = re.compile(r"^(`{3,}|:{3,})\{solution-start\}", re.MULTILINE)
SOLUTION_END = re.compile(r"^(`{3,}|:{3,})\{solution-end\}", re.MULTILINE)
FOLDED_CODE = {"source_hidden": True, "outputs_hidden": True}
FOLDED_MARKDOWN = {"source_hidden": True}


def source(cell: dict[str, Any]) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else str(text)


def glued_values(notebook: dict[str, Any]) -> dict[str, str]:
    """The ``text/plain`` of every value the notebook's outputs glue, by name."""
    values = {}
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            text = output.get("data", {}).get(GLUE_PREFIX + "text/plain")
            if name and text is not None:
                values[name] = "".join(text) if isinstance(text, list) else text
    return values


def quote_with_eval(text: str) -> str:
    """``{glue:text}`name:spec``` -> ``{eval}`runtime.glued("name:spec")```.

    >>> quote_with_eval("a {glue:text}`ch1_loss:.2f` and {glue:text}`ch1_steps`")
    'a {eval}`runtime.glued("ch1_loss:.2f")` and {eval}`runtime.glued("ch1_steps")`'
    """
    return GLUE_TEXT.sub(lambda m: f'{{eval}}`runtime.glued("{m["name"]}")`', text)


def user_expressions(text: str, values: dict[str, str]) -> tuple[list[dict[str, Any]], list[str]]:
    """jupyterlab-myst's ``user_expressions`` for a Markdown cell's ``text``: one entry per
    ``{eval}`` in order, each as the kernel's reply would give it (ipykernel returns a string's
    repr as its text/plain, and jupyterlab-myst shows it without the quotes). Also returns the
    problems: an ``{eval}`` that is no ``runtime.glued(...)``, a name that nothing glues."""
    entries, problems = [], []
    for match in EVAL.finditer(text):
        expression = match["expression"]
        parsed = GLUED_EXPRESSION.fullmatch(expression)
        if parsed is None:
            problems.append(f'{{eval}}`{expression}` is not of the form runtime.glued("name")')
            continue
        if parsed["name"] not in values:
            problems.append(f"{parsed['name']!r} is quoted but no stored output glues it")
            continue
        shown = format_glued(values[parsed["name"]], parsed["spec"] or "s")
        result = {"status": "ok", "data": {"text/plain": repr(shown)}, "metadata": {}}
        entries.append({"expression": expression, "result": result})
    return entries, problems


def set_source(cell: dict[str, Any], text: str) -> None:
    """Store ``text`` as nbformat does: a list of lines, each but the last ending in a newline."""
    cell["source"] = text.splitlines(keepends=True) if isinstance(cell["source"], list) else text


def apply(notebook: dict[str, Any]) -> list[str]:
    """Apply the three changes to ``notebook`` in place; return the problems found."""
    values = glued_values(notebook)
    problems = []
    in_solution = False
    for index, cell in enumerate(notebook["cells"]):
        text = source(cell)
        if cell["cell_type"] == "markdown":
            new = quote_with_eval(text)
            if new != text:
                set_source(cell, new)
            entries, found = user_expressions(new, values)
            problems += [f"cell {index}: {problem}" for problem in found]
            if entries:
                cell["metadata"]["user_expressions"] = entries
            else:
                cell["metadata"].pop("user_expressions", None)
            if SOLUTION_START.search(new):
                in_solution = True
                continue
            if SOLUTION_END.search(new):
                in_solution = False
                continue
        if in_solution:
            folded = FOLDED_CODE if cell["cell_type"] == "code" else FOLDED_MARKDOWN
            cell["metadata"]["jupyter"] = {**cell["metadata"].get("jupyter", {}), **folded}
    return problems


def apply_to_file(path: Path) -> tuple[bool, list[str]]:
    """Read, change and write ``path`` in one go, keeping nbformat's layout (indent 1, a final
    newline); returns whether it changed and the problems found."""
    before = path.read_text(encoding="utf-8")
    notebook = json.loads(before)
    problems = apply(notebook)
    after = json.dumps(notebook, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    if after != before:
        path.write_text(after, encoding="utf-8")
    return after != before, problems
