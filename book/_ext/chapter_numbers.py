"""Chapter numbers from the file names: ``book/07_autoencoders`` is Chapter 7.

Sphinx numbers the chapters of a numbered toctree 1, 2, 3, ... in order. The
book's chapters have fixed numbers (the outline, and the prose says "Chapter
2"), and a chapter that is not finished is left out of ``_toc.yml``; without
this extension the chapters after such a gap would be numbered wrongly. After
Sphinx assigns the numbers, this shifts every number of a document whose file
name starts with digits and an underscore (its sections, figures, exercises and
its entry in the navigation) so that its chapter number is that prefix.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

_PREFIX = re.compile(r"(?:^|/)(\d+)_[^/]+$")


def chapter_number(docname: str) -> int | None:
    """The number at the start of a document's file name, or None."""
    match = _PREFIX.search(docname)
    return int(match.group(1)) if match else None


def _shifted(number: Any, shift: int) -> Any:
    if not number:
        return number
    return type(number)([number[0] + shift, *number[1:]])


def renumber(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Shift each numbered chapter's numbers to its file name's number."""
    changed = []
    for docname, numbers in list(env.toc_secnumbers.items()):
        wanted, current = chapter_number(docname), numbers.get("")
        if wanted is None or not current or current[0] == wanted:
            continue
        shift = wanted - current[0]
        env.toc_secnumbers[docname] = {
            key: _shifted(n, shift) for key, n in numbers.items()
        }
        for reference in env.tocs[docname].findall(nodes.reference):
            reference["secnumber"] = _shifted(reference.get("secnumber"), shift)
        title = env.titles.get(docname)
        if title is not None:
            title["secnumber"] = _shifted(title.get("secnumber"), shift)
        for figtype, figures in env.toc_fignumbers.get(docname, {}).items():
            env.toc_fignumbers[docname][figtype] = {
                key: _shifted(n, shift) if len(n) > 1 else n
                for key, n in figures.items()
            }
        changed.append(docname)
    return changed


def setup(app: Sphinx) -> dict[str, Any]:
    # After Sphinx's TocTreeCollector (priority 500) has assigned the numbers.
    app.connect("env-get-updated", renumber, priority=900)
    return {
        "version": "1.0",
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
