"""The HTML book builds with Sphinx warnings as errors, and shows what the chapters promise."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


# The `html` fixture (the book built once, with warnings as errors) is in conftest.py.
pytestmark = pytest.mark.book


def page(html: Path, name: str) -> str:
    return (html / "book" / f"{name}.html").read_text(encoding="utf-8")


def test_the_book_opens_on_the_introduction(html):
    assert "book/intro.html" in (html / "index.html").read_text(encoding="utf-8")
    assert "Convolutional Neural Networks, Executable" in page(html, "intro")


def test_every_stored_figure_is_on_the_page(html):
    for notebook in sorted((ROOT / "book").glob("*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        figures = sum(
            bool({"image/png", "image/jpeg"} & set(output.get("data", {})))
            for cell in cells
            if "remove-cell" not in cell["metadata"].get("tags", [])
            for output in cell.get("outputs", [])
        )
        shown = re.findall(r'<img [^>]*src="../_images/', page(html, notebook.stem))
        assert len(shown) == figures, notebook.name


def test_chapter_1_quotes_its_glued_numbers(html):
    chapter = page(html, "01_convolution")
    assert "16,981,120" in chapter  # ch1_dense_params, formatted by {glue:text}
    assert "53,066" in chapter  # ch1_param_ratio


def test_the_animation_plays_in_the_static_page(html):
    chapter = page(html, "01_convolution")
    assert "animation" in chapter and "<script" in chapter and "data:image/png;base64" in chapter


def test_solutions_are_hidden_and_exercises_numbered(html):
    chapter = page(html, "01_convolution")
    assert chapter.count('class="solution dropdown') == chapter.count('class="exercise')
    assert chapter.count('class="exercise') >= 4


def test_the_colab_setup_cell_is_not_shown(html):
    assert "google.colab" not in page(html, "01_convolution")


def test_launch_buttons_point_at_the_repository(html):
    chapter = page(html, "01_convolution")
    assert "colab.research.google.com/github/cnn-executable/cnn-executable" in chapter
    assert "mybinder.org/v2/gh/cnn-executable/cnn-executable" in chapter


def test_no_page_ships_widget_state_or_an_empty_widget_box(html):
    """The pages cannot run widgets; each explorer's static figure stands in for it."""
    for name in ("01_convolution", "02_padding_stride"):
        chapter = page(html, name)
        assert "application/vnd.jupyter.widget-state+json" not in chapter, name
        assert "application/vnd.jupyter.widget-view+json" not in chapter, name
        assert re.search(r"runs live when you open this chapter in\s+Jupyter", chapter), name


def test_citations_resolve_to_the_references_page(html):
    references = page(html, "references")
    assert "Gradient-based learning applied to document recognition" in references
    assert 'href="references.html#id' in page(html, "01_convolution")


def glued_values(notebook: dict) -> dict[str, object]:
    import ast

    values = {}
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                text = output["data"]["application/papermill.record/text/plain"]
                values[name] = ast.literal_eval(text)
    return values


@pytest.mark.parametrize("notebook", sorted((ROOT / "book").glob("*.ipynb")), ids=lambda p: p.name)
def test_every_glued_number_in_the_prose_is_on_the_page(html, notebook):
    content = json.loads(notebook.read_text(encoding="utf-8"))
    values = glued_values(content)
    prose = "".join(
        "".join(cell["source"]) for cell in content["cells"] if cell["cell_type"] == "markdown"
    )
    shown = page(html, notebook.stem)
    for key, spec in re.findall(r"\{glue:text\}`([A-Za-z0-9_]+):?([^`]*)`", prose):
        expected = format(values[key], spec)
        assert expected in shown, f"{key}: {expected!r} is not on the page"


def test_chapter_2_has_its_exercises_with_solutions(html):
    chapter = page(html, "02_padding_stride")
    assert chapter.count('class="exercise') == chapter.count('class="solution dropdown') >= 4


def test_chapters_carry_the_number_of_their_file_name(html):
    """book/NN_name is Chapter NN in its heading and in the navigation, even across a gap."""
    for notebook in sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb")):
        number = int(notebook.name[:2])
        chapter = page(html, notebook.stem)
        assert f'<h1><span class="section-number">{number}. </span>' in chapter, notebook.name
        assert re.search(rf'{notebook.stem}\.html">{number}\. ', page(html, "intro")), notebook.name
        assert f"Exercise {number}.1" in chapter, notebook.name


def public_names() -> list[str]:
    """Every public function and class defined in a cnnlib module, as ``cnnlib.module.name``."""
    import importlib
    import pkgutil

    import cnnlib
    import cnnlib.exercises

    modules = [f"cnnlib.{m.name}" for m in pkgutil.iter_modules(cnnlib.__path__)]
    modules += [
        f"cnnlib.exercises.{m.name}" for m in pkgutil.iter_modules(cnnlib.exercises.__path__)
    ]
    names = []
    for module_name in modules:
        if module_name.rsplit(".", 1)[1].startswith("_"):
            continue
        module = importlib.import_module(module_name)
        for name, value in vars(module).items():
            defined_here = getattr(value, "__module__", None) == module_name
            if not name.startswith("_") and defined_here and callable(value):
                names.append(f"{module_name}.{name}")
    return names


def test_the_api_reference_documents_every_public_function(html):
    pages = [page(html, f"api/{p.stem}") for p in sorted((ROOT / "book" / "api").glob("*.md"))]
    documented = set(re.findall(r'id="(cnnlib\.[A-Za-z0-9_.]+)"', "".join(pages)))
    names = public_names()
    assert len(names) > 100
    assert [name for name in names if name not in documented] == []


def test_glossary_terms_carry_korean_and_chapters_link_to_them(html):
    glossary = page(html, "glossary")
    for english, korean in [
        ("convolution", "합성곱"),
        ("feature map", "특성 맵"),
        ("receptive field", "수용 영역"),
        ("overfitting", "과대적합"),
        ("data augmentation", "데이터 증식"),
        ("global average pooling", "전역 평균 풀링"),
        ("class activation map", "클래스 활성화 맵"),
    ]:
        entry = re.search(rf'id="term-{english.replace(" ", "-")}".*?</dd>', glossary, re.S)
        assert entry and korean in entry.group(0), english
    for notebook in sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb")):
        assert 'href="glossary.html#term-' in page(html, notebook.stem), notebook.name


def test_the_keras_3_appendix_shows_the_table_and_the_new_calls(html):
    appendix = page(html, "appendix_keras3")
    for new in ("image_dataset_from_directory", "learning_rate", "matplotlib.colormaps", ".keras"):
        assert new in appendix, new
    assert "Argument(s) not recognized: {'lr': 0.001}" in appendix


def test_every_chapter_opens_with_its_goals_and_links_to_its_neighbours(html):
    for notebook in sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb")):
        chapter = page(html, notebook.stem)
        title = chapter.find("<h1")
        first_section = re.compile(r"<h2>[^\n]*headerlink").search(chapter, title)
        goals = chapter.find("What you will learn", title)
        assert first_section and 0 < goals < first_section.start(), f"{notebook.name}: no goals"
        assert 'class="left-prev"' in chapter and 'class="right-next"' in chapter, notebook.name


def test_every_page_states_the_two_licenses(html):
    for name in ("intro", "05_overfitting", "api"):
        footer = page(html, name).split("bd-footer-content", 1)[-1]
        assert "creativecommons.org/licenses/by-sa/4.0/" in footer, name
        assert "MIT" in footer, name
    license_text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "MIT License" in license_text and "CC BY-SA 4.0" in license_text
