"""The README's two commands are the ones the project and CI really run."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def readme_commands() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", README, flags=re.DOTALL)
    return [line.split("#")[0].strip() for block in blocks for line in block.splitlines()]


def test_readme_gives_the_build_and_test_commands():
    commands = readme_commands()
    assert "python3 .ci/tasks.py build" in commands
    assert "python3 .ci/tasks.py test" in commands


def test_ci_runs_exactly_the_readme_test_command():
    lines = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert "python3 .ci/tasks.py test" in lines
    assert (ROOT / ".ci" / "run").stat().st_mode & 0o111, ".ci/run must be executable"


def test_the_workflow_publishes_the_book_and_tests_pull_requests():
    import yaml

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "book.yml").read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as True
    assert set(triggers) >= {"push", "pull_request"}
    jobs = workflow["jobs"]
    uses = [step["uses"] for job in jobs.values() for step in job["steps"] if "uses" in step]
    assert uses and all(re.fullmatch(r"actions/[a-z-]+@v\d+", action) for action in uses), uses
    runs = {name: [step.get("run") for step in job["steps"]] for name, job in jobs.items()}
    assert "python3 .ci/tasks.py test" in runs["test"]
    # The published site: the PDF command prints the book, then runs the README's build command
    # (tasks.py's pdf() ends with build()), whose site holds the PDF.
    assert "python3 .ci/tasks.py pdf" in runs["build"]
    source = (ROOT / ".ci" / "tasks.py").read_text()
    pdf_body = source[source.index("def pdf(") : source.index("\ndef ", source.index("def pdf("))]
    assert "build(" in pdf_body
    assert "pull_request" in jobs["test"]["if"]
    # Majors that run on Node.js 24; the older ones ran on Node.js 20, which GitHub retires.
    current = {
        "actions/checkout@v6",
        "actions/setup-python@v6",
        "actions/configure-pages@v6",
        "actions/upload-pages-artifact@v5",
        "actions/deploy-pages@v5",
        "actions/upload-artifact@v7",
    }
    assert set(uses) == current, set(uses) ^ current
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}


def execute(notebook: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / ".ci" / "tasks.py"), "execute", str(notebook)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True)


def write_notebook(path: Path, *sources: str) -> None:
    notebook = new_notebook(cells=[new_code_cell(source) for source in sources])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, path)


def test_execute_runs_in_full_mode_in_order_and_keeps_timing(tmp_path):
    path = tmp_path / "ok.ipynb"
    write_notebook(path, "import os\nprint(os.environ.get('CNNLIB_QUICK', 'full'))", "1 + 1")
    result = execute(path)
    assert result.returncode == 0, result.stdout + result.stderr
    cells = json.loads(path.read_text())["cells"]
    assert [cell["execution_count"] for cell in cells] == [1, 2]
    assert "".join(cells[0]["outputs"][0]["text"]) == "full\n"  # quick mode is switched off
    assert all("shell.execute_reply" in cell["metadata"]["execution"] for cell in cells)


def test_execute_stops_at_the_first_error_and_leaves_the_file_alone(tmp_path):
    path = tmp_path / "broken.ipynb"
    write_notebook(path, "raise RuntimeError('boom')", "print('never')")
    before = path.read_bytes()
    result = execute(path)
    assert result.returncode != 0
    assert "boom" in result.stdout + result.stderr
    assert path.read_bytes() == before


def load_tasks():
    import importlib.util

    spec = importlib.util.spec_from_file_location("tasks", ROOT / ".ci" / "tasks.py")
    assert spec and spec.loader
    tasks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tasks)
    return tasks


def stderr_cell(text: str) -> dict:
    return {
        "cell_type": "code",
        "outputs": [{"output_type": "stream", "name": "stderr", "text": text}],
    }


def test_execute_drops_tensorflows_startup_lines_from_stored_stderr():
    noise = (
        "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
        "I0000 00:00:1796092035.481147    6941 port.cc:153] oneDNN custom operations are on.\n"
    )
    notebook = {"cells": [stderr_cell(noise)]}
    assert load_tasks().drop_startup_noise(notebook) == 2
    assert notebook["cells"][0]["outputs"] == []


def test_execute_keeps_every_other_stderr_line_for_the_tests_to_flag():
    notebook = {"cells": [stderr_cell("I0000 00:00:1.5 1 port.cc:1] x\nUserWarning: look at me\n")]}
    assert load_tasks().drop_startup_noise(notebook) == 1
    assert notebook["cells"][0]["outputs"][0]["text"] == "UserWarning: look at me\n"
