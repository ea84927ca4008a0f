"""Chapter 5's experiment, timed: what image size and how many epochs meet its goals here?

The four models of "Overfitting, augmentation and dropout" (the same ``small_convnet`` body and
seed: baseline, + augmentation, + dropout, + both) are trained on the small cats-vs-dogs set
with one setting, and the script prints one row per model and checks the chapter's goals:

- the baseline overfits visibly: final training minus final validation accuracy >= 0.15;
- augmentation plus dropout reaches a best validation accuracy >= 0.80, ends its last epoch at
  >= 0.78, and beats the baseline's best by >= 0.04;
- the four runs, a fifth like the last (the chapter's experiment exercise trains one) and about
  half a minute for the rest of the notebook fit the chapter's time budget of 20 minutes.

The defaults are the chapter's setting: 64 px, Adam at a constant 1e-3, batch 32, seed 42, and
an augmentation of a horizontal flip and a shift of up to 5% (no rotation, no zoom: at 64 px
they destroy too much of the animal). Run it with the project's environment, from the
repository root, for example:

    .venv/bin/python benchmarks/bench_ch5.py
    .venv/bin/python benchmarks/bench_ch5.py --rotation 0.05 --zoom 0.1 --translation 0.1

It exits with status 1 when a goal is missed. The data come from the Keras cache (see
``cnnlib.data.cats_vs_dogs_dir``); nothing is written to the repository.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

#: Chapter 5's goals, from its issue.
MIN_BASELINE_GAP = 0.15
MIN_AUGDROP_ACCURACY = 0.80
MIN_AUGDROP_FINAL_ACCURACY = 0.78
MIN_MARGIN_OVER_BASELINE = 0.04
#: What the notebook spends besides training (figures, evaluation), an estimate; the time to
#: load the data is measured.
OVERHEAD_SECONDS = 30.0
#: Epochs per model in the chapter (its `epochs`).
EPOCHS = 40


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=64, help="image side in pixels")
    parser.add_argument("--epochs", type=int, default=EPOCHS, help="epochs per model")
    parser.add_argument("--filters", type=int, nargs="+", default=[32, 64, 128, 128])
    parser.add_argument("--units", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=1e-3, help="Adam")
    parser.add_argument(
        "--schedule", choices=("constant", "cosine"), default="constant", help="learning rate"
    )
    parser.add_argument("--dropout", type=float, default=0.5)
    parser.add_argument("--rotation", type=float, default=0.0, help="fraction of a full turn")
    parser.add_argument("--zoom", type=float, default=0.0)
    parser.add_argument("--translation", type=float, default=0.05)
    parser.add_argument("--budget-minutes", type=float, default=20.0)
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    from cnnlib import runtime

    runtime.quiet_tensorflow()
    import keras

    from cnnlib import data, models, train

    start = time.perf_counter()
    training, validation = data.load_cats_vs_dogs(args.size, args.batch_size, seed=0)
    loading = time.perf_counter() - start
    steps = int(training.cardinality()) * args.epochs
    variants = {
        "baseline": (False, 0.0),
        "augmentation": (True, 0.0),
        "dropout": (False, args.dropout),
        "augmentation + dropout": (True, args.dropout),
    }
    rows = []
    for name, (augment, dropout) in variants.items():
        runtime.seed(42)
        block = (
            models.augmentation(
                rotation=args.rotation, zoom=args.zoom, translation=args.translation
            )
            if augment
            else None
        )
        model = models.small_convnet(
            args.size, filters=args.filters, units=args.units, augmentation=block, dropout=dropout
        )
        rate = (
            keras.optimizers.schedules.CosineDecay(args.learning_rate, steps)
            if args.schedule == "cosine"
            else args.learning_rate
        )
        model.compile(
            optimizer=keras.optimizers.Adam(rate),
            loss="binary_crossentropy",
            metrics=["accuracy"],
            jit_compile=False,  # XLA was about 2x slower for this model on a 2-core CPU
        )
        began = time.perf_counter()
        history = model.fit(
            training, validation_data=validation, epochs=args.epochs, shuffle=False, verbose=0
        )
        seconds = time.perf_counter() - began
        summary = train.summarize_run(history, "accuracy")
        rows.append(
            {
                "model": name,
                "seconds": round(seconds, 1),
                "seconds_per_epoch": round(seconds / args.epochs, 1),
                "best_val": round(summary.best_val, 4),
                "best_epoch": summary.best_epoch,
                "final_val": round(summary.final_val, 4),
                "final_train": round(summary.final_train, 4),
                "gap": round(summary.gap, 4),
                "val_accuracy": [round(v, 4) for v in history.history["val_accuracy"]],
            }
        )
        print(json.dumps({k: v for k, v in rows[-1].items() if k != "val_accuracy"}), flush=True)
    # The chapter also trains a fifth model, in its rotation-and-zoom experiment's solution: the
    # augmentation-plus-dropout body again, which costs about as much as that run.
    total = loading + sum(row["seconds"] for row in rows) + rows[3]["seconds"] + OVERHEAD_SECONDS
    body = models.small_convnet(args.size, filters=args.filters, units=args.units)
    print(
        f"\n{args.size} px, {args.epochs} epochs, filters {args.filters}, "
        f"{body.count_params():,} parameters; loading {loading:.0f} s\n"
    )
    print("| model | best val (epoch) | final val | final train | gap | time |")
    print("| --- | --- | --- | --- | --- | --- |")
    for row in rows:
        print(
            f"| {row['model']} | {row['best_val']:.3f} ({row['best_epoch']}) | "
            f"{row['final_val']:.3f} | {row['final_train']:.3f} | {row['gap']:.3f} | "
            f"{row['seconds']:.0f} s ({row['seconds_per_epoch']:.1f} s/epoch) |"
        )
    goals = {
        f"baseline gap >= {MIN_BASELINE_GAP}": rows[0]["gap"] >= MIN_BASELINE_GAP,
        f"aug+drop best val >= {MIN_AUGDROP_ACCURACY}": rows[3]["best_val"] >= MIN_AUGDROP_ACCURACY,
        f"aug+drop final val >= {MIN_AUGDROP_FINAL_ACCURACY}": rows[3]["final_val"]
        >= MIN_AUGDROP_FINAL_ACCURACY,
        f"aug+drop beats the baseline's best by >= {MIN_MARGIN_OVER_BASELINE}": rows[3]["best_val"]
        - rows[0]["best_val"]
        >= MIN_MARGIN_OVER_BASELINE,
        f"chapter within {args.budget_minutes:g} min (about {total / 60:.1f})": total
        <= args.budget_minutes * 60,
    }
    print()
    for goal, met in goals.items():
        print(f"{'met   ' if met else 'MISSED'} {goal}")
    if args.json:
        args.json.write_text(json.dumps({"args": vars(args) | {"json": None}, "rows": rows}))
    return 0 if all(goals.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
