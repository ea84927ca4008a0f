"""The stored replicates (book/*_replicates.json) are of the chapters' current recipes.

``benchmarks/replicates.py`` re-runs a chapter's comparison with other seeds and stores, beside
the curves, the recipe it read from the notebook. When a chapter's recipe changes (its model,
augmentation, data, optimizer, epochs or seeds) the stored replicates no longer describe it and
these tests fail until they are re-run.
"""

from __future__ import annotations

import json
import math
import statistics
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import replicates  # noqa: E402  (from benchmarks/, put on the path above)

from cnnlib import runtime  # noqa: E402

#: Replicates each stored chapter needs besides the chapter's own seed.
MIN_OTHER_SEEDS = 3


@pytest.fixture(scope="module")
def ch5() -> dict:
    path = replicates.RESULTS / "05_overfitting_replicates.json"
    assert path.exists(), "run: .venv/bin/python benchmarks/replicates.py ch5 --seeds 1 2 3 42"
    return json.loads(path.read_text(encoding="utf-8"))


def test_ch5_replicates_are_of_the_chapters_current_recipe(ch5):
    assert ch5["recipe"] == replicates.ch5_recipe(), (
        "Chapter 5's recipe changed since its replicates ran: re-run benchmarks/replicates.py ch5"
    )


def test_ch5_replicates_ran_in_full_mode_with_the_books_numeric_environment(ch5):
    for seed, replicate in ch5["replicates"].items():
        context = replicate["provenance"]
        assert not context["quick"], seed
        for name, value in runtime.ENVIRONMENT.items():
            if name in replicates.RECORDED_VARIABLES:  # the numeric ones (not the log level)
                assert context["environment"].get(name) == value, (seed, name)
        assert len(context["commit"]) == 40, seed
        assert context["machine"]["cpu"], seed
        assert {"tensorflow", "keras", "numpy"} <= set(context), seed


def test_ch5_has_enough_complete_replicates(ch5):
    chapter_seed = replicates.CHAPTERS["ch5"].chapter_seed
    done = [int(s) for s, r in ch5["replicates"].items() if r["complete"]]
    assert len(set(done) - {chapter_seed}) >= MIN_OTHER_SEEDS, done


def test_ch5_records_are_consistent_with_their_curves(ch5):
    epochs = ch5["recipe"]["epochs"]
    for seed, replicate in ch5["replicates"].items():
        for name, record in replicate["models"].items():
            curve = record["val_accuracy"]
            assert len(curve) == len(record["accuracy"]) == epochs, (seed, name)
            assert record["best_val"] == max(curve), (seed, name)
            assert curve[record["best_epoch"] - 1] == record["best_val"], (seed, name)
            assert math.isclose(record["last5_mean"], statistics.fmean(curve[-5:]), abs_tol=1e-4), (
                seed,
                name,
            )
            assert record["final_val"] == curve[-1], (seed, name)


def test_ch5_recipe_is_read_from_the_notebook():
    recipe = replicates.ch5_recipe()
    assert recipe["image_size"] == 64
    assert recipe["batch_size"] == 32
    assert recipe["epochs"] == 40
    assert [run["name"] for run in recipe["runs"]] == list(replicates.CH5_KEYS)
    assert {run["seed"] for run in recipe["runs"]} == {42}
    assert any("def build_model" in cell for cell in recipe["cells"])


def test_a_name_no_cell_defines_is_an_error():
    with pytest.raises(ValueError, match="defines none of"):
        replicates.defining_cells(replicates.CH5, {"build_model", "no_such_name"})


def test_ch5_glue_from_a_replicate():
    def record(best: float, final: float, train: float, loss: list[float]) -> dict:
        curve = [0.6] * (len(loss) - 2) + [best, final]
        return {
            "val_accuracy": curve,
            "val_loss": loss,
            "best_val": best,
            "final_val": final,
            "last5_mean": statistics.fmean(curve[-5:]),
            "best_epoch": len(loss) - 1,
            "final_train": train,
        }

    models = {
        name: record(0.7 + 0.02 * i, 0.69 + 0.02 * i, 1.0 - 0.05 * i, [0.7, 0.6, 0.65, 0.9])
        for i, name in enumerate(replicates.CH5_KEYS)
    }
    glue = replicates.ch5_glue(models)
    assert glue["ch5_baseline_turn_epoch"] == 2
    assert glue["ch5_baseline_val_accuracy_at_turn"] == 0.6
    assert glue["ch5_epochs"] == 4
    assert math.isclose(glue["ch5_augdrop_gain_points"], 6.0)
    assert math.isclose(glue["ch5_val_se_points"], 100 * math.sqrt(0.76 * 0.24 / 1000))
    assert math.isclose(glue["ch5_dropout_gap"], 0.9 - 0.73)


def test_the_replicate_table_shows_each_seed_and_the_range():
    results = {
        "replicates": {
            "1": {"models": {"baseline": {"best_val": 0.7, "best_epoch": 3, "last5_mean": 0.69}}},
            "2": {"models": {"baseline": {"best_val": 0.74, "best_epoch": 9, "last5_mean": 0.7}}},
        }
    }
    rows = replicates.summary_rows(results)
    assert (
        rows[2]
        == "| baseline | 0.700 (3) / 0.690 | 0.740 (9) / 0.700 | 0.700-0.740 | 0.690-0.700 |"
    )


def test_ch5_claims_hold_on_every_replicate(ch5):
    """The chapter's verdicts (benchmarks/claims.py), re-evaluated from each replicate's curves:
    none may be false for any seed (a claim a replicate cannot evaluate is skipped)."""
    import claims

    chapter = replicates.CHAPTERS["ch5"]
    for seed, replicate in ch5["replicates"].items():
        verdicts = claims.evaluate(5, chapter.glue(replicate["models"]))
        assert any(v is True for v in verdicts.values()), seed
        assert [text for text, v in verdicts.items() if v is False] == [], seed
