#!/usr/bin/env python3
"""The project's commands. Standard library only, so it runs before anything is installed.

    python3 .ci/tasks.py build      build the HTML book from the stored notebook outputs
    python3 .ci/tasks.py test       the whole test suite (unit tests, nbval, book build)
    python3 .ci/tasks.py pdf        the whole book as one PDF, and the HTML book that offers it
    python3 .ci/tasks.py execute    authors: re-execute notebooks in full mode, in place
    python3 .ci/tasks.py oldest     every notebook in quick mode with the oldest TensorFlow/Keras
    python3 .ci/tasks.py jupyter    authors: make the notebooks read in JupyterLab as on the page

Every command first makes sure that `.venv/` (inside the repository) holds what
`requirements.txt` pins, installing only when that file or `pyproject.toml` changed since the
last install, and then runs itself again with the interpreter of `.venv/`.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
STAMP = VENV / ".installed-requirements"
SHARED_DATA = ROOT.parent / "shared" / "data"
# What ../shared/data holds, laid out as the Keras cache's `datasets/` folder.
SHARED_DATASETS = ("mnist", "fashion-mnist", "cats_and_dogs_filtered.zip")

# TensorFlow's C++ start-up lines (absl's notice and log lines such as "I0000 00:00:... port.cc:153]
# oneDNN custom operations are on"). With tensorflow-cpu 2.21 they reach fd 2 at import even with
# TF_CPP_MIN_LOG_LEVEL=3; each set-up cell keeps them out (cnnlib.runtime.quiet_tensorflow), and
# `execute` refuses to store a notebook where one reached a cell's stderr.
STARTUP_NOISE = re.compile(
    r"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|[IWE]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ [\w.]+:\d+\] .*"
)


def say(message: str) -> None:
    print(f"[tasks] {message}", flush=True)


def run(command: list[str]) -> None:
    """Run a command from the repository root; stop with its exit code if it fails."""
    completed = subprocess.run(command, cwd=ROOT)
    if completed.returncode != 0:
        say(f"failed ({completed.returncode}): {' '.join(command)}")
        sys.exit(completed.returncode)


def venv_python() -> Path:
    scripts = "Scripts" if os.name == "nt" else "bin"
    return VENV / scripts / ("python.exe" if os.name == "nt" else "python")


def in_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


def requirements_digest() -> str:
    digest = hashlib.sha256()
    for name in ("requirements.txt", "pyproject.toml"):
        digest.update((ROOT / name).read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def ensure_environment() -> None:
    """Create `.venv/` and install the pinned requirements if they changed since last time."""
    if not (3, 11) <= sys.version_info[:2] <= (3, 13):
        sys.exit(
            f"Python 3.11 to 3.13 is needed (the pinned TensorFlow 2.21 and NumPy 2.4 have "
            f"wheels for those), not {sys.version.split()[0]}: run this script with one of them."
        )
    if not venv_python().exists():
        say(f"creating a virtual environment in {VENV.relative_to(ROOT)}/")
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = requirements_digest()
    if STAMP.exists() and STAMP.read_text() == digest:
        return
    say("installing requirements.txt into .venv/ (a few minutes the first time)")
    start = time.perf_counter()
    pip = [str(venv_python()), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    run([*pip, "-r", "requirements.txt"])
    STAMP.write_text(digest)
    say(f"installed in {time.perf_counter() - start:.0f} s")


def seed_keras_cache() -> None:
    """Copy ../shared/data into the Keras cache, never overwriting a file that is there."""
    from cnnlib.data import keras_cache_dir

    if not SHARED_DATA.is_dir():
        say(f"{SHARED_DATA} not found: the datasets come from their public sources")
        return
    datasets = keras_cache_dir()
    datasets.mkdir(parents=True, exist_ok=True)
    copied = 0
    for name in SHARED_DATASETS:
        source = SHARED_DATA / name
        files = sorted(source.rglob("*")) if source.is_dir() else [source]
        for file in (f for f in files if f.is_file()):
            target = datasets / file.relative_to(SHARED_DATA)
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(file, target)
                copied += 1
    say(f"Keras cache {datasets}: {copied} file(s) seeded from {SHARED_DATA}")


BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def ensure_browser() -> None:
    """The site test opens every page in headless Chromium: install Debian's when it is missing
    and this process may (root, with apt-get); otherwise say how, and let the test report it."""
    if any(shutil.which(name) for name in BROWSERS):
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        say("installing Chromium for the site test (apt-get install chromium)")
        quiet = {
            "stdout": subprocess.DEVNULL,
            "env": {**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        }
        subprocess.run(["apt-get", "update", "-q"], check=False, **quiet)
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium"],
            check=False,
            **quiet,
        )
    if not any(shutil.which(name) for name in BROWSERS):
        say("no Chromium found: the site test will fail (install `chromium` and run again)")


def fetch_datasets() -> None:
    """Fill the Keras cache through cnnlib's loaders, so that the tests never download."""
    from cnnlib import data

    say("making sure the datasets are in the Keras cache (downloads only what is missing)")
    data.load_mnist()
    data.load_fashion_mnist()
    data.cats_vs_dogs_dir()


def configure_environment() -> None:
    """The environment of every tool and kernel started from here: TensorFlow's as the notebooks
    set it (cnnlib.runtime.ENVIRONMENT: oneDNN's AVX2 kernels on two threads, CPU only, quiet),
    and none of the reader's own configuration (a matplotlibrc or IPython startup file would
    change outputs)."""
    from cnnlib.runtime import ENVIRONMENT

    os.environ.update(ENVIRONMENT)
    config = ROOT / "_build" / ".config"
    for tool in ("matplotlib", "ipython"):
        (config / tool).mkdir(parents=True, exist_ok=True)
    os.environ["MPLCONFIGDIR"] = str(config / "matplotlib")
    os.environ["IPYTHONDIR"] = str(config / "ipython")
    os.environ["JUPYTER_PREFER_ENV_PATH"] = "1"  # the kernel of .venv, not a user-wide one
    os.environ["PYTHONHASHSEED"] = "0"


def build(_: argparse.Namespace) -> None:
    jupyter_book = [sys.executable, "-c", "from jupyter_book.cli.main import main; main()"]
    # --all: rewrite every page, so that each page's navigation lists every chapter (an
    # incremental build leaves the sidebar of unchanged pages as it was). Nothing is executed.
    run([*jupyter_book, "build", ".", "--all", "--keep-going"])
    index = ROOT / "_build" / "html" / "index.html"
    print(f"\nThe book is built: {index}")


def pdf(arguments: argparse.Namespace) -> None:
    """The whole book as one PDF, _build/pdf/cnn-executable.pdf: the book built as a single page,
    which Chromium (the site test's browser, not TeX) prints with the book's print styles
    (book/_ext/book_pdf.py). Then the HTML book again: a build that finds the PDF copies it into
    the site, and its front page and every page's download menu link to it (a build without it
    offers no PDF, so no link is ever broken)."""
    ensure_browser()
    jupyter_book = [sys.executable, "-c", "from jupyter_book.cli.main import main; main()"]
    run([*jupyter_book, "build", ".", "--builder", "singlehtml", "--all", "--keep-going"])
    single = ROOT / "_build" / "singlehtml"
    target = ROOT / "_build" / "pdf" / "cnn-executable.pdf"
    run([sys.executable, str(ROOT / "book" / "_ext" / "book_pdf.py"), str(single), str(target)])
    print(f"\nThe book as a PDF: {target}")
    build(arguments)


def test(_: argparse.Namespace) -> None:
    start = time.perf_counter()
    seed_keras_cache()
    fetch_datasets()
    ensure_browser()
    os.environ["CNNLIB_QUICK"] = "1"  # training cells use a slice of the data and few epochs
    os.environ["CNNLIB_OFFLINE"] = "1"  # a loader that would download raises instead
    run([sys.executable, "-m", "pytest"])
    say(f"all tests passed in {time.perf_counter() - start:.0f} s")


def drop_startup_noise(notebook: dict) -> int:
    """Remove TensorFlow's C++ start-up lines from the stderr outputs of ``notebook``'s cells.

    A stderr output with any other line keeps those lines (the tests then flag it). Returns how
    many lines were dropped.
    """
    dropped = 0
    for cell in notebook["cells"]:
        outputs = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                lines = output["text"].splitlines()
                kept = [line for line in lines if not STARTUP_NOISE.fullmatch(line.strip())]
                dropped += len(lines) - len(kept)
                if not any(line.strip() for line in kept):
                    continue
                output["text"] = "\n".join(kept) + "\n"
            outputs.append(output)
        if cell["cell_type"] == "code":
            cell["outputs"] = outputs
    return dropped


def notebooks(paths: list[str]) -> list[Path]:
    if not paths:
        return sorted((ROOT / "book").glob("*.ipynb"))
    found = [Path(p).resolve() for p in paths]
    missing = [str(p) for p in found if p.suffix != ".ipynb" or not p.is_file()]
    if missing:
        sys.exit(f"not a notebook: {', '.join(missing)}")
    return found


def execute(args: argparse.Namespace) -> None:
    """Run each notebook top to bottom in a fresh kernel, in full mode, and save it in place."""
    import jupyter_view
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    os.environ.pop("CNNLIB_QUICK", None)  # full mode: the published book shows real results
    for path in notebooks(args.notebooks):
        before = path.read_bytes()  # to notice an edit made while the notebook runs
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(
            nb,
            kernel_name="python3",
            timeout=args.timeout,
            record_timing=True,
            # No widget state: the pages cannot run widgets (no widget JavaScript, offline), so
            # the state would only weigh on them (Chapter 1's was 197 KB). Jupyter re-creates it.
            store_widget_state=False,
            resources={"metadata": {"path": str(path.parent)}},
        )
        name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        say(f"executing {name} (full mode)")
        start = time.perf_counter()
        try:
            client.execute()
        except CellExecutionError as error:
            say(f"{name} failed; the file is left as it was.\n{error}")
            sys.exit(1)
        seconds = time.perf_counter() - start
        if drop_startup_noise(nb):
            say(
                f"{name}: TensorFlow's start-up lines reached a cell's stderr; the file is left as"
                " it was. Call runtime.quiet_tensorflow() in the set-up cell before anything"
                " imports TensorFlow."
            )
            sys.exit(1)
        nb.metadata.pop("widgets", None)  # left by an earlier run that stored it
        for problem in jupyter_view.apply(nb):  # numbers in the prose, folded solutions
            say(f"{name}: {problem}")
        if path.read_bytes() != before:
            say(f"{name} was edited while it ran: not written (the edit is kept); execute again")
            sys.exit(1)
        nbformat.write(nb, path)
        say(f"{name}: {seconds:.1f} s")


def jupyter(args: argparse.Namespace) -> None:
    """Apply .ci/jupyter_view.py to the notebooks, in place (idempotent): the prose's numbers as
    `{eval}` with their values stored, solutions folded. `execute` does it after every run."""
    import jupyter_view

    problems = 0
    for path in notebooks(args.notebooks):
        changed, found = jupyter_view.apply_to_file(path)
        say(f"{path.relative_to(ROOT)}: {'updated' if changed else 'unchanged'}")
        for problem in found:
            say(f"  {problem}")
        problems += len(found)
    if problems:
        sys.exit(1)


def oldest_versions(args: argparse.Namespace) -> None:
    """Run every notebook in quick mode with the oldest TensorFlow and Keras the book supports, in
    a second environment (_build/venv-oldest/, see .ci/oldest.py); errors only, nothing written."""
    import oldest

    start = time.perf_counter()
    seed_keras_cache()
    fetch_datasets()  # the notebooks then run offline (CNNLIB_OFFLINE=1), as in the tests
    oldest.ensure_environment()
    paths = [str(path) for path in notebooks(args.notebooks)]
    run([str(oldest.python()), str(ROOT / ".ci" / "oldest.py"), str(args.timeout), *paths])
    say(f"every notebook ran with the oldest versions in {time.perf_counter() - start:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("build", help="build the HTML book into _build/html")
    commands.add_parser("test", help="run the unit tests, nbval and the book build")
    commands.add_parser("pdf", help="the book as a PDF (_build/pdf/), and the HTML book with it")
    execute_parser = commands.add_parser("execute", help="re-execute notebooks in full mode")
    execute_parser.add_argument("notebooks", nargs="*", help="default: every book/*.ipynb")
    execute_parser.add_argument(
        "--timeout", type=int, default=1800, help="seconds one cell may take (default 1800)"
    )
    jupyter_parser = commands.add_parser(
        "jupyter", help="make the notebooks read in JupyterLab as on the page (idempotent)"
    )
    jupyter_parser.add_argument("notebooks", nargs="*", help="default: every book/*.ipynb")
    oldest_parser = commands.add_parser(
        "oldest", help="run the notebooks in quick mode with the oldest TensorFlow and Keras"
    )
    oldest_parser.add_argument("notebooks", nargs="*", help="default: every book/*.ipynb")
    oldest_parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    args = parser.parse_args()

    ensure_environment()
    if not in_venv():
        completed = subprocess.run([str(venv_python()), __file__, *sys.argv[1:]], cwd=ROOT)
        sys.exit(completed.returncode)
    configure_environment()
    commands_run = {
        "build": build,
        "test": test,
        "pdf": pdf,
        "execute": execute,
        "jupyter": jupyter,
        "oldest": oldest_versions,
    }
    commands_run[args.command](args)


if __name__ == "__main__":
    main()
