"""The oldest TensorFlow and Keras the chapters support: a second environment that has them, and a
run of every notebook there in quick mode, checking for errors only (``python3 .ci/tasks.py
oldest``). Standard library only: `tasks.py` imports it, and the second environment runs it.

The floor is what Colab ships (TensorFlow 2.19 with Keras 3.10), since a Colab reader keeps
Colab's own TensorFlow and Keras; ``pyproject.toml`` and the README state it.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "_build" / "venv-oldest"
STAMP = VENV / ".installed-requirements"

#: requirements.txt's pins that this environment replaces: the floor, and the NumPy and
#: TensorBoard that TensorFlow 2.19 accepts (it needs numpy<2.2; Colab has 2.0.2).
OLDEST = {
    "tensorflow-cpu": "2.19.0",
    "tensorflow": "2.19.0",
    "keras": "3.10.0",
    "tensorboard": "2.19.0",
    "numpy": "2.0.2",
}
#: What else running the notebooks needs, at requirements.txt's pins. Left out: the book's, the
#: tests' and JupyterLab's tools, and myst-nb (as on Colab, runtime.glue then stores nothing).
KEEP = {
    "scipy",
    "matplotlib",
    "pillow",
    "scikit-image",
    "ipywidgets",
    "ipykernel",
    "nbclient",
    "nbformat",
}


def requirements(text: str) -> str:
    """requirements.txt's ``text`` for the oldest environment: OLDEST's pins, KEEP's lines, the
    editable cnnlib; every other line left out.

    >>> print(requirements("keras==3.15.1\\nruff==0.1\\nscipy==1.0\\n-e ."), end="")
    keras==3.10.0
    scipy==1.0
    -e .
    """
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped == "-e .":
            lines.append(stripped)
            continue
        match = re.match(r"([A-Za-z0-9_.-]+)==([^;\s]+)(.*)", stripped)
        if not match:
            continue
        name, _, rest = match.groups()
        if name in OLDEST:
            lines.append(f"{name}=={OLDEST[name]}{rest}")
        elif name in KEEP:
            lines.append(stripped)
    missing = (set(OLDEST) | KEEP) - {re.split(r"[=;\s]", line)[0] for line in lines}
    if missing:
        raise ValueError(f"requirements.txt pins none of {sorted(missing)}")
    return "\n".join(lines) + "\n"


def python() -> Path:
    scripts = "Scripts" if os.name == "nt" else "bin"
    return VENV / scripts / ("python.exe" if os.name == "nt" else "python")


def ensure_environment() -> None:
    """Create the environment in _build/venv-oldest/ and install into it when its requirements
    changed since the last install."""
    wanted = requirements((ROOT / "requirements.txt").read_text(encoding="utf-8"))
    digest = hashlib.sha256((wanted + sys.version).encode()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == digest:
        return
    if not python().exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    listed = VENV / "requirements-oldest.txt"
    listed.write_text(wanted, encoding="utf-8")
    print(f"[oldest] installing into {VENV.relative_to(ROOT)}/:\n{wanted}", flush=True)
    pip = [str(python()), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "-r", str(listed)], cwd=ROOT, check=True)
    STAMP.write_text(digest)


def run_notebooks(paths: list[Path], timeout: int) -> int:
    """Run each notebook top to bottom in a fresh kernel of this interpreter's environment, in
    quick mode; nothing is written. Returns how many failed."""
    from importlib.metadata import version

    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    os.environ["CNNLIB_QUICK"] = "1"
    os.environ["CNNLIB_OFFLINE"] = "1"
    os.environ["JUPYTER_PREFER_ENV_PATH"] = "1"  # this environment's kernel
    wheel = "tensorflow-cpu" if sys.platform == "linux" and os.uname().machine == "x86_64" else ""
    versions = f"{wheel or 'tensorflow'} {version(wheel or 'tensorflow')}, keras {version('keras')}"
    print(f"[oldest] {versions}, numpy {version('numpy')}: quick mode", flush=True)
    failed = 0
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(
            nb,
            kernel_name="python3",
            timeout=timeout,
            resources={"metadata": {"path": str(path.parent)}},
        )
        start = time.perf_counter()
        try:
            client.execute()
        except CellExecutionError as error:
            failed += 1
            print(f"[oldest] {path.name} FAILED:\n{error}", flush=True)
            continue
        cells = sum(cell.cell_type == "code" for cell in nb.cells)
        seconds = time.perf_counter() - start
        print(f"[oldest] {path.name}: {cells} code cells ran, {seconds:.0f} s", flush=True)
    return failed


if __name__ == "__main__":
    # python .ci/oldest.py TIMEOUT NOTEBOOK...: run by tasks.py with the second environment.
    sys.exit(1 if run_notebooks([Path(p) for p in sys.argv[2:]], int(sys.argv[1])) else 0)
