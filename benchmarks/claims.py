"""The chapters' comparative claims, as inequalities over their glued values.

Each entry names its chapter, quotes (or closely paraphrases) the sentence that makes the claim,
and states it as a Python comparison over glue keys (the names the chapter stores with
``runtime.glue``). ``tests/test_claims.py`` evaluates every claim on the values stored in the
committed notebooks; ``benchmarks/replicates.py`` evaluates a chapter's claims on every
replicate run, so that a verdict the prose draws from one run is checked against re-runs.

Expressions may use numbers, glue keys, ``+ - * /``, ``abs``, ``min``, ``max`` and chained
comparisons (``a < b <= c``), joined with ``and``/``or``; nothing else is evaluated.

>>> evaluate(0, {"a": 0.8, "b": 0.7})["a beats b"]
True
"""

from __future__ import annotations

import ast
import json
import math
import operator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_COMPARE = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_FUNCTIONS = {"abs": abs, "min": min, "max": max}


@dataclass(frozen=True)
class Claim:
    """One comparative sentence of a chapter and the inequality that makes it true."""

    chapter: int
    text: str
    expression: str

    def glue_keys(self) -> set[str]:
        """The glue keys the expression reads."""
        tree = ast.parse(self.expression, mode="eval")
        return {
            node.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Name) and node.id not in _FUNCTIONS
        }


def _value(node: ast.AST, values: dict[str, Any]) -> Any:
    if isinstance(node, ast.Expression):
        return _value(node.body, values)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str)):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in values:
            raise KeyError(node.id)
        return values[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_value(node.operand, values)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return _BINARY[type(node.op)](_value(node.left, values), _value(node.right, values))
    if isinstance(node, ast.BoolOp):
        results = [bool(_value(v, values)) for v in node.values]
        return all(results) if isinstance(node.op, ast.And) else any(results)
    if isinstance(node, ast.Compare):
        left = _value(node.left, values)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _value(right_node, values)
            if type(op) not in _COMPARE or not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _FUNCTIONS
        and not node.keywords
    ):
        return _FUNCTIONS[node.func.id](*(_value(a, values) for a in node.args))
    raise ValueError(f"claims may not use {ast.unparse(node)!r}")


def holds(claim: Claim, values: dict[str, Any]) -> bool:
    """Whether ``claim`` is true of ``values`` (a dict of glue keys); a NaN never satisfies it."""
    numbers = [values[k] for k in claim.glue_keys() if k in values]
    if any(isinstance(v, float) and math.isnan(v) for v in numbers):
        return False
    return bool(_value(ast.parse(claim.expression, mode="eval"), values))


# Chapter 0 holds only the example of the module's docstring.
CLAIMS: list[Claim] = [
    Claim(0, "a beats b", "a > b"),
    # Chapter 4: the classic convnet, a dense baseline, shuffled pixels, the narrow exercise.
    Claim(4, "the dense network has more than four times the parameters", "ch4_param_ratio > 4"),
    Claim(
        4,
        "the dense network makes more mistakes than the convnet (2.0 times as many)",
        "ch4_dense_test_accuracy < ch4_test_accuracy and ch4_error_ratio > 1",
    ),
    Claim(
        4,
        "shuffling the pixels changes the dense network by about the noise of one run",
        "abs(ch4_dense_shuffle_change_points) < 0.5",
    ),
    Claim(
        4,
        "on shuffled pixels the convnet falls and does worse than the dense network",
        "ch4_convnet_shuffled_accuracy < ch4_test_accuracy"
        " and ch4_convnet_shuffled_accuracy < ch4_dense_shuffled_accuracy",
    ),
    Claim(
        4,
        "the narrow convnet costs a fraction of a point",
        "0 < ch4_narrow_cost_points < 1",
    ),
    Claim(
        4,
        "the narrow convnet is still ahead of the dense baseline",
        "ch4_narrow_test_accuracy > ch4_dense_test_accuracy",
    ),
    # Chapter 5: overfitting, augmentation and dropout.
    Claim(5, "more than 180 parameters per training photo", "ch5_params / 2000 > 180"),
    Claim(
        5,
        "the baseline's training accuracy climbs towards 100%",
        "ch5_baseline_train_accuracy > 0.97",
    ),
    Claim(
        5,
        "the baseline's validation loss turns up: lowest at the turn, higher at the end",
        "ch5_baseline_final_val_loss > ch5_baseline_min_val_loss"
        " and ch5_baseline_turn_epoch < ch5_epochs",
    ),
    Claim(
        5,
        "the baseline's validation accuracy goes on improving after the turn of the loss",
        "ch5_baseline_best_epoch > ch5_baseline_turn_epoch"
        " and ch5_baseline_best_val_accuracy > ch5_baseline_val_accuracy_at_turn",
    ),
    Claim(
        5,
        "augmentation, alone or with dropout, ends better on new data: its last-five mean is"
        " above the baseline's",
        "min(ch5_augmented_last5_val_accuracy, ch5_augdrop_last5_val_accuracy)"
        " > ch5_baseline_last5_val_accuracy",
    ),
    Claim(
        5,
        "measured with evaluate, the combined model's gap is smaller than the baseline's",
        "ch5_augdrop_clean_gap < ch5_baseline_clean_gap",
    ),
    Claim(
        5,
        "the regularised models learn more slowly: the combined model's training accuracy in fit"
        " ends below the baseline's",
        "ch5_augdrop_train_accuracy < ch5_baseline_train_accuracy",
    ),
    Claim(
        5,
        "the reloaded checkpoint gives back the best validation accuracy",
        "abs(ch5_reloaded_val_accuracy - ch5_augdrop_best_val_accuracy) < 0.002",
    ),
    Claim(
        5,
        "rotation and zoom keep far less of the photo than a flip and a small shift",
        "ch5_kept_strong < ch5_kept_mild - 0.1",
    ),
    # Chapter 7: autoencoders.
    Claim(
        7,
        'the string "adadelta" barely moves the untrained model',
        "ch7_opt_adadelta > 0.95 * ch7_opt_untrained",
    ),
    Claim(
        7,
        "Adadelta with the old learning rate of 1.0 trains",
        "ch7_opt_adadelta_lr1 < 0.5 * ch7_opt_adadelta",
    ),
    Claim(
        7,
        "the transposed decoder fits worse than the upsampling one",
        "ch7_transpose_test_loss > ch7_ae_test_loss",
    ),
    Claim(
        7,
        "the upsampling decoder's grid pattern is well above the test images'",
        "ch7_grid_rms_up_vs_test > 2",
    ),
    Claim(7, "the denoiser raises the PSNR", "ch7_psnr_gain > 0"),
    Claim(
        7,
        "the mean of per-image PSNRs is not below the PSNR of the mean error",
        "ch7_denoised_psnr >= ch7_psnr_of_mean_mse",
    ),
    Claim(
        7,
        "a larger code lowers the test error (sweep: largest against smallest)",
        "ch7_sweep_error_ratio > 1",
    ),
    Claim(
        7,
        "twice the code (the Keras blog's model) lowers the test MSE",
        "ch7_blog_mse < ch7_ae_test_mse and ch7_blog_mse_gain > 0",
    ),
    Claim(
        7,
        "longer training and a larger code both lower the error",
        "ch7_budget_gain > 0 and ch7_blog_mse_gain > 0",
    ),
    # Chapter 8: LeNet-5, global average pooling and class activation maps.
    Claim(
        8,
        "the modern variant and LeNet-5 are close (within a point)",
        "abs(ch8_modern_test_accuracy - ch8_lenet_test_accuracy) < 0.01",
    ),
    Claim(
        8,
        "the GAP head has less than a quarter of the flatten head's parameters",
        "ch8_gap_params < ch8_flatten_params / 4",
    ),
    Claim(
        8,
        "with digits anywhere, the flatten head is ahead of the GAP head (in every replicate too)",
        "ch8_flatten_test_accuracy > ch8_gap_test_accuracy",
    ),
    Claim(
        8,
        "in the training region the flatten model is the better one",
        "ch8_flatten_near_accuracy > ch8_gap_near_accuracy",
    ),
    Claim(
        8,
        "in the new place the flatten model collapses to about the 10% of guessing or below",
        "ch8_flatten_far_accuracy < 0.15",
    ),
    Claim(
        8,
        "the GAP model keeps most of its accuracy in the new place",
        "ch8_gap_far_accuracy > 0.8 and ch8_gap_far_accuracy < ch8_gap_near_accuracy",
    ),
    Claim(
        8,
        "class activation maps point at the ink far more often than a random point or the centre",
        "ch8_cam_pointing_tolerant > max(ch8_random_pointing_tolerant,"
        " ch8_centre_pointing_tolerant)",
    ),
    Claim(
        8,
        "Grad-CAM puts more of its total outside the digit's frame than CAM",
        "ch8_gradcam_outside_frame > ch8_cam_outside_frame",
    ),
    Claim(
        8,
        "on an empty larger canvas the ten probabilities are close to a tenth each",
        "0.05 <= ch8_empty_low <= ch8_empty_high <= 0.15",
    ),
    Claim(
        8,
        "halfway, the flatten head has failed and the GAP head is about where it was",
        "ch8_halfway_flatten_accuracy < 0.1"
        " and abs(ch8_halfway_gap_accuracy - ch8_gap_far_accuracy) < 0.03",
    ),
]


def stored_glue(notebook: str | Path) -> dict[str, Any]:
    """The values a stored notebook glued (``runtime.glue``), by key, read from its outputs."""
    cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    values: dict[str, Any] = {}
    for cell in cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            text = output.get("data", {}).get("application/papermill.record/text/plain")
            if name is not None and text is not None:
                try:
                    values[name] = ast.literal_eval(text)
                except (ValueError, SyntaxError):
                    values[name] = text
    return values


def for_chapter(chapter: int) -> list[Claim]:
    """The claims of one chapter."""
    return [claim for claim in CLAIMS if claim.chapter == chapter]


def evaluate(chapter: int, values: dict[str, Any]) -> dict[str, bool | None]:
    """Each of a chapter's claims (by its text): true, false, or None where ``values`` lacks a
    key it reads (a replicate does not produce every glued value)."""
    return {
        claim.text: holds(claim, values) if claim.glue_keys() <= set(values) else None
        for claim in for_chapter(chapter)
    }
