"""The chapters in the reader's hands: JupyterLab (with jupyterlab-myst) shows each one as the book
does. The notebooks' form is checked from their JSON; then Chapters 1 and 5 are opened in a real
JupyterLab, started from this environment on a free local port, in headless Chromium.

Screenshots: _build/screenshots/jupyterlab/.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cnnlib import runtime

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))
SCREENSHOTS = ROOT / "_build" / "screenshots" / "jupyterlab"
CHROMIUM = Path("/usr/bin/chromium")


def jupyter_view() -> Any:
    sys.path.insert(0, str(ROOT / ".ci"))
    try:
        import jupyter_view as module
    finally:
        sys.path.remove(str(ROOT / ".ci"))
    return module


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell: dict[str, Any]) -> str:
    return "".join(cell["source"])


# --- The notebooks' form -------------------------------------------------------------------------

RERUN = "run `python3 .ci/tasks.py jupyter` (or execute the notebook)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_prose_quotes_numbers_in_the_form_jupyterlab_shows(path):
    """myst-nb's {glue:text} shows its raw markup in JupyterLab: every number is quoted as
    {eval}`runtime.glued("name")` (see cnnlib.runtime.GLUED_EXPRESSION)."""
    prose = [source(c) for c in load(path)["cells"] if c["cell_type"] == "markdown"]
    old = [m for text in prose for m in re.findall(r"\{glue[^}]*\}`[^`]*`", text)]
    assert not old, f"{path.name} still quotes {old[:3]}: {RERUN}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_notebook_is_stored_as_jupyter_view_makes_it(path):
    """Numbers stored for JupyterLab (user_expressions), solutions folded: applying the transform
    again changes nothing, and every quoted name is glued by the notebook's stored outputs."""
    notebook = load(path)
    problems = jupyter_view().apply(notebook)
    assert not problems, f"{path.name}: {problems}"
    assert notebook == load(path), f"{path.name} is not up to date: {RERUN}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_solutions_are_folded_in_jupyter(path):
    cells = load(path)["cells"]
    starts = [i for i, c in enumerate(cells) if "{solution-start}" in source(c)]
    for start in starts:
        assert ":class: dropdown" in source(cells[start]), f"{path.name} cell {start}"
        end = next(i for i in range(start, len(cells)) if "{solution-end}" in source(cells[i]))
        for cell in cells[start + 1 : end]:
            hidden = cell["metadata"].get("jupyter", {})
            assert hidden.get("source_hidden") is True, f"{path.name}: {source(cell)[:60]!r}"
            if cell["cell_type"] == "code":
                assert hidden.get("outputs_hidden") is True, f"{path.name}: {source(cell)[:60]!r}"


def test_the_transform_folds_solutions_quotes_with_eval_and_stores_the_values():
    view = jupyter_view()
    glue = {
        "output_type": "display_data",
        "data": {"application/papermill.record/text/plain": "0.2764"},
        "metadata": {"scrapbook": {"name": "ch9_loss", "mime_prefix": ""}},
    }
    notebook = {
        "cells": [
            {"cell_type": "code", "metadata": {}, "source": "x = 1", "outputs": [glue]},
            {"cell_type": "markdown", "metadata": {}, "source": "Loss {glue:text}`ch9_loss:.2f`."},
            {"cell_type": "markdown", "metadata": {}, "source": "```{solution-start} ex\n```"},
            {"cell_type": "code", "metadata": {}, "source": "check(1)", "outputs": []},
            {"cell_type": "markdown", "metadata": {}, "source": "```{solution-end}\n```"},
            {"cell_type": "code", "metadata": {}, "source": "y = 2", "outputs": []},
        ]
    }
    assert view.apply(notebook) == []
    prose = notebook["cells"][1]
    assert prose["source"] == 'Loss {eval}`runtime.glued("ch9_loss:.2f")`.'
    result = {"status": "ok", "data": {"text/plain": "'0.28'"}, "metadata": {}}
    expected = [{"expression": 'runtime.glued("ch9_loss:.2f")', "result": result}]
    assert prose["metadata"]["user_expressions"] == expected
    assert notebook["cells"][3]["metadata"]["jupyter"] == view.FOLDED_CODE
    assert "jupyter" not in notebook["cells"][5]["metadata"]
    again = json.loads(json.dumps(notebook))
    assert view.apply(again) == [] and again == notebook
    notebook["cells"][1]["source"] = "Unknown {glue:text}`ch9_missing`."
    assert view.apply(notebook) == ["cell 1: 'ch9_missing' is quoted but no stored output glues it"]


@pytest.mark.parametrize(
    ("value", "spec"),
    [(0.27638, ".2f"), (0.27638, ""), (3000, ",d"), (0.05, ".0%"), (1.5e-07, ".1e"), (12, "d"),
     ("cat", ""), ("it's", "s"), (True, ""), (7.0, ".3g"), (-0.5, "+.2f")],
)  # fmt: skip
def test_glued_shows_what_myst_nb_shows_on_the_page(value, spec):
    """The kernel's runtime.glued and the stored user_expressions format a value as myst-nb's
    {glue:text} role does on the page."""
    from IPython.core.formatters import format_display_data
    from myst_nb.core.variables import format_plain_text

    text = format_display_data(value)[0]["text/plain"]
    on_the_page = format_plain_text(text, spec or "s")
    runtime.glue("test_jupyterlab_value", value)
    assert runtime.glued("test_jupyterlab_value" + (f":{spec}" if spec else "")) == on_the_page
    assert runtime.format_glued(text, spec or "s") == on_the_page


@pytest.mark.book
def test_the_page_quotes_each_eval_as_glue_text_did(html):
    """book/_ext/glued.py: every {eval}`runtime.glued(...)` of the prose shows its stored value,
    formatted, on the chapter's page (as the notebook's user_expressions do in JupyterLab)."""
    for path in NOTEBOOKS:
        page = (html / "book" / f"{path.stem}.html").read_text(encoding="utf-8")
        assert "runtime.glued(" not in page, path.name
        # Sphinx's smart quotes turn a glued phrase's apostrophe into a typographic one.
        page = page.replace("\u2019", "'")
        for cell in load(path)["cells"]:
            for entry in cell["metadata"].get("user_expressions", []):
                shown = entry["result"]["data"]["text/plain"][1:-1].replace("\\'", "'")
                assert f'<span class="pasted-text">{shown}</span>' in page, (path.name, shown)


def test_the_colab_set_up_cell_is_one_cell_that_lets_pip_meet_the_floors():
    """Colab keeps its TensorFlow and Keras (the floors in pyproject.toml are at or below its
    versions): pip installs cnnlib and only the dependencies Colab lacks or has too old."""
    first = {
        source(next(c for c in load(path)["cells"] if c["cell_type"] == "code"))
        for path in NOTEBOOKS
    }
    assert len(first) == 1, "every notebook's first code cell is the same Colab set-up"
    cell = first.pop()
    assert 'if "google.colab" in sys.modules:' in cell
    assert '"pip",' in cell and '"install",' in cell
    assert "--no-deps" not in cell and "--upgrade" not in cell
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"keras>=3.10",' in pyproject


# --- JupyterLab in a browser ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def write_settings(folder: Path) -> None:
    """The reader's defaults, except: every cell attached to the page (the test reads them all),
    and no news or update checks (they would go to the internet)."""
    settings = {
        "notebook-extension/tracker": {"windowingMode": "none"},
        "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    }
    for name, values in settings.items():
        path = folder / "@jupyterlab" / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """JupyterLab from this environment on a free loopback port, token-protected, serving a copy
    of the chapters (nothing it saves reaches book/). The kernel gets none of the variables the
    test command sets for TensorFlow: the set-up cell must set them, as in a reader's kernel."""
    base = tmp_path_factory.mktemp("jupyterlab")
    served = base / "book"
    served.mkdir()
    for path in NOTEBOOKS:
        shutil.copy(path, served / path.name)
    settings = base / "settings"
    write_settings(settings)
    port, token = free_port(), secrets.token_hex(16)
    env = {key: value for key, value in os.environ.items() if key not in runtime.ENVIRONMENT}
    env.update(
        JUPYTER_PREFER_ENV_PATH="1",
        JUPYTER_CONFIG_DIR=str(base / "config"),
        JUPYTER_DATA_DIR=str(base / "data"),
        JUPYTER_RUNTIME_DIR=str(base / "runtime"),
    )
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={served}",
        "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly", f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={base / 'workspaces'}", "--LabApp.expose_app_in_browser=True",
    ]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # JupyterLab refuses root otherwise (containers, CI)
    log = (base / "jupyterlab.log").open("w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=base)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                assert server.poll() is None, (base / "jupyterlab.log").read_text()
                assert time.monotonic() < deadline, "JupyterLab did not start within 60 s"
                time.sleep(0.5)
        yield f"{url}/lab/tree/{{}}?token={token}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "install Debian's chromium (the test command does, as root)"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update",
                  "--no-first-run"],
        )  # fmt: skip
        yield chromium
        chromium.close()


class Chapter:
    """One chapter open in JupyterLab; requests that leave this machine are refused and noted."""

    def __init__(self, browser: Any, lab: str, name: str) -> None:
        self.name = name
        self.cells = load(ROOT / "book" / name)["cells"]
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.outside: list[str] = []
        self.page.route(re.compile(r"^(?!https?://127\.0\.0\.1[:/]).*"), self._refuse)
        # reset: a fresh workspace, without the notebooks that an earlier page left open
        self.page.goto(lab.format(name) + "&reset")
        self.page.wait_for_selector(".jp-Notebook .jp-MarkdownCell .myst", timeout=60_000)
        self.page.wait_for_function(
            f"document.querySelectorAll('.jp-Notebook .jp-Cell').length === {len(self.cells)}",
            timeout=60_000,
        )
        self.wait_idle()

    def _refuse(self, route: Any) -> None:
        if not route.request.url.startswith(("data:", "blob:")):
            self.outside.append(route.request.url)
            route.abort()
            return
        route.continue_()

    def close(self) -> None:
        """Shut the notebook's kernel down and close its page, so that the next chapter opens
        on a quiet server (a kernel left running slowed the next notebook's rendering)."""
        self.page.evaluate(
            """() => {
                const panel = window.jupyterapp.shell.currentWidget;
                return panel && panel.sessionContext ? panel.sessionContext.shutdown() : null;
            }"""
        )
        self.page.close()

    def wait_idle(self, timeout: float = 60_000) -> None:
        self.page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']",
                                    timeout=timeout)  # fmt: skip

    def cell(self, index: int) -> Any:
        return self.page.locator(".jp-Notebook .jp-Cell").nth(index)

    def run(self, command: str, index: int) -> None:
        """Select cell ``index`` and run a notebook command (such as notebook:run-cell)."""
        self.page.evaluate(
            """([command, index]) => {
                const panel = window.jupyterapp.shell.currentWidget;
                panel.content.activeCellIndex = index;
                return window.jupyterapp.commands.execute(command);
            }""",
            [command, index],
        )

    def markdown_text(self) -> str:
        rendered = self.page.locator(".jp-Notebook .jp-MarkdownCell .myst")
        return "\n".join(rendered.all_inner_texts())

    def screenshot(self, name: str, index: int | None = None) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        if index is not None:
            self.cell(index).scroll_into_view_if_needed()
        self.page.screenshot(path=str(SCREENSHOTS / f"{Path(self.name).stem}-{name}.png"))


def check_chapter(chapter: Chapter) -> None:
    """What every chapter must show on opening and after its set-up cell runs."""
    cells = chapter.cells
    text = chapter.markdown_text()
    chapter.screenshot("opened")
    raw = [m for m in ("{glue", "{eval}", "runtime.glued(", "{term}", "{doc}", ":label:")
           if m in text]  # fmt: skip
    assert not raw, f"raw markup in the rendered prose: {raw}"

    # The first glued number of the prose shows its stored value.
    first = next(i for i, c in enumerate(cells) if c["metadata"].get("user_expressions"))
    shown = cells[first]["metadata"]["user_expressions"][0]["result"]["data"]["text/plain"][1:-1]
    assert shown in chapter.cell(first).inner_text()
    chapter.screenshot("first-number", first)

    # Solutions: their code and output collapsed, their text a closed dropdown.
    solutions = [i for i, c in enumerate(cells) if "{solution-start}" in source(c)]
    assert solutions
    for start in solutions:
        assert chapter.cell(start).locator("details").evaluate("d => d.open") is False
        code = next(i for i in range(start, len(cells)) if cells[i]["cell_type"] == "code")
        folded = chapter.cell(code)
        assert folded.locator(".jp-InputPlaceholder").count() == 1, f"cell {code}"
        assert folded.locator(".jp-Editor").is_hidden(), f"cell {code}"
    chapter.screenshot("solution", solutions[0])

    # The set-up cell (the first code cell after the Colab one) runs without a line on stderr.
    setup = [i for i, c in enumerate(cells) if c["cell_type"] == "code"][1]
    assert "runtime.quiet_tensorflow()" in source(cells[setup])
    chapter.run("notebook:run-cell", setup)
    chapter.page.wait_for_function(
        f"""() => {{
            const cell = document.querySelectorAll('.jp-Notebook .jp-Cell')[{setup}];
            return /\\[\\d+\\]/.test(cell.querySelector('.jp-InputPrompt').textContent);
        }}""",
        timeout=90_000,
    )
    chapter.wait_idle()
    outputs = chapter.cell(setup).locator(".jp-OutputArea-output")
    stderr = chapter.cell(setup).locator("[data-mime-type='application/vnd.jupyter.stderr']")
    assert stderr.count() == 0, outputs.all_inner_texts()
    chapter.screenshot("setup", setup)
    assert not chapter.outside, f"requests that left this machine: {chapter.outside[:5]}"


def test_chapter_1_in_jupyterlab(lab, browser):
    chapter = Chapter(browser, lab, "01_convolution.ipynb")
    try:
        explore_chapter_1(chapter)
    finally:
        chapter.close()


def explore_chapter_1(chapter: Chapter) -> None:
    check_chapter(chapter)
    # The kernel playground: its cells above run, then it shows live controls.
    explorer = next(
        i for i, c in enumerate(chapter.cells) if "widgets.KernelPlayground(" in source(c)
    )
    chapter.run("notebook:run-all-above", explorer)
    chapter.wait_idle(timeout=90_000)
    chapter.run("notebook:run-cell", explorer)
    widget = chapter.cell(explorer).locator(".jp-OutputArea .widget-dropdown select")
    widget.first.wait_for(timeout=60_000)
    assert chapter.cell(explorer).locator(".jp-OutputArea .jupyter-widgets").count() > 1
    chapter.screenshot("explorer", explorer)
    assert not chapter.outside, f"requests that left this machine: {chapter.outside[:5]}"


def test_chapter_5_in_jupyterlab(lab, browser):
    chapter = Chapter(browser, lab, "05_overfitting.ipynb")
    try:
        check_chapter(chapter)
    finally:
        chapter.close()
