"""How long does the whole book take to execute in full mode on this machine?

Run it with the project's environment, from the repository root:

    .venv/bin/python benchmarks/run_all.py            # every notebook in book/
    .venv/bin/python benchmarks/run_all.py book/04_first_convnet.ipynb

Each notebook runs top to bottom in a fresh kernel, in full mode (as ``python3 .ci/tasks.py
execute`` runs it), but the results are thrown away: the committed notebooks are not touched.
Then ``bench_ops.py`` runs. The script prints a table of per-notebook times and the total, and
exits with an error if a notebook fails or the total exceeds the book's budget.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The whole book in full mode must execute within this many seconds on a 2-core laptop CPU.
BUDGET_SECONDS = 40 * 60


def execute(path: Path) -> float:
    """Run one notebook in a fresh kernel, in full mode; return the seconds it took."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=3600,
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="default: every book/*.ipynb")
    args = parser.parse_args()
    os.environ.pop("CNNLIB_QUICK", None)  # full mode, as the published book
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")
    paths = [Path(p).resolve() for p in args.notebooks] or sorted((ROOT / "book").glob("*.ipynb"))
    rows = []
    for path in paths:
        print(f"executing {path.name} ...", flush=True)
        rows.append((path.name, execute(path)))
    total = sum(seconds for _, seconds in rows)
    width = max(len(name) for name, _ in rows)
    print(f"\n| {'notebook':<{width}} | seconds | minutes |")
    print(f"| {'-' * width} | ------: | ------: |")
    for name, seconds in rows:
        print(f"| {name:<{width}} | {seconds:7.0f} | {seconds / 60:7.1f} |")
    print(f"| {'total':<{width}} | {total:7.0f} | {total / 60:7.1f} |")
    print(f"\nbudget: {BUDGET_SECONDS / 60:.0f} minutes for the whole book\n", flush=True)
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_ops.py")], check=True)
    if not args.notebooks and total > BUDGET_SECONDS:
        sys.exit(f"the book took {total / 60:.1f} minutes, over its budget")


if __name__ == "__main__":
    main()
