"""The written pages, made lighter and easier to use once Sphinx has written
them.

Each rewrite below fixes one thing the theme or an extension writes into every
page; each is a small function of the page's text, run on every page when the
build has finished:

* one copy of each script and of the viewport tag (sphinx-thebe and
  sphinx-togglebutton register their inline configuration twice in a full build:
  "Identifier 'THEBE_JS_URL' has already been declared"), no sphinx-thebe at all
  (the book launches Binder or Colab, not thebe);
* nothing render-blocking that the first screen does not need: the scripts are
  deferred, the small ``documentation_options.js`` is inlined, the stylesheets
  are one file without the rules that match nothing on the site (552 KB of the
  themes' CSS, 154 KB kept) and with its icon fonts cut to the icons it draws,
  the search index (150 KB) loads on the search page only, MathJax only on
  pages with math, when a formula nears the screen (``book.js`` typesets the
  formulas as they come near), and the theme's icons are inline SVG instead of
  Font Awesome's 1.45 MB script (``icons.py``);
* figures and animations: width and height given (no layout shift), figures
  lazy-loaded after the first, and on phones kept wide enough that their
  smallest text is at least 9 CSS px (``--phone-min``, see ``book.css``), in a
  box that scrolls sideways;
* names for screen readers: the code cells' "Show code cell source" bars say
  that (not "Toggle hidden content"), the navigation's section arrows name
  their chapter, the animation slider is labelled;
* a meta description, the title once (not "Book — Book" on the front page),
  the download menu's ".pdf" links to the whole book as a PDF (``python3
  .ci/tasks.py pdf``, which the site then holds) instead of printing the page,
  and ``index.html`` is a redirect with a title and a link.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import math
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import fontTools.subset
import fontTools.ttLib
import tinycss2
from icons import font_awesome_paths, inline_icons
from PIL import Image
from sphinx.application import Sphinx
from sphinx.config import Config

_HEAD = re.compile(r"<head>.*?</head>", re.S)
#: The whole book as one PDF, at the root of the site.
PDF_NAME = "cnn-executable.pdf"
#: Where ``python3 .ci/tasks.py pdf`` prints it, in the repository.
PDF_SOURCE = Path("_build", "pdf", PDF_NAME)
#: The Sphinx tag of a build whose site holds the PDF.
PDF_TAG = "book_pdf"
#: The smallest text a figure may show on a phone, in CSS pixels.
MIN_TEXT_PX = 9.0


def drop_duplicate_scripts(text: str) -> str:
    """``text`` without the repeated ``<script>`` and viewport ``<meta>`` lines
    of its head."""
    match = _HEAD.search(text)
    if match is None:
        return text
    seen: set[str] = set()
    kept = []
    viewport = False
    for line in match.group(0).split("\n"):
        tag = line.strip()
        if tag.startswith("<script") and tag.endswith("</script>"):
            if tag in seen:
                continue
            seen.add(tag)
        if '<meta name="viewport"' in tag:
            # The theme writes the title on the same line as the first one.
            for meta in re.findall(r'<meta name="viewport"[^>]*>', line):
                line = line.replace(meta, "" if viewport else meta, 1)
                viewport = True
            if not line.strip():
                continue
        kept.append(line)
    return text[: match.start()] + "\n".join(kept) + text[match.end() :]


_THEBE = re.compile(
    r"\s*<script>const THEBE_JS_URL[^\n]*</script>"
    r"|\s*<script [^>]*sphinx-thebe\.js[^>]*></script>"
    r"|\s*<link [^>]*sphinx-thebe\.css[^>]*/>"
    r'|\s*<script type="text/x-thebe-config">.*?</script>'
    r"|\s*<script>kernelName = [^<]*</script>",
    re.S,
)


def drop_thebe(text: str) -> str:
    """``text`` without sphinx-thebe's script, style and configuration (Jupyter
    Book loads it on every page; this book has no thebe button)."""
    return _THEBE.sub("", text)


_MATH = re.compile(r'class="math|\\\(|\\\[|\$\$')
_MATHJAX_CONFIG = re.compile(r"<script>(window\.MathJax = [^\n]*)</script>")
_MATHJAX = re.compile(
    r'\s*<script [^>]*src="([^"]*mathjax/[^"]*)"[^>]*></script>'
)


#: What MathJax's combined ``tex-chtml.js`` holds, as separate files: a phone
#: runs each in its own task (the combined file was one task of about a second
#: with a slowed CPU).
MATHJAX_COMPONENTS = [
    "input/tex",
    "output/chtml",  # (which loads its font, output/chtml/fonts/tex, itself)
    "ui/menu",
    "a11y/assistive-mml",
]


def load_mathjax_on_demand(text: str) -> str:
    """``text`` without MathJax (1.1 MB) if its body has no formula, and
    otherwise with MathJax's address on its configuration script, for
    ``book.js`` to load it when the first formula comes near the screen and to
    typeset the formulas as they come near (not the whole page at start-up).
    MathJax comes as its loader (``startup.js``) and the components of
    ``tex-chtml.js`` (:data:`MATHJAX_COMPONENTS`), which draw the same."""
    body = text[text.find("<body") :]
    script = _MATHJAX.search(text)
    config = _MATHJAX_CONFIG.search(text)
    if script is None or config is None:
        return text
    text = _MATHJAX.sub("", text)
    if not _MATH.search(body):
        return _MATHJAX_CONFIG.sub("", text)
    if not script.group(1).endswith("/tex-chtml.js"):
        raise ValueError(
            f"book.js expects MathJax's tex-chtml.js: {script.group(1)}"
        )
    startup = script.group(1).removesuffix("tex-chtml.js") + "startup.js"
    settings = json.loads(config.group(1).removeprefix("window.MathJax = "))
    settings["loader"] = {"load": MATHJAX_COMPONENTS}
    settings["startup"] = {**settings.get("startup", {}), "typeset": False}
    tag = f'<script id="book-mathjax" data-src="{startup}">'
    return text.replace(
        config.group(0),
        f"{tag}window.MathJax = {json.dumps(settings)}</script>",
    )


_SEARCH_SCRIPTS = re.compile(
    r'\s*<script src="[^"]*'
    r'(?:searchtools|language_data|searchindex)\.js"></script>'
)


def drop_search_scripts(text: str) -> str:
    """``text`` without the search index and its tools: the theme loads them on
    every page for search-as-you-type, which this book leaves off (the search
    button opens the search page)."""
    return _SEARCH_SCRIPTS.sub("", text)


def defer_scripts(text: str, documentation_options: str) -> str:
    """``text`` with every script of its head deferred, and Sphinx's
    ``documentation_options.js`` (which the inline scripts after it use at once)
    written into the page."""
    head = _HEAD.search(text)
    if head is None:
        return text
    inline = f"<script>{documentation_options.strip()}</script>"
    part = re.sub(
        r'<script src="[^"]*documentation_options\.js[^"]*"></script>',
        inline,
        head[0],
    )
    part = re.sub(
        r"<script (?![^>]*\b(?:defer|async)\b)"
        r'([^>]*(?<![\w-])src="[^"]*"[^>]*)>',
        r"<script defer \1>",
        part,
    )
    return text[: head.start()] + part + text[head.end() :]


_FONT_AWESOME = re.compile(
    r'\s*<script defer src="[^"]*scripts/fontawesome\.js[^"]*"></script>'
)


def use_inline_icons(
    text: str, icons: dict[tuple[str, str], tuple[int, int, str]]
) -> str:
    """``text`` with the theme's icons as inline SVG and no Font Awesome
    script."""
    return inline_icons(_FONT_AWESOME.sub("", text), icons)


_STYLESHEET = re.compile(
    r'\s*<link (?=[^>]*rel="stylesheet")[^>]*href="([^"]+)"[^>]*/?>'
)


def bundle_stylesheets(text: str, page: Path, outdir: Path) -> str:
    """``text`` with its stylesheets replaced by one file that holds them all,
    in their order (one request instead of ten, and no ``@import`` chain)."""
    head = _HEAD.search(text)
    if head is None:
        return text
    links = list(_STYLESHEET.finditer(head[0]))
    local = [m for m in links if not re.match(r"^[a-z]+:|//", m.group(1))]
    if len(local) < 2:
        return text
    files = [(page.parent / m.group(1).split("?")[0]).resolve() for m in local]
    bundle = _bundle(tuple(files), outdir)
    href = os.path.relpath(bundle, page.parent).replace(os.sep, "/")
    part = head[0]
    for m in local[1:]:
        part = part.replace(m.group(0), "", 1)
    part = part.replace(
        local[0].group(0), f'\n    <link rel="stylesheet" href="{href}" />', 1
    )
    return text[: head.start()] + part + text[head.end() :]


_BUNDLES: dict[tuple[tuple[Path, ...], Path], Path] = {}


def _bundle(files: tuple[Path, ...], outdir: Path) -> Path:
    known = _BUNDLES.get((files, outdir))
    if known is not None and known.is_file():
        return known  # (purge_bundles removes it when the pages are written)
    styles = outdir / "_static" / "styles"
    parts = [_css_for(file, styles) for file in files]
    joined = "\n".join(parts)
    name = f"bundle-{hashlib.sha256(joined.encode()).hexdigest()[:10]}.css"
    (styles / name).write_text(joined, encoding="utf-8")
    _BUNDLES[files, outdir] = styles / name
    return styles / name


def _css_for(file: Path, target: Path) -> str:
    """The text of stylesheet ``file``, its ``@import``s inlined and its
    ``url()``s relative to the folder ``target``."""
    text = file.read_text(encoding="utf-8")
    text = re.sub(r"/\*# sourceMappingURL=[^*]*\*/", "", text)

    def imported(match: re.Match[str]) -> str:
        return _css_for((file.parent / match.group(1)).resolve(), target)

    text = re.sub(r'@import\s+(?:url\()?"([^"]+)"\)?\s*;', imported, text)

    def moved(match: re.Match[str]) -> str:
        url = match.group(2)
        if re.match(r"^(?:[a-z]+:|/|#)", url):
            return match.group(0)
        new = os.path.relpath((file.parent / url).resolve(), target).replace(
            os.sep, "/"
        )
        return f"url({match.group(1)}{new}{match.group(1)})"

    return re.sub(r"url\((['\"]?)([^'\")]+)\1\)", moved, text)


def used_words(pages: list[Path]) -> frozenset[str]:
    """Every word (``[A-Za-z0-9_-]+``) of ``pages`` and of the scripts they
    load: any class or id a stylesheet rule could find on the site, in a page
    or added by a script, is one of them."""
    words: set[str] = set()
    scripts: set[Path] = set()
    for page in pages:
        text = page.read_text(encoding="utf-8")
        words.update(_WORD.findall(text))
        for src in re.findall(r'<script [^>]*(?<![\w-])src="([^"]+)"', text):
            if not re.match(r"^[a-z]+:|//", src):
                scripts.add((page.parent / src.split("?")[0]).resolve())
    for script in scripts:
        if script.is_file():
            words.update(_WORD.findall(script.read_text(encoding="utf-8")))
    return frozenset(words)


_WORD = re.compile(r"[A-Za-z0-9_-]+")


def _selector_matches_nothing(
    selector: list[Any], words: frozenset[str]
) -> bool:
    """Whether ``selector`` (tinycss2 tokens) asks for a class or an id that is
    not one of ``words``. Only its own classes and ids count: one inside
    ``:not()``, ``:is()`` or ``:has()`` may be absent and the selector match."""
    for before, token in zip([None, *selector], selector, strict=False):
        if (
            token.type == "hash"
            and token.is_identifier
            and token.value not in words
        ):
            return True
        if (
            token.type == "ident"
            and before is not None
            and before.type == "literal"
            and before.value == "."
            and token.value not in words
        ):
            return True
    return False


def purge_css(css: str, words: frozenset[str]) -> tuple[str, set[str]]:
    """``css`` without the selectors that match nothing on the site (a class or
    an id that no page and no script of the site names: Font Awesome's 2,000
    icon classes, most of Bootstrap), and without the rules and ``@media``
    blocks left empty; with the characters its strings hold (the icons that
    ``content:`` draws), for :func:`subset_fonts`. Everything else is kept as
    it was, in its order, so every element that was styled is styled alike."""
    characters: set[str] = set()

    def strings(tokens: list[Any] | None) -> None:
        for token in tokens or []:
            if token.type == "string":
                characters.update(token.value)
            elif hasattr(token, "arguments"):
                strings(token.arguments)
            elif hasattr(token, "content") and isinstance(token.content, list):
                strings(token.content)

    def rules(nodes: list[Any]) -> str:
        out = []
        for node in nodes:
            if node.type == "qualified-rule":
                selectors: list[list[Any]] = [[]]
                for token in node.prelude:
                    if token.type == "literal" and token.value == ",":
                        selectors.append([])
                    else:
                        selectors[-1].append(token)
                kept = [
                    tinycss2.serialize(s).strip()
                    for s in selectors
                    if not _selector_matches_nothing(s, words)
                ]
                if kept:
                    strings(node.content)
                    out.append(
                        ",".join(kept)
                        + "{"
                        + tinycss2.serialize(node.content)
                        + "}"
                    )
            elif node.type == "at-rule":
                keyword = node.lower_at_keyword
                if node.content is not None and keyword in (
                    "media",
                    "supports",
                    "layer",
                    "container",
                ):
                    inner = rules(
                        tinycss2.parse_rule_list(
                            node.content,
                            skip_comments=True,
                            skip_whitespace=True,
                        )
                    )
                    if inner:
                        prelude = tinycss2.serialize(node.prelude)
                        out.append(f"@{node.at_keyword}{prelude}{{{inner}}}")
                else:
                    strings(node.content)
                    out.append(tinycss2.serialize([node]).strip())
            elif node.type == "error":
                raise ValueError(f"unreadable CSS: {node.message}")
        return "\n".join(out)

    text = rules(
        tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    )
    # An icon's code point is written as the character: UTF-8, said first.
    return f'@charset "UTF-8";\n{text}', characters


_FONT_FACE = re.compile(r"@font-face\{[^}]*\}")
_FONT_SOURCES = re.compile(r"src:(url\([^;}]*)")


def subset_fonts(css: str, folder: Path, characters: set[str]) -> str:
    """``css`` with each web font of an ``@font-face`` (Font Awesome's: 156 KB
    for 1,400 icons) replaced by a subset that holds only the ``characters``
    its stylesheet draws (a few KB), written to ``folder``. A font that draws
    none of them is left as it was (a browser never fetches it)."""

    def subset(match: re.Match[str]) -> str:
        rule = match.group(0)
        sources = _FONT_SOURCES.search(rule)
        if sources is None:
            return rule
        files = [
            (folder / url).resolve()
            for url in re.findall(r"url\(['\"]?([^'\")]+)", sources.group(1))
        ]
        font = next(
            (f for f in files if f.suffix in (".ttf", ".otf") and f.is_file()),
            None,
        )
        if font is None:
            return rule
        options = fontTools.subset.Options()
        options.flavor = "woff"  # zlib (woff2 would need brotli)
        options.layout_features = ["*"]
        options.name_IDs = ["*"]
        options.notdef_outline = True
        with fontTools.ttLib.TTFont(font, recalcTimestamp=False) as loaded:
            drawn = sorted(
                ord(c) for c in characters if ord(c) in loaded.getBestCmap()
            )
            if not drawn:
                return rule
            subsetter = fontTools.subset.Subsetter(options)
            subsetter.populate(unicodes=drawn)
            subsetter.subset(loaded)
            out = io.BytesIO()
            loaded.flavor = "woff"
            loaded.save(out)
        data = out.getvalue()
        digest = hashlib.sha256(data).hexdigest()[:10]
        name = f"{font.stem}-{digest}.woff"
        (folder / name).write_bytes(data)
        return rule.replace(sources.group(1), f'url({name}) format("woff")')

    return _FONT_FACE.sub(subset, css)


def purge_bundles(outdir: Path, pages: list[Path]) -> None:
    """Each stylesheet bundle that ``pages`` link to, purged
    (:func:`purge_css`) and its fonts subset (:func:`subset_fonts`), under a
    new name (the hash of what it now holds) that the pages link to."""
    styles = outdir / "_static" / "styles"
    words = used_words(pages)
    renamed = {}
    for bundle in sorted(styles.glob("bundle-*.css")):
        if bundle.name.endswith(".min.css"):
            continue  # (purged by an earlier build into the same folder)
        css, characters = purge_css(bundle.read_text(encoding="utf-8"), words)
        css = subset_fonts(css, styles, characters)
        name = f"bundle-{hashlib.sha256(css.encode()).hexdigest()[:10]}.min.css"
        (styles / name).write_text(css, encoding="utf-8")
        renamed[bundle.name] = name
    if not renamed:
        return  # (no page was written anew: an earlier build purged them)
    # A page that an earlier build into the same folder wrote, and this one
    # did not, links to the bundle that build made: the one bundle now.
    only = (
        next(iter(renamed.values()))
        if len(set(renamed.values())) == 1
        else None
    )
    for page in pages:
        text = page.read_text(encoding="utf-8")
        new = re.sub(
            r"styles/(bundle-[0-9a-f]{10}(?:\.min)?\.css)",
            lambda m: f"styles/{renamed.get(m.group(1), only or m.group(1))}",
            text,
        )
        if new != text:
            page.write_text(new, encoding="utf-8")
    # What no page links to any more: the bundles as they were, and what
    # earlier builds wrote into the same folder.
    kept = set(renamed.values())
    fonts = {
        font
        for name in kept
        for font in re.findall(
            r"url\(([^)/]+\.woff)\)",
            (styles / name).read_text(encoding="utf-8"),
        )
    }
    for old in styles.glob("bundle-*.css"):
        if old.name not in kept:
            old.unlink()
    for old in styles.glob("*-" + "[0-9a-f]" * 10 + ".woff"):
        if old.name not in fonts:
            old.unlink()


@lru_cache(maxsize=512)
def _picture(path: Path) -> tuple[int, int, float | None]:
    with Image.open(path) as picture:
        dpi = picture.info.get("dpi")
        return picture.width, picture.height, float(dpi[0]) if dpi else None


_IMG = re.compile(r"<img ([^>]*?)\s*/?>")
_ARTICLE = re.compile(r'<article class="bd-article"')


def size_images(text: str, page: Path, smallest_points: float) -> str:
    """``text`` with each picture of its article sized (``width``/``height``, so
    the page does not jump as pictures arrive), lazy-loaded after the first,
    and, for a stored figure, the width below which its smallest text
    (``smallest_points`` at the picture's resolution) would be under
    :data:`MIN_TEXT_PX` on the page (``--phone-min``)."""
    start = _ARTICLE.search(text)
    if start is None:
        return text
    first = True

    def sized(match: re.Match[str]) -> str:
        nonlocal first
        attrs = match.group(1)
        src = re.search(r'src="([^"]+)"', attrs)
        if (
            src is None
            or re.match(r"^[a-z]+:", src.group(1))
            or "width=" in attrs
        ):
            return match.group(0)
        file = (page.parent / src.group(1)).resolve()
        if (
            file.suffix.lower()
            not in (".png", ".jpg", ".jpeg", ".gif", ".webp")
            or not file.is_file()
        ):
            return match.group(0)
        natural_w, natural_h, dpi = _picture(file)
        style = re.search(r'style="width: (\d+(?:\.\d+)?)px;?"', attrs)
        shown = float(style.group(1)) if style else float(natural_w)
        height = round(shown * natural_h / natural_w)
        extra = f' width="{round(shown)}" height="{height}"'
        if style and dpi:
            points_px = (
                smallest_points * dpi / 72
            )  # the smallest text, in stored pixels
            phone_min = math.ceil(MIN_TEXT_PX * natural_w / points_px)
            if phone_min < shown:
                attrs = attrs.replace(
                    style.group(0),
                    f'style="width: {style.group(1)}px; '
                    f'--phone-min: {phone_min}px"',
                )
        extra += ' decoding="async"' + ("" if first else ' loading="lazy"')
        first = False
        return f"<img {attrs}{extra} />"

    return text[: start.start()] + _IMG.sub(sized, text[start.start() :])


_SECTIONS_TOGGLE = re.compile(
    r'(<a class="reference internal" href="[^"]*">'
    r"((?:(?!</a>).)*)</a><details[^>]*>)<summary>"
)


_ANIMATION = re.compile(r'<img (alt="[^"]*" )?id="(_anim_img\w+)">')
_FIRST_FRAME = re.compile(r'frames\[0\] = "data:image/png;base64,([^"]+)"')


def size_animations(text: str, smallest_points: float) -> str:
    """``text`` with each Matplotlib animation's picture (its frames are PNGs
    written into the page's script) sized like a stored figure: its width and
    height, and on phones at least as wide as keeps its smallest text at
    :data:`MIN_TEXT_PX` (``--phone-min``)."""

    def sized(match: re.Match[str]) -> str:
        frame = _FIRST_FRAME.search(text, match.end())
        if frame is None:
            return match.group(0)
        png = io.BytesIO(base64.b64decode(frame.group(1)))
        with Image.open(png) as picture:
            width, height = picture.size
            dpi = picture.info.get("dpi")
        text_px = smallest_points * (float(dpi[0]) if dpi else 72.0) / 72
        phone_min = math.ceil(MIN_TEXT_PX * width / text_px)
        style = f' style="--phone-min: {phone_min}px"' if phone_min > 0 else ""
        return (
            f'<img {match.group(1) or ""}id="{match.group(2)}" '
            f'width="{width}" height="{height}"{style}>'
        )

    return _ANIMATION.sub(sized, text)


def name_controls(text: str) -> str:
    """``text`` with the code cells' toggles named by their visible text, the
    navigation's section toggles (an arrow) named after their chapter, and the
    animation slider labelled."""
    text = text.replace(
        '<summary aria-label="Toggle hidden content">', "<summary>"
    )

    def sections_of(match: re.Match[str]) -> str:
        title = html.unescape(re.sub(r"<[^>]+>", "", match.group(2))).strip()
        label = html.escape(f"Sections of {title}")
        return f'{match.group(1)}<summary aria-label="{label}">'

    text = _SECTIONS_TOGGLE.sub(sections_of, text)
    return re.sub(
        r'(<input id="_anim_slider\w+" type="range")',
        r'\1 aria-label="Animation frame"',
        text,
    )


_PRINT_BUTTON = re.compile(
    r'(<li>\s*)<button onclick="window\.print\(\)"\s+'
    r'class="([^"]*btn-download-pdf-button[^"]*)"'
    r'\s+title="Print to PDF"([^>]*)>(.*?)'
    r'<span class="btn__text-container">\.pdf</span>\s*</button>(\s*</li>)',
    re.S,
)


def link_the_pdf(text: str, page: Path, outdir: Path, offered: bool) -> str:
    """``text`` with the download menu's ".pdf" (the browser's print dialog)
    replaced by a link to the whole book as a PDF where the site has it
    (``offered``), and left out where it does not (a build without ``python3
    .ci/tasks.py pdf``): no reader follows a link to a missing file."""
    href = os.path.relpath(outdir / PDF_NAME, page.parent).replace(os.sep, "/")

    def entry(m: re.Match[str]) -> str:
        if not offered:
            return ""
        return (
            f'{m.group(1)}<a href="{href}" class="{m.group(2)}" '
            f'title="Download the whole book as a PDF"{m.group(3)}>{m.group(4)}'
            '<span class="btn__text-container">Book (.pdf)</span></a>'
            f"{m.group(5)}"
        )

    return _PRINT_BUTTON.sub(entry, text)


def describe(text: str, book_title: str) -> str:
    """``text`` with a meta description (its first paragraph, and the next ones
    while it is shorter than 80 characters, cut at 160) and its title once:
    "Title — Book", or "Book" alone on the front page (not "Book — Book")."""
    escaped = html.escape(book_title, quote=False)
    text = text.replace(
        f"<title>{escaped} &#8212; {escaped}</title>",
        f"<title>{escaped}</title>",
    )
    start = _ARTICLE.search(text)
    if start is None or '<meta name="description"' in text:
        return text
    words = ""
    for paragraph in re.finditer(r"<p>(.*?)</p>", text[start.start() :], re.S):
        said = html.unescape(re.sub(r"<[^>]+>", "", paragraph.group(1)))
        words = f"{words} {said}".strip()
        if len(words) >= 80:  # a short first paragraph says too little alone
            break
    words = re.sub(r"\s+", " ", words).strip()
    if not words:
        return text
    if len(words) > 160:
        words = words[:157].rsplit(" ", 1)[0] + "…"
    meta = f'<meta name="description" content="{html.escape(words)}" />'
    return text.replace(
        '<meta charset="utf-8" />', f'<meta charset="utf-8" />\n    {meta}', 1
    )


def redirect_page(target: str, book_title: str) -> str:
    """The site's ``index.html``: a redirect to ``target`` with a title and a
    link to follow."""
    title = html.escape(book_title)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8" />\n'
        f"<title>{title}</title>\n"
        '<meta name="viewport" '
        'content="width=device-width, initial-scale=1" />\n'
        f'<meta http-equiv="Refresh" content="0; url={target}" />\n'
        f'<link rel="canonical" href="{target}" />\n</head>\n'
        f'<body>\n<p><a href="{target}">{title}</a></p>\n</body>\n</html>\n'
    )


def smallest_figure_points(root: Path) -> float:
    """The smallest text size, in points, that the book's figures ask for: the
    ``fontsize=`` values of ``cnnlib`` and the notebooks, and the sizes of
    ``cnnlib.viz.BOOK_RC``."""
    sizes = []
    for file in [
        *(root / "cnnlib").glob("*.py"),
        *(root / "book").glob("*.ipynb"),
    ]:
        text = file.read_text(encoding="utf-8")
        sizes += re.findall(r"fontsize\s*=\s*(\d+(?:\.\d+)?)", text)
        sizes += re.findall(
            r'"(?:font\.size|[a-z]+\.(?:title|label)?size|legend\.fontsize)": '
            r"(\d+(?:\.\d+)?)",
            text,
        )
    return min(float(s) for s in sizes)


def one_menu_button(app: Sphinx, config: Config) -> None:
    """Workaround for pydata/pydata-sphinx-theme#2451 (open; remove when it is
    fixed): with the theme's own top bar, every page has two menu buttons and
    two page-contents buttons, and the theme gives its listener to the first of
    each, the hidden one, so neither button opens anything on a phone or a
    tablet, and the menu button does not fold the sidebar at 1280 px. An empty
    ``navbar_persistent`` leaves the top bar (hidden by sphinx-book-theme)
    empty: one button of each, the visible one, and the search button of the
    article's header."""
    config.html_theme_options = {
        **config.html_theme_options,
        "navbar_persistent": [],
    }


def offer_the_pdf(app: Sphinx) -> None:
    """Where ``python3 .ci/tasks.py pdf`` has printed the book (``_build/pdf/``
    of the repository), the HTML build copies the PDF into the site (an extra
    path of Sphinx) and sets the tag ``book_pdf``: the front page's button
    (``{only} book_pdf`` in ``book/intro.md``) and each page's download menu
    (:func:`link_the_pdf`) offer it. Without it they do not."""
    pdf = Path(app.srcdir) / PDF_SOURCE
    if app.builder.name == "html" and pdf.is_file():
        app.config.html_extra_path = [
            *app.config.html_extra_path,
            str(pdf.parent),
        ]
        app.tags.add(PDF_TAG)


def clean_pages(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.name != "html":
        return  # (the single page that the PDF prints keeps what Sphinx wrote)
    outdir = Path(app.outdir)
    static = outdir / "_static"
    icons = font_awesome_paths(static / "scripts" / "fontawesome.js")
    options = (static / "documentation_options.js").read_text(encoding="utf-8")
    points = smallest_figure_points(Path(app.srcdir))
    title = app.config.html_title or app.config.project
    pages = [
        page
        for page in outdir.rglob("*.html")
        if not page.relative_to(outdir).parts[0].startswith("_")
    ]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        if text.lstrip().startswith("<meta http-equiv"):
            continue  # index.html, rewritten below
        cleaned = drop_thebe(drop_duplicate_scripts(text))
        if page.name != "search.html":
            cleaned = defer_scripts(drop_search_scripts(cleaned), options)
        cleaned = load_mathjax_on_demand(cleaned)
        cleaned = use_inline_icons(cleaned, icons)
        cleaned = bundle_stylesheets(cleaned, page, outdir)
        cleaned = size_images(cleaned, page, points)
        cleaned = size_animations(cleaned, points)
        cleaned = name_controls(cleaned)
        cleaned = link_the_pdf(cleaned, page, outdir, app.tags.has(PDF_TAG))
        cleaned = describe(cleaned, title)
        if cleaned != text:
            page.write_text(cleaned, encoding="utf-8")
    purge_bundles(outdir, pages)
    index = outdir / "index.html"
    if index.is_file():
        redirect = re.match(
            r'\s*<meta http-equiv="Refresh" content="0; url=([^"]+)"',
            index.read_text(encoding="utf-8"),
        )
        if redirect:
            index.write_text(
                redirect_page(redirect.group(1), title), encoding="utf-8"
            )


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", one_menu_button)
    app.connect("builder-inited", offer_the_pdf)
    app.add_js_file("book.js", loading_method="defer")
    # After the other extensions (sphinx-external-toc writes index.html when the
    # build ends).
    app.connect("build-finished", clean_pages, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
