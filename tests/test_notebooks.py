"""Hygiene of the committed notebooks: what a reader downloads and what the book shows."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
NOTEBOOKS = sorted(BOOK.glob("*.ipynb"))
CHAPTERS = sorted(BOOK.glob("[0-9][0-9]_*.ipynb"))  # the appendices are notebooks too
MAX_BYTES = 3 * 1024 * 1024
# Absolute paths of an author's machine that must never reach a published page.
ABSOLUTE_PATH = re.compile(
    r"(/home/[^/\s\"']+|/root/|/Users/[^/\s\"']+|/tmp/|/work/|/private/var/|[A-Za-z]:\\\\Users)"
)


def toc_files(entries: list[dict]) -> list[str]:
    files = []
    for entry in entries:
        if "file" in entry:
            files.append(entry["file"])
        for key in ("chapters", "sections", "parts"):
            files += toc_files(entry.get(key, []))
    return files


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(notebook: dict) -> list[dict]:
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def output_text(output: dict) -> str:
    if output["output_type"] == "stream":
        return "".join(output["text"])
    if output["output_type"] == "error":
        return "\n".join(output["traceback"])
    data = output.get("data", {})
    return "\n".join(
        "".join(value) if isinstance(value, list) else str(value)
        for mime, value in data.items()
        if mime.startswith("text/") or mime.endswith("json")
    )


@pytest.fixture(params=NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def notebook_path(request: pytest.FixtureRequest) -> Path:
    return request.param


def test_there_are_notebooks():
    assert NOTEBOOKS, "book/ holds no notebook"


def test_toc_lists_exactly_the_pages_in_book():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    listed = {toc["root"], *toc_files(toc.get("parts", []) + toc.get("chapters", []))}
    pages = {
        str(p.relative_to(ROOT).with_suffix(""))
        for p in [*BOOK.iterdir(), *(BOOK / "api").iterdir()]
        if p.suffix in (".ipynb", ".md")
    }
    assert listed == pages, f"in _toc.yml only: {listed - pages}; in book/ only: {pages - listed}"


def test_notebook_is_smaller_than_3_mb(notebook_path):
    assert notebook_path.stat().st_size < MAX_BYTES


def test_outputs_hold_no_error_traceback_or_stderr(notebook_path):
    for index, cell in enumerate(code_cells(load(notebook_path))):
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", f"cell {index} stored an error"
            assert "Traceback (most recent call last)" not in output_text(output), index
            assert output.get("name") != "stderr", f"cell {index} stored stderr output"


def test_outputs_and_metadata_hold_no_absolute_path(notebook_path):
    notebook = load(notebook_path)
    texts = [output_text(o) for cell in code_cells(notebook) for o in cell.get("outputs", [])]
    texts.append(json.dumps(notebook["metadata"]))
    for text in texts:
        match = ABSOLUTE_PATH.search(text) or (str(ROOT) in text and str(ROOT))
        assert not match, f"absolute path in stored output: {match}"


def test_cells_ran_once_in_order_in_one_kernel(notebook_path):
    cells = code_cells(load(notebook_path))
    counts = [cell["execution_count"] for cell in cells]
    assert counts == list(range(1, len(cells) + 1)), "re-execute with .ci/tasks.py execute"


def test_every_code_cell_has_nbclient_timing(notebook_path):
    for index, cell in enumerate(code_cells(load(notebook_path))):
        timing = cell["metadata"].get("execution", {})
        assert {"iopub.execute_input", "shell.execute_reply"} <= set(timing), index


def test_kernel_is_python3(notebook_path):
    assert load(notebook_path)["metadata"]["kernelspec"]["name"] == "python3"


def test_colab_setup_cell_clones_the_configured_repository(notebook_path):
    repository = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    first_code = "".join(code_cells(load(notebook_path))[0]["source"])
    assert "google.colab" in first_code
    assert f'"{repository}"' in first_code


def markdown_sources(notebook: dict) -> list[tuple[int, str]]:
    return [
        (index, "".join(cell["source"]))
        for index, cell in enumerate(notebook["cells"])
        if cell["cell_type"] == "markdown"
    ]


def test_every_exercise_has_a_checker_and_a_hidden_solution(notebook_path):
    notebook = load(notebook_path)
    cells = notebook["cells"]
    starts = {}
    for index, source in markdown_sources(notebook):
        match = re.search(r"```\{exercise-start\}.*\n:label: (\S+)", source)
        if match:
            starts[match.group(1)] = index
    for label, start in starts.items():
        end = next(
            i for i in range(start, len(cells)) if "{exercise-end}" in "".join(cells[i]["source"])
        )
        attempt = [c for c in cells[start:end] if c["cell_type"] == "code"]
        assert any("check." in "".join(c["source"]) for c in attempt), f"{label}: no checker"
        solutions = [
            source
            for _, source in markdown_sources(notebook)
            if re.search(r"```\{solution-start\} " + re.escape(label) + r"\n", source)
        ]
        assert len(solutions) == 1, f"{label}: expected one solution"
        assert ":class: dropdown" in solutions[0], f"{label}: solution is not hidden"


def test_exercise_answer_cells_show_nothing_until_the_reader_answers(notebook_path):
    """The cell that holds ``answer = None`` and its checker stores no output: the page shows
    the question, not a "Not yet" or anything else."""
    notebook = load(notebook_path)
    cells = notebook["cells"]
    inside = False
    for index, cell in enumerate(cells):
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            inside = ("{exercise-start}" in source or inside) and "{exercise-end}" not in source
            continue
        if inside and re.search(r"^answer\w* = None", source, re.M) and "check." in source:
            assert not cell.get("outputs"), f"cell {index}: an exercise's answer cell has output"


def test_chapters_have_exercises():
    assert CHAPTERS
    for path in CHAPTERS:
        labels = re.findall(r"\{exercise-start\}", path.read_text(encoding="utf-8"))
        assert 4 <= len(labels) <= 8, f"{path.name}: {len(labels)} exercises"


def test_glued_keys_used_in_the_prose_are_glued_in_the_notebook(notebook_path):
    notebook = load(notebook_path)
    used = {
        key
        for _, source in markdown_sources(notebook)
        for key in re.findall(r"\{glue:text\}`([A-Za-z0-9_]+)", source)
    }
    glued = {
        mime_key
        for cell in code_cells(notebook)
        for output in cell.get("outputs", [])
        for mime_key in [output.get("metadata", {}).get("scrapbook", {}).get("name")]
        if mime_key
    }
    assert used <= glued, f"used but never glued: {used - glued}"


# The glue keys each chapter's issue names: the prose of later work may rely on them.
REQUIRED_GLUE = {
    "01_convolution.ipynb": {"ch1_conv_params", "ch1_dense_params"},
    "02_padding_stride.ipynb": {"ch2_stride2_output"},
    "03_pooling.ipynb": {
        "ch3_invariance_max_1px",
        "ch3_invariance_avg_1px",
        "ch3_rf_mnist_model",
    },
    "04_first_convnet.ipynb": {
        "ch4_test_accuracy",
        "ch4_dense_test_accuracy",
        "ch4_params",
        "ch4_epochs_run",
    },
    "05_overfitting.ipynb": {
        "ch5_baseline_train_accuracy",
        "ch5_baseline_val_accuracy",
        "ch5_baseline_best_val_accuracy",
        "ch5_augmented_best_val_accuracy",
        "ch5_dropout_best_val_accuracy",
        "ch5_augdrop_best_val_accuracy",
        "ch5_augdrop_final_val_accuracy",
        "ch5_image_size",
        "ch5_epochs",
    },
    "06_visualization.ipynb": {
        "ch6_weights_std_init",
        "ch6_weights_std_trained",
        "ch6_dead_fraction_last",
    },
    "07_autoencoders.ipynb": {
        "ch7_ae_params",
        "ch7_ae_test_loss",
        "ch7_transpose_test_loss",
        "ch7_noisy_psnr",
        "ch7_denoised_psnr",
    },
    "08_lenet_gap_cam.ipynb": {
        "ch8_lenet_test_accuracy",
        "ch8_lenet_params",
        "ch8_modern_test_accuracy",
        "ch8_flatten_params",
        "ch8_gap_params",
        "ch8_flatten_test_accuracy",
        "ch8_gap_test_accuracy",
        "ch8_cam_pointing_accuracy",
        "ch8_gradcam_pointing_accuracy",
        "ch8_random_pointing_baseline",
    },
}


@pytest.mark.parametrize(("name", "keys"), sorted(REQUIRED_GLUE.items()))
def test_chapters_glue_their_named_results(name, keys):
    notebook = load(BOOK / name)
    glued = {
        output.get("metadata", {}).get("scrapbook", {}).get("name")
        for cell in code_cells(notebook)
        for output in cell.get("outputs", [])
    }
    assert keys <= glued


# Time budgets in full mode, from the issues: the stored nbclient timing of the committed run.
BOOK_BUDGET_SECONDS = 40 * 60
CHAPTER_BUDGET_SECONDS = {"05_overfitting.ipynb": 20 * 60}


def stored_seconds(path: Path) -> float:
    """How long the committed full run of a notebook took, from nbclient's cell timings."""
    total = 0.0
    for cell in code_cells(load(path)):
        timing = cell["metadata"].get("execution", {})
        start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
        if start and end:
            total += (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()
    return total


def test_the_whole_book_executed_within_its_budget():
    total = sum(stored_seconds(path) for path in NOTEBOOKS)
    assert 0 < total < BOOK_BUDGET_SECONDS, f"{total:.0f} s"


@pytest.mark.parametrize(("name", "budget"), sorted(CHAPTER_BUDGET_SECONDS.items()))
def test_chapter_executed_within_its_budget(name, budget):
    assert 0 < stored_seconds(BOOK / name) < budget


# The published pages (issue 20): figures fitted to the column, described, and no dead widgets.
COLUMN_PIXELS = 690
PICTURES = ("image/png", "image/jpeg")


def pictures(cell: dict) -> list[dict]:
    return [o for o in cell.get("outputs", []) if any(m in o.get("data", {}) for m in PICTURES)]


def test_no_notebook_stores_widget_state(notebook_path):
    assert "widgets" not in load(notebook_path)["metadata"]


def test_widget_outputs_stay_off_the_page(notebook_path):
    """The offline pages cannot run a widget: its output would be an empty box."""
    for index, cell in enumerate(code_cells(load(notebook_path))):
        views = [
            o for o in cell.get("outputs", [])
            if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
        ]  # fmt: skip
        if views:
            assert "remove-output" in cell["metadata"].get("tags", []), f"cell {index}"


def test_every_figure_is_drawn_for_the_column_and_described(notebook_path):
    for index, cell in enumerate(code_cells(load(notebook_path))):
        shown = pictures(cell)
        if not shown or "remove-output" in cell["metadata"].get("tags", []):
            continue
        alt = cell["metadata"].get("mystnb", {}).get("image", {}).get("alt", "")
        assert len(alt.split()) >= 4, f"cell {index}: no alt text that says what it shows"
        for output in shown:
            mime = next(m for m in PICTURES if m in output["data"])
            width = output.get("metadata", {}).get(mime, {}).get("width")
            assert width and width <= COLUMN_PIXELS, (
                f"cell {index}: a figure not stored by viz.book_style at the column's width"
            )


def test_each_chapter_has_one_thumbnail_for_the_front_page():
    for notebook in sorted(BOOK.glob("[0-9][0-9]_*.ipynb")):
        tagged = [
            cell for cell in load(notebook)["cells"]
            if "book-thumbnail" in cell["metadata"].get("tags", [])
        ]  # fmt: skip
        assert len(tagged) == 1 and pictures(tagged[0]), notebook.name
    front = [
        notebook.name for notebook in NOTEBOOKS for cell in load(notebook)["cells"]
        if "book-front" in cell["metadata"].get("tags", []) and pictures(cell)
    ]  # fmt: skip
    assert len(front) == 1, front
