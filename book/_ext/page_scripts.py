"""Keep one copy of each script in a page's ``<head>``, and let a reader open
each figure at full size.

sphinx-thebe and sphinx-togglebutton (which Jupyter Book loads even
though this book uses neither thebe nor their settings) register their
inline configuration scripts twice in a full build, so every page
declared ``const THEBE_JS_URL`` twice and the browser reported
"Identifier 'THEBE_JS_URL' has already been declared". The duplicates
differ only in their priority, and Sphinx's ``html-page-context`` event
stops at the first handler that picks a template, so this extension
removes them from the written pages instead, once the build has
finished.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

_HEAD = re.compile(r"<head>.*?</head>", re.S)


def drop_duplicate_scripts(text: str) -> str:
    """``text`` without the repeated ``<script>`` lines of its head."""
    match = _HEAD.search(text)
    if match is None:
        return text
    seen: set[str] = set()
    kept = []
    for line in match.group(0).split("\n"):
        tag = line.strip()
        if tag.startswith("<script") and tag.endswith("</script>"):
            if tag in seen:
                continue
            seen.add(tag)
        kept.append(line)
    return text[: match.start()] + "\n".join(kept) + text[match.end() :]


# A figure a notebook stored: myst-nb gives it the width to show it at.
_FIGURE = re.compile(
    r'<img [^>]*src="(\.\./_images/[^"]+)"[^>]*style="width: [^>]*>'
)


def link_figures(text: str) -> str:
    """``text`` with each stored figure wrapped in a link to its image file.

    A figure is drawn at twice the pixels it is shown at; on a phone, where it
    is shrunk to the screen, a tap opens it at full size to zoom in.
    """
    return _FIGURE.sub(
        lambda m: (
            f'<a class="figure-zoom" href="{m.group(1)}" '
            f'title="Open the figure at full size">{m.group(0)}</a>'
        ),
        text,
    )


def clean_pages(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        cleaned = link_figures(drop_duplicate_scripts(text))
        if cleaned != text:
            page.write_text(cleaned, encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("build-finished", clean_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
