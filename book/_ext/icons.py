"""The theme's icons as inline SVG, so that no page loads Font Awesome's 1.5 MB
script.

pydata-sphinx-theme draws about ten icons (menu, search, download, GitHub...) by
loading Font Awesome's JavaScript, which replaces each ``<i class="fa-solid
fa-bars">`` with an SVG once the page has run it: 1.45 MB of script for a phone
to parse before the buttons show. The same SVG paths are in that script; this
module copies the ones a page uses into the page at build time, and the script
is no longer loaded (``page_scripts`` drops its tag).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

# Font Awesome's packs in the script: `d("fab", {...})` defines the brands,
# "far" the regular and "fas" the solid icons. Each icon: name: [width, height,
# [aliases], "unicode", "path"].
_PACK_END = re.compile(r'd\("(fab|far|fas)",\w+\)')
_ICON = re.compile(
    r'(?:"([\w-]+)"|([A-Za-z_][\w]*)):'
    r'\[(\d+),(\d+),\[([^\]]*)\],"[0-9a-f]*","([^"]+)"\]'
)
# The class names that pick a pack, as the theme and its extensions write them.
_PACKS = {"fa-solid": "fas", "fas": "fas", "fa-regular": "far", "far": "far"}
_PACKS |= {"fa-brands": "fab", "fab": "fab"}
# An icon element: <i class="fa-solid fa-bars ..."></i> or <span class="fa-solid
# ..."></span>.
_ELEMENT = re.compile(
    r'<(i|span) class="([^"]*\bfa[bsr]?\b[^"]*'
    r'|[^"]*\bfa-(?:solid|regular|brands)\b[^"]*)"([^>]*)></\1>'
)


@lru_cache(maxsize=2)
def font_awesome_paths(
    script: Path,
) -> dict[tuple[str, str], tuple[int, int, str]]:
    """``{(pack, name): (width, height, path)}`` for every icon in Font
    Awesome's ``script``, aliases included."""
    text = script.read_text(encoding="utf-8")
    icons: dict[tuple[str, str], tuple[int, int, str]] = {}
    start = 0
    for end in _PACK_END.finditer(text):
        pack = end.group(1)
        for icon in _ICON.finditer(text, start, end.start()):
            name = icon.group(1) or icon.group(2)
            value = (int(icon.group(3)), int(icon.group(4)), icon.group(6))
            aliases = re.findall(r'"([a-z][\w-]*)"', icon.group(5))
            for key in (name, *aliases):
                icons.setdefault((pack, key), value)
        start = end.end()
    return icons


def inline_icons(
    text: str, icons: dict[tuple[str, str], tuple[int, int, str]]
) -> str:
    """``text`` with each Font Awesome ``<i>``/``<span>`` icon replaced by its
    SVG.

    The SVG keeps the element's classes and ``data-`` attributes (the
    colour-mode button shows one of three icons by ``data-mode``) and is hidden
    from screen readers: the button around it carries the name. An icon that is
    not found stays as it was.
    """

    def svg(match: re.Match[str]) -> str:
        classes = match.group(2).split()
        pack = next((_PACKS[c] for c in classes if c in _PACKS), "fas")
        names = [c.removeprefix("fa-") for c in classes if c.startswith("fa-")]
        found = next(
            (icons[(pack, n)] for n in names if (pack, n) in icons), None
        )
        if found is None:
            return match.group(0)
        width, height, path = found
        data = "".join(
            f" {a}" for a in re.findall(r'data-[\w-]+="[^"]*"', match.group(3))
        )
        kept = " ".join([*classes, "svg-inline--fa"])
        return (
            f'<svg class="{kept}"{data} aria-hidden="true" focusable="false" '
            'xmlns="http://www.w3.org/2000/svg" '
            f'viewBox="0 0 {width} {height}">'
            f'<path fill="currentColor" d="{path}"/></svg>'
        )

    return _ELEMENT.sub(svg, text)
