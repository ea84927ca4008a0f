"""Code quality: ruff (code and notebooks) and mypy (cnnlib is fully typed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True)


def test_ruff_check_passes():
    result = run(sys.executable, "-m", "ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_applied():
    result = run(sys.executable, "-m", "ruff", "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_passes_on_cnnlib():
    result = run(sys.executable, "-m", "mypy", "--no-error-summary", "--cache-dir", "/dev/null")
    assert result.returncode == 0, result.stdout + result.stderr
