"""Bibliography labels in author-year form, as the citations in the text are.

sphinxcontrib-bibtex's ``author_year`` reference style writes a citation as
"LeCun *et al.*, 1998", but its default bibliography labels entries in the
``alpha`` form, "[LBBH98]", which a reader cannot match with the text. This
extension registers the pybtex style ``author_year``: entries sorted by author
and year, each labelled as the text cites it, "[LeCun et al., 1998]"; two
entries that would share a label get "1998a" and "1998b".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from pybtex.database import Entry, Person
from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle
from sphinx.application import Sphinx


def surname(person: Person) -> str:
    """A person's surname as plain text: "van den Oord", "LeCun", "Léon"."""
    latex = " ".join(person.prelast_names + person.last_names)
    return str(Text.from_latex(latex).render_as("text"))


def author_year(entry: Entry) -> str:
    """ "Chollet, 2021", "Zeiler and Fergus, 2014" or "LeCun et al., 1998"."""
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [surname(p) for p in people]
    if len(names) == 0:
        who = str(entry.fields.get("title", entry.key))
    elif len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabels(BaseLabelStyle):
    """Labels as the text cites the entries; a, b, ... where two would clash."""

    def format_labels(self, sorted_entries: Iterable[Entry]) -> Iterator[str]:
        entries = list(sorted_entries)
        labels = [author_year(entry) for entry in entries]
        counts = Counter(labels)
        seen: Counter[str] = Counter()
        for label in labels:
            if counts[label] > 1:
                yield f"{label}{'abcdefghijklmnopqrstuvwxyz'[seen[label]]}"
                seen[label] += 1
            else:
                yield label


class AuthorYearStyle(UnsrtStyle):
    """pybtex's ``unsrt`` entries, by author and year, labelled author-year."""

    default_label_style = AuthorYearLabels
    default_sorting_style = "author_year_title"


register_plugin("pybtex.style.formatting", "author_year", AuthorYearStyle)


def setup(app: Sphinx) -> dict[str, Any]:
    return {"parallel_read_safe": True, "parallel_write_safe": True}
