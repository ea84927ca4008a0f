"""The whole book as one PDF: Chromium prints the single-page build.

``python3 .ci/tasks.py pdf`` builds the book as one HTML page (Sphinx's
``singlehtml`` builder, from the stored notebooks; nothing is executed) and
runs this script, which opens that page in Debian's Chromium through Playwright
and prints it. Before printing it lays the page out as a book: every folded
code cell open and its "Show code cell source" bar gone, each chapter's
solutions gathered at its end under "Solutions", each chapter on a new page,
and every figure loaded. Chromium is already what the site test uses, so the
PDF needs no TeX installation (several hundred MB in CI), and it looks like the
web pages: the same figures, code highlighting and formulas.

    python book/_ext/book_pdf.py _build/singlehtml book.pdf

As a Sphinx extension (``_config.yml``), it lets that single-page build write
what the HTML build writes.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path
from typing import Any

BROWSERS = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
)

# A chapter or appendix of the single page: Sphinx marks where each document
# begins.
CHAPTERS = 'span[id^="document-"] + section'

# The page, laid out for paper (run in the browser before printing).
PREPARE = """
async (CHAPTERS) => {
  // Every figure loaded, every formula typeset and its fonts in.
  const images = Array.from(document.images);
  images.forEach(i => { i.loading = "eager"; });
  await Promise.all(images.map(i => i.decode().catch(() => null)));
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  await document.fonts.ready;
  // Folded code cells open, without their bars (hidden: a details element
  // without a summary shows the browser's own, "Details").
  document.querySelectorAll("details").forEach(d => { d.open = true; });
  document.querySelectorAll("details > summary")
    .forEach(s => { s.style.display = "none"; });
  // Solutions shown, gathered at the end of their chapter.
  document.querySelectorAll(".toggle-hidden")
    .forEach(e => e.classList.remove("toggle-hidden"));
  document.querySelectorAll("button.toggle-button").forEach(b => b.remove());
  const units = Array.from(document.querySelectorAll(CHAPTERS))
    .filter(unit => unit.parentElement.closest(CHAPTERS) === null);
  const parts = [];
  units.forEach(chapter => {
    chapter.style.breakBefore = "page";
    const solutions = Array.from(chapter.querySelectorAll(".solution"));
    if (!solutions.length) return;
    const part = document.createElement("section");
    part.className = "book-solutions";
    part.style.breakBefore = "page";
    const heading = document.createElement("h3");
    const number = chapter.querySelector("h2 .section-number");
    const chapterNumber =
      number && number.textContent.trim().replace(/\\.$/, "");
    heading.textContent = chapterNumber
      ? `Solutions to Chapter ${chapterNumber}` : "Solutions";
    part.appendChild(heading);
    solutions.forEach(s => part.appendChild(s));
    chapter.appendChild(part);
    parts.push(`${heading.textContent}: ${solutions.length}`);
  });
  return {images: images.length, chapters: units.length, solutions: parts};
}
"""

MARGINS = {"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"}
FOOTER = (
    '<div style="font-size: 8px; width: 100%; text-align: center; '
    'color: #555;">'
    '<span class="pageNumber"></span></div>'
)


def page_to_print(folder: Path) -> Path:
    """The single-page build in ``folder`` as a page at its root, ``book.html``.

    Sphinx writes the page as the root document (``book/intro.html``) but with
    its addresses relative to the folder, and links within it as links to
    ``book/intro.html#...``: at the root, with those made ``#...``, its styles
    and figures load and its cross-references stay inside the PDF.
    """
    redirect = (folder / "index.html").read_text(encoding="utf-8")
    found = re.search(r'url=([^"]+)"', redirect)
    root = found.group(1) if found else "index.html"
    text = (folder / root).read_text(encoding="utf-8")
    text = text.replace(f'href="{root}#', 'href="#')
    page = folder / "book.html"
    page.write_text(text, encoding="utf-8")
    return page


def print_book(folder: Path, pdf: Path) -> dict[str, Any]:
    """Print the single-page build in ``folder`` to ``pdf``; what was laid
    out."""
    from playwright.sync_api import sync_playwright

    page = page_to_print(folder)
    executable = next((f for n in BROWSERS if (f := shutil.which(n))), None)
    if executable is None:
        raise SystemExit("the PDF needs Chromium: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu"],
        )
        tab = browser.new_page(viewport={"width": 900, "height": 1200})
        tab.goto(page.resolve().as_uri(), wait_until="load")
        laid_out = tab.evaluate(PREPARE, CHAPTERS)
        tab.emulate_media(media="print")
        pdf.parent.mkdir(parents=True, exist_ok=True)
        tab.pdf(
            path=str(pdf),
            format="A4",
            margin=MARGINS,
            print_background=True,
            display_header_footer=True,
            header_template="<div></div>",
            footer_template=FOOTER,
            outline=True,
            tagged=True,
        )
        browser.close()
    return dict(laid_out)


def html_nodes_in_one_page(app: Any) -> None:
    """The single-page build writes every node the HTML build writes.

    Sphinx gives a builder the HTML handlers of extension nodes only when no
    extension registered a handler under the builder's own name; one does for
    ``singlehtml``, so sphinx-design's cards and buttons would stop it
    ("unknown node type: PassthroughTextElement")."""
    if app.builder.name != "singlehtml":
        return
    handlers = app.registry.translation_handlers
    one_page = handlers.setdefault("singlehtml", {})
    for node, pair in handlers.get("html", {}).items():
        one_page.setdefault(node, pair)


def setup(app: Any) -> dict[str, Any]:
    app.connect("builder-inited", html_nodes_in_one_page)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    done = print_book(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"{sys.argv[2]}: {done}")
