"""The README's two commands are the ones the project and CI really run."""

from __future__ import annotations

import re
from pathlib import Path

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
