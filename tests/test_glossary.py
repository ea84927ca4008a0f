"""The glossary (Appendix B) against the chapters.

Every term a page links is an entry; every entry gives its Korean term and names a chapter that
really uses the term; and where an entry says what the book does (which chapters decay the
learning rate, how early stopping ends, what "dead" means), the chapters' code and prose agree.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parents[1] / "book"
GLOSSARY = BOOK / "glossary.md"
PAGES = sorted(BOOK.glob("*.ipynb")) + sorted(BOOK.glob("*.md"))
CHAPTERS = {int(path.name[:2]): path for path in sorted(BOOK.glob("[0-9][0-9]_*.ipynb"))}
TERM_ROLE = re.compile(r"\{term\}`([^`]+)`")
# "Chapter 3", "Chapters 1, 5 and 7", "{doc}`Chapter 6 <06_visualization>`"
CHAPTER_NAMES = re.compile(r"Chapters?\s+((?:\d+(?:,\s*|\s+and\s+)?)+)")
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def glossary_entries() -> dict[tuple[str, ...], str]:
    """Each entry's names (a term and its synonyms) and its definition, as one line."""
    text = GLOSSARY.read_text(encoding="utf-8")
    body = text.split("```{glossary}", 1)[1].split("\n```", 1)[0]
    entries: dict[tuple[str, ...], str] = {}
    names: list[str] = []
    definition: list[str] = []
    for line in [*body.splitlines(), ""]:
        if line.startswith(":"):  # a directive option such as :sorted:
            continue
        if not line.strip():
            if names:
                entries[tuple(names)] = " ".join(definition)
            names, definition = [], []
        elif line.startswith("  "):
            definition.append(line.strip())
        else:
            names.append(line.strip())
    return entries


ENTRIES = glossary_entries()


def entry(name: str) -> str:
    """The definition of the entry that has `name` among its names."""
    matches = [text for names, text in ENTRIES.items() if name in names]
    assert len(matches) == 1, f"no single glossary entry named {name!r}"
    return matches[0]


def cell_sources(path: Path, kind: str) -> str:
    if path.suffix == ".md":
        return path.read_text(encoding="utf-8") if kind == "markdown" else ""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == kind)


def linked_terms(text: str) -> set[str]:
    """The glossary terms that {term} roles in `text` point to, lower-cased."""
    targets = set()
    for match in TERM_ROLE.finditer(text):
        content = match.group(1)
        explicit = re.search(r"<([^<>]+)>\s*$", content)  # {term}`shown text <target>`
        targets.add((explicit.group(1) if explicit else content).strip().lower())
    return targets


def uses(text: str, names: tuple[str, ...]) -> bool:
    """Whether `text` links one of `names` or writes it as a word (a plural counts)."""
    if linked_terms(text) & {name.lower() for name in names}:
        return True
    return any(
        re.search(rf"(?<![\w-]){re.escape(name)}(?:s|es)?(?![\w-])", text, re.IGNORECASE)
        for name in names
    )


def named_chapters(text: str) -> set[int]:
    return {
        int(number) for group in CHAPTER_NAMES.findall(text) for number in re.findall(r"\d+", group)
    }


def test_the_glossary_has_its_entries():
    assert len(ENTRIES) >= 40
    assert ("dead filter",) in ENTRIES and ("dark map",) in ENTRIES


@pytest.mark.parametrize("page", PAGES, ids=lambda path: path.name)
def test_every_term_a_page_links_is_a_glossary_entry(page):
    known = {name.lower() for names in ENTRIES for name in names}
    unknown = linked_terms(cell_sources(page, "markdown")) - known
    assert not unknown, f"{page.name} links terms the glossary lacks: {sorted(unknown)}"


@pytest.mark.parametrize("names", list(ENTRIES), ids=lambda names: names[0])
def test_every_entry_gives_its_korean_term_first(names):
    bracket = re.match(r"\(([^)]*)\)", ENTRIES[names])
    assert bracket and HANGUL.search(bracket.group(1)), f"{names[0]}: no (Korean term) first"


@pytest.mark.parametrize("names", list(ENTRIES), ids=lambda names: names[0])
def test_every_entry_names_a_chapter_that_uses_the_term(names):
    chapters = named_chapters(ENTRIES[names])
    assert chapters, f"the entry {names[0]!r} names no chapter"
    for number in sorted(chapters):
        assert number in CHAPTERS, f"{names[0]!r} names Chapter {number}, which does not exist"
        prose = cell_sources(CHAPTERS[number], "markdown")
        assert uses(prose, names), f"{names[0]!r} names Chapter {number}, whose prose never uses it"


def test_learning_rate_entry_names_the_chapters_that_decay_it_along_a_cosine():
    clauses = entry("learning rate").split(";")
    (constant,) = [clause for clause in clauses if "constant" in clause]
    (cosine,) = [clause for clause in clauses if "cosine" in clause]
    decaying = {n for n, path in CHAPTERS.items() if "CosineDecay" in cell_sources(path, "code")}
    assert named_chapters(cosine) == decaying
    for number in named_chapters(constant) - named_chapters(cosine):
        assert "CosineDecay" not in cell_sources(CHAPTERS[number], "code"), number
    training = {n for n, path in CHAPTERS.items() if ".fit(" in cell_sources(path, "code")}
    assert training <= named_chapters(constant) | named_chapters(cosine)


def test_early_stopping_entry_says_what_the_book_passes_to_keras():
    # Keras keeps the last epoch's weights unless told otherwise; the entry says the book does.
    assert "restore_best_weights=True" in entry("early stopping")
    sources = [cell_sources(path, "code") for path in CHAPTERS.values()]
    sources += [path.read_text(encoding="utf-8") for path in (BOOK.parent / "cnnlib").glob("*.py")]
    calls = [
        source[match.end() : source.find(")", match.end())]
        for source in sources
        for match in re.finditer(r"EarlyStopping\(", source)
    ]
    assert calls, "the book uses EarlyStopping somewhere"
    assert all("restore_best_weights=True" in arguments for arguments in calls), calls


def test_dead_means_a_filter_dark_on_every_training_input_and_a_dark_map_is_one_input():
    dead, dark = entry("dead filter"), entry("dark map")
    assert "every training input" in dead or "any training input" in dead
    assert "one input" in dark
    assert "dark map" in linked_terms(dead) and "dead filter" in linked_terms(dark)
    others = [names[0] for names, text in ENTRIES.items() if names != ("dead filter",)]
    assert not [
        name
        for name in others
        if re.search(r"\bdead\b", entry(name).replace("{term}`dead filter`", ""))
    ], "only the dead filter entry may call something dead"
