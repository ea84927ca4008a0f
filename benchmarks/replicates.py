"""Replicates: a chapter's training comparison re-run with other seeds, outside the chapter.

A chapter trains each of its models once, with seed 42, and its prose compares them. A reader's
re-run (another seed, machine or library build) gives other numbers; this script measures how far
they move. For each seed it runs the chapter's own cells (read from ``book/<notebook>`` and
executed here, so that the recipe cannot drift from the chapter's), records per model the whole
validation-accuracy curve, the best epoch and accuracy, the mean of the last five epochs, the
final training accuracy and the time, computes the chapter's glued values that a run produces,
and evaluates the chapter's comparative claims (``benchmarks/claims.py``) on them.

The chapter's seed reproduces the chapter's own run. Any other seed ``s`` replaces every
``runtime.seed(42)`` of the chapter with ``runtime.seed(s)``: it changes the initial weights, the
random augmentation and dropout draws and (through TensorFlow's global seed) the order in which
the training photos are shuffled.

Results go, model by model (a stopped run keeps what it finished), to
``book/<notebook>_replicates.json``, beside the chapter that reads them, with the chapter's
recipe (every setting, read from the notebook), the git commit, the library versions, the
numeric environment and the processor. ``tests/test_replicates.py`` fails when the recipe
stored there is no longer the chapter's. From the repository root, in full mode (the default;
``CNNLIB_QUICK=1`` writes to
``/tmp`` instead of the results folder):

    .venv/bin/python benchmarks/replicates.py ch5 --seeds 42 1 2 3
    .venv/bin/python benchmarks/replicates.py ch5 --table   # print the stored replicates

TensorFlow runs in the notebooks' numeric environment, ``cnnlib.runtime.ENVIRONMENT`` (set here
before it is imported), as the chapters run.
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from cnnlib.runtime import ENVIRONMENT  # (imports no TensorFlow)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "book"
#: Set before TensorFlow is imported: the numeric environment the replicates run in.
NUMERIC_ENVIRONMENT = dict(ENVIRONMENT)
#: Environment variables that can change TensorFlow's numbers or threads; recorded with results.
RECORDED_VARIABLES = (
    "TF_ENABLE_ONEDNN_OPTS",
    "ONEDNN_MAX_CPU_ISA",
    "TF_DETERMINISTIC_OPS",
    "TF_CUDNN_DETERMINISTIC",
    "TF_NUM_INTRAOP_THREADS",
    "TF_NUM_INTEROP_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "CUDA_VISIBLE_DEVICES",
    "CNNLIB_QUICK",
)
#: Epochs at the end of a run whose validation accuracy is averaged ("last-5 mean").
LAST = 5


# ---------------------------------------------------------------------------------------------
# Reading a chapter's cells


def code_cells(notebook: str) -> list[ast.Module]:
    """The parsed code cells of ``book/<notebook>``, in order."""
    cells = json.loads((ROOT / "book" / notebook).read_text(encoding="utf-8"))["cells"]
    return [ast.parse("".join(c["source"])) for c in cells if c["cell_type"] == "code"]


def defined_names(tree: ast.Module) -> set[str]:
    """Functions and variables a cell defines at its top level."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                for leaf in ast.walk(target):
                    if isinstance(leaf, ast.Name):
                        names.add(leaf.id)
    return names


def defining_cells(notebook: str, names: set[str]) -> list[ast.Module]:
    """The cells that define any of ``names`` (a name defined by no cell is an error)."""
    found: set[str] = set()
    chosen = []
    for tree in code_cells(notebook):
        defined = defined_names(tree) & names
        if defined:
            chosen.append(tree)
            found |= defined
    if found != names:
        raise ValueError(f"{notebook} defines none of {sorted(names - found)}")
    return chosen


def calls(tree: ast.AST, suffix: str) -> list[ast.Call]:
    """Every call in ``tree`` whose function's source ends with ``suffix``, in source order."""
    found = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and ast.unparse(node.func).endswith(suffix)
    ]
    return sorted(found, key=lambda node: (node.lineno, node.col_offset))


def keywords(call: ast.Call) -> dict[str, Any]:
    """A call's keyword arguments whose values are literals (others as their source text)."""
    values: dict[str, Any] = {}
    for keyword in call.keywords:
        if keyword.arg is None:
            continue
        try:
            values[keyword.arg] = ast.literal_eval(keyword.value)
        except ValueError:
            values[keyword.arg] = ast.unparse(keyword.value)
    return values


def literal_assignment(trees: list[ast.Module], name: str) -> Any:
    """The literal value assigned to ``name`` at the top level of one of ``trees``."""
    for tree in trees:
        for node in tree.body:
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id == name
            ):
                return ast.literal_eval(node.value)
    raise ValueError(f"no cell assigns a literal to {name}")


@dataclass(frozen=True)
class Run:
    """One model a chapter trains: its name, the seed set before it, the call that builds it."""

    name: str
    seed: int
    build: str


# ---------------------------------------------------------------------------------------------
# Chapter 5: overfitting, augmentation and dropout

CH5 = "05_overfitting.ipynb"
#: The cells that hold Chapter 5's recipe, found by a name each defines.
CH5_DEFINITIONS = {"image_size", "build_model", "flip_and_shift", "train_model"}
#: The chapter's glue-key prefix for each of its four models (the names its runs carry).
CH5_KEYS = {
    "baseline": "baseline",
    "augmentation": "augmented",
    "dropout": "dropout",
    "augmentation_and_dropout": "augdrop",
}


#: Photos in the validation set (500 cats, 500 dogs): the chapter's ``n`` in sqrt(p(1-p)/n).
CH5_VALIDATION_PHOTOS = 1000


def ch5_runs() -> list[Run]:
    """The four models Chapter 5 compares, in its order, from the cells that call ``train_model``.

    Each is found in a cell that calls ``train_model``: the ``runtime.seed`` set before the model
    is built, the ``build_model(...)`` expression and the name (``model.name = ...``, else the
    ``Sequential``'s own name, ``baseline`` for the chapter's first).
    """
    runs = []
    for tree in code_cells(CH5):
        if not calls(tree, "train_model") or defined_names(tree) & {"train_model"}:
            continue
        seed: int | None = None
        pending: tuple[str, int, str] | None = None
        for node in tree.body:
            if isinstance(node, ast.Expr) and calls(node, "runtime.seed"):
                seed = ast.literal_eval(calls(node, "runtime.seed")[0].args[0])
            elif isinstance(node, ast.Assign) and calls(node, "build_model"):
                if seed is None:
                    raise ValueError(f"{CH5}: {ast.unparse(node)} has no runtime.seed before it")
                target = ast.unparse(node.targets[0])
                pending = (target, seed, ast.unparse(calls(node, "build_model")[0]))
            elif (
                isinstance(node, ast.Assign)
                and pending is not None
                and ast.unparse(node.targets[0]) == f"{pending[0]}.name"
            ):
                runs.append(Run(ast.literal_eval(node.value), pending[1], pending[2]))
                pending = None
            elif calls(node, "train_model") and pending is not None:
                runs.append(Run("baseline", pending[1], pending[2]))
                pending = None
    # The exercise's stronger augmentation trains a fifth model; the comparison is of four.
    runs = [run for run in runs if run.name in CH5_KEYS]
    if [run.name for run in runs] != list(CH5_KEYS):
        raise ValueError(f"{CH5}: expected the runs {list(CH5_KEYS)}, found {runs}")
    return runs


def ch5_recipe() -> dict[str, Any]:
    """Chapter 5's recipe, read from its notebook: the settings, and the source of every cell the
    replicates execute (normalised with ``ast.unparse``: comments and layout do not count)."""
    trees = defining_cells(CH5, CH5_DEFINITIONS)
    everything = ast.Module(body=[node for tree in trees for node in tree.body], type_ignores=[])
    load = calls(everything, "load_cats_vs_dogs")
    pick = calls(everything, "runtime.pick")
    adam = calls(everything, "optimizers.Adam")
    compile_, fit = calls(everything, ".compile"), calls(everything, ".fit")
    if not (len(load) == len(pick) == len(adam) == len(compile_) == len(fit) == 1):
        raise ValueError(f"{CH5}: expected one data loader, pick, Adam, compile and fit call")
    loader = keywords(load[0])
    return {
        "notebook": f"book/{CH5}",
        "image_size": literal_assignment(trees, "image_size"),
        "batch_size": loader["batch_size"],
        "data_seed": loader["seed"],
        "epochs": keywords(pick[0])["full"],
        "quick_epochs": keywords(pick[0])["quick"],
        "optimizer": ast.unparse(adam[0]),
        "compile": {k: v for k, v in keywords(compile_[0]).items() if k != "optimizer"},
        "fit": keywords(fit[0]),
        "runs": [run.__dict__ for run in ch5_runs()],
        "seeding": "runtime.seed(s) before the data are loaded and before each model is built",
        "cells": [ast.unparse(tree) for tree in trees],
    }


def curve_record(history: dict[str, list[float]], seconds: float) -> dict[str, Any]:
    """One model's run: its curves and the numbers the replicate table shows."""
    val = [float(v) for v in history["val_accuracy"]]
    best = max(range(len(val)), key=val.__getitem__)
    return {
        "val_accuracy": [round(v, 4) for v in val],
        "accuracy": [round(float(v), 4) for v in history["accuracy"]],
        "val_loss": [round(float(v), 4) for v in history["val_loss"]],
        "best_val": round(val[best], 4),
        "best_epoch": best + 1,
        "last5_mean": round(statistics.fmean(val[-LAST:]), 4),
        "final_val": round(val[-1], 4),
        "final_train": round(float(history["accuracy"][-1]), 4),
        "seconds": round(seconds, 1),
    }


def ch5_glue(models: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The glued values of Chapter 5 that one replicate determines, under the chapter's keys."""
    glue: dict[str, Any] = {}
    for name, key in CH5_KEYS.items():
        record = models.get(name)
        if record is None:
            continue
        glue[f"ch5_{key}_best_val_accuracy"] = record["best_val"]
        glue[f"ch5_{key}_final_val_accuracy"] = record["final_val"]
        glue[f"ch5_{key}_last5_val_accuracy"] = record["last5_mean"]
        glue[f"ch5_{key}_best_epoch"] = record["best_epoch"]
        glue[f"ch5_{key}_train_accuracy"] = record["final_train"]
        glue[f"ch5_{key}_gap"] = record["final_train"] - record["final_val"]
        if "clean_train" in record:
            glue[f"ch5_{key}_clean_gap"] = record["clean_train"] - record["final_val"]
    baseline, both = models.get("baseline"), models.get("augmentation_and_dropout")
    if baseline is not None:
        glue["ch5_epochs"] = len(baseline["val_accuracy"])
        glue["ch5_baseline_val_accuracy"] = baseline["final_val"]
        loss = baseline["val_loss"]
        turn = min(range(len(loss)), key=loss.__getitem__) + 1
        glue["ch5_baseline_turn_epoch"] = turn
        glue["ch5_baseline_min_val_loss"] = loss[turn - 1]
        glue["ch5_baseline_final_val_loss"] = loss[-1]
        glue["ch5_baseline_val_accuracy_at_turn"] = baseline["val_accuracy"][turn - 1]
    if both is not None:
        p = both["best_val"]
        glue["ch5_val_size"] = CH5_VALIDATION_PHOTOS
        glue["ch5_val_se_points"] = 100 * math.sqrt(p * (1 - p) / CH5_VALIDATION_PHOTOS)
    if baseline is not None and both is not None:
        glue["ch5_augdrop_gain_points"] = 100 * (both["best_val"] - baseline["best_val"])
    return glue


#: Each chapter's recipe and cells, read once when the replicates start (a notebook edited while
#: they run must not change the recipe half-way).
RECIPES: dict[str, tuple[dict[str, Any], list[ast.Module]]] = {}


def run_ch5(seed: int, quick: bool, save: Callable[[dict[str, Any]], None]) -> None:
    """Train Chapter 5's four models with ``seed``, the chapter's own cells doing the work."""
    from cnnlib import data, runtime, train

    runtime.quiet_tensorflow()
    import keras
    import numpy as np
    import tensorflow as tf

    recipe, trees = RECIPES[CH5]
    namespace: dict[str, Any] = {
        "keras": keras,
        "np": np,
        "tf": tf,
        "time": time,
        "data": data,
        "train": train,
        "runtime": runtime,
    }
    runtime.seed(seed)  # the chapter's set-up cell seeds before the data are loaded
    for tree in trees:
        exec(compile(tree, CH5, "exec"), namespace)
    built: dict[str, Any] = {}
    models: dict[str, dict[str, Any]] = {}
    for run in recipe["runs"]:
        runtime.seed(seed)
        model = eval(run["build"], namespace)
        model.name = run["name"]
        began = time.perf_counter()
        history, _ = namespace["train_model"](model)
        models[run["name"]] = curve_record(history.history, time.perf_counter() - began)
        built[run["name"]] = model
        save({"models": models, "glue": ch5_glue(models), "complete": False})
    # As the chapter does after training all four: each model's accuracy on the training
    # photos without augmentation or dropout.
    for name, model in built.items():
        models[name]["clean_train"] = round(
            float(model.evaluate(namespace["training"], verbose=0)[1]), 4
        )
    save({"models": models, "glue": ch5_glue(models), "complete": True})


@dataclass(frozen=True)
class Chapter:
    """What the script knows of one chapter's comparison."""

    number: int
    notebook: str
    definitions: set[str]
    recipe: Callable[[], dict[str, Any]]
    glue: Callable[[dict[str, dict[str, Any]]], dict[str, Any]]
    run: Callable[[int, bool, Callable[[dict[str, Any]], None]], None]
    chapter_seed: int


CHAPTERS = {"ch5": Chapter(5, CH5, CH5_DEFINITIONS, ch5_recipe, ch5_glue, run_ch5, 42)}


# ---------------------------------------------------------------------------------------------
# Provenance and results


def provenance(quick: bool) -> dict[str, Any]:
    """Where and with what a replicate ran."""
    import keras
    import numpy as np
    import tensorflow as tf

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip()

    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "commit": git("rev-parse", "HEAD"),
        "uncommitted_changes": git("status", "--porcelain", "--", "book", "cnnlib", "benchmarks")
        .splitlines()
        .__len__(),
        "quick": quick,
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
        "environment": {name: os.environ.get(name) for name in RECORDED_VARIABLES},
        "threads": {
            "intra_op": tf.config.threading.get_intra_op_parallelism_threads(),
            "inter_op": tf.config.threading.get_inter_op_parallelism_threads(),
            "cpus": os.cpu_count(),
        },
        "machine": {"cpu": cpu, "platform": platform.platform()},
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def load_results(path: Path) -> dict[str, Any]:
    """The stored results at ``path`` (an empty skeleton when there are none)."""
    if path.exists():
        return dict(json.loads(path.read_text(encoding="utf-8")))
    return {}


def write_results(path: Path, results: dict[str, Any]) -> None:
    """Write ``results`` atomically, so that a stopped run never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".json.partial")
    partial.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    partial.replace(path)


def summary_rows(results: dict[str, Any]) -> list[str]:
    """The replicate table: per model, each seed's best (epoch) and last-5 mean, and the spread."""
    replicates = results.get("replicates", {})
    seeds = list(replicates)
    names: list[str] = []
    for replicate in replicates.values():
        names += [name for name in replicate["models"] if name not in names]
    rows = [
        "| model | " + " | ".join(f"seed {s}" for s in seeds) + " | best: range | last-5: range |",
        "| --- |" + " --- |" * (len(seeds) + 2),
    ]
    for name in names:
        cells, bests, lasts = [], [], []
        for seed in seeds:
            record = replicates[seed]["models"].get(name)
            if record is None:
                cells.append("-")
                continue
            bests.append(record["best_val"])
            lasts.append(record["last5_mean"])
            cells.append(
                f"{record['best_val']:.3f} ({record['best_epoch']}) / {record['last5_mean']:.3f}"
            )
        rows.append(
            f"| {name} | "
            + " | ".join(cells)
            + f" | {min(bests):.3f}-{max(bests):.3f} | {min(lasts):.3f}-{max(lasts):.3f} |"
        )
    return rows


def claim_rows(chapter: Chapter, results: dict[str, Any]) -> list[str]:
    """Each claim of the chapter on each replicate (re-evaluated from the stored curves with the
    current registry): yes, NO, or - where a replicate lacks a value the claim reads."""
    import claims

    replicates = results.get("replicates", {})
    verdicts = {
        seed: claims.evaluate(chapter.number, chapter.glue(replicate["models"]))
        for seed, replicate in replicates.items()
    }
    rows = [
        "| claim | " + " | ".join(f"seed {s}" for s in replicates) + " |",
        "| --- |" + " --- |" * len(replicates),
    ]
    for claim in claims.for_chapter(chapter.number):
        marks = [{True: "yes", False: "NO", None: "-"}[v[claim.text]] for v in verdicts.values()]
        rows.append(f"| {claim.text} | " + " | ".join(marks) + " |")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chapter", choices=sorted(CHAPTERS))
    parser.add_argument("--seeds", type=int, nargs="+", default=[])
    parser.add_argument("--output", type=Path, help="results file (default: see above)")
    parser.add_argument("--table", action="store_true", help="print the stored replicates")
    args = parser.parse_args(argv)
    os.environ.update(NUMERIC_ENVIRONMENT)
    if "tensorflow" in sys.modules:  # pragma: no cover - a guard for importers of main()
        raise RuntimeError("TensorFlow was imported before the numeric environment was set")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import claims

    from cnnlib import runtime

    chapter = CHAPTERS[args.chapter]
    quick = runtime.QUICK
    default = RESULTS if not quick else Path("/tmp/replicates")
    path = args.output or default / f"{Path(chapter.notebook).stem}_replicates.json"
    results = load_results(path)
    if args.table:
        print("\n".join(summary_rows(results)) + "\n")
        print("\n".join(claim_rows(chapter, results)))
        return 0
    recipe = chapter.recipe()
    RECIPES[chapter.notebook] = recipe, defining_cells(chapter.notebook, chapter.definitions)
    if results and results.get("recipe") != recipe:
        raise SystemExit(f"{path} holds replicates of another recipe: move it away first")
    results = {"chapter": chapter.number, "recipe": recipe, "replicates": {}} | results
    for seed in args.seeds:
        began = time.time()
        context = provenance(quick)

        def save(
            done: dict[str, Any],
            seed: int = seed,
            context: dict[str, Any] = context,
            began: float = began,
        ) -> None:
            verdicts = claims.evaluate(chapter.number, done["glue"])
            results["replicates"][str(seed)] = {
                "seed": seed,
                "chapter_seed": seed == chapter.chapter_seed,
                "provenance": context,
                "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(began)),
                **done,
                "claims": verdicts,
            }
            write_results(path, results)

        chapter.run(seed, quick, save)
        print(f"seed {seed}: done in {time.time() - began:.0f} s, written to {path}", flush=True)
    print("\n".join(summary_rows(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
