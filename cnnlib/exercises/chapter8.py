"""Checkers for the exercises of Chapter 8, "LeNet-5, global average pooling and class
activation maps".

>>> from cnnlib.exercises import chapter8 as check
>>> check.c3_distinct_maps((6, 1))
Not yet: the table has six rows, the S2 maps; a C3 map is a column.
"""

from __future__ import annotations

import numpy as np

from cnnlib import layers
from cnnlib.exercises import (
    Feedback,
    as_fraction,
    as_pair,
    check_array,
    check_tuple,
)

#: Exercise 4's two 2x2 feature maps, ``(height, width, channels)``.
FEATURES = np.array([[[1.0, 0.0], [2.0, 1.0]], [[0.0, 3.0], [1.0, 1.0]]])
#: Exercise 4's class weights of two classes, ``(channels, classes)``.
CLASS_WEIGHTS = np.array([[0.5, -1.0], [2.0, 0.5]])


def c3_distinct_maps(answer: object) -> Feedback:
    """Exercise 1: how many different maps LeNet-5's 16 C3 maps make when every kernel weight is
    the same, ``(with the connection table, fully connected)``.

    >>> c3_distinct_maps((1, 1))
    Not yet: with the table, do two C3 maps ever read the same set of S2 maps?
    """
    with_table = len({tuple(column) for column in layers.LENET_C3_TABLE.T.tolist()})
    return check_tuple(
        answer,
        (with_table, 1),
        hints={
            (16, 16): "fully connected, every C3 map reads the same six S2 maps; with equal "
            "kernels, what could make two of them differ?",
            (1, 1): "with the table, do two C3 maps ever read the same set of S2 maps?",
            (3, 1): "maps that read the same number of S2 maps do not read the same ones: "
            "compare the sets, not their sizes.",
            (1, 16): "the pair is (with the table, fully connected): you swapped them.",
            (6, 1): "the table has six rows, the S2 maps; a C3 map is a column.",
        },
        praise="the table's 16 columns are 16 different sets of S2 maps, so even identical "
        "kernels give 16 different maps, while fully connected C3 maps all read the same six "
        "maps with the same kernel and are one map 16 times. That is the paper's symmetry "
        "argument: the table hands each map its own inputs and keeps them for the whole of "
        "training. LeNet-5 also started from random weights, but those set the maps apart "
        "only at the start.",
    )


def c5_output_shape(answer: object) -> Feedback:
    """Exercise 2: the shape of C5's output when LeNet-5's C1 to C5 read a 40x40 image.

    >>> c5_output_shape((1, 1, 120))
    Not yet: that is C5 on a 32x32 image; the 8 extra pixels do not vanish.
    """
    size = 40
    for kernel in (5, 2, 5, 2, 5):  # C1, S2, C3, S4, C5
        size = (size - kernel) // (2 if kernel == 2 else 1) + 1
    return check_tuple(
        answer,
        (size, size, 120),
        hints={
            (1, 1, 120): "that is C5 on a 32x32 image; the 8 extra pixels do not vanish.",
            (7, 7, 120): "that is the size of S4's output; C5 is a valid 5x5 convolution.",
            (7, 7, 16): "that is S4's output; C5 is a valid 5x5 convolution with 120 filters.",
            (2, 2, 120): "a valid convolution with a 5x5 kernel takes 4 pixels off a side, not 5.",
        },
        praise="40 -> 36 (C1) -> 18 (S2) -> 14 (C3) -> 7 (S4) -> 3 (C5). The 3x3 positions are "
        "nine 32x32 windows of the image, 4 pixels apart: the convolutional part of LeNet-5 "
        "computes its 120 features for each of them in one pass.",
    )


#: Exercise 3: the lowest accuracy an honest run gives for the chapter's GAP model (trained on
#: 64x64 canvases) on the test digits placed on 96x96 canvases; runs give about 0.9. Below it,
#: the weights were not the trained model's or the canvases were not scaled like the training ones.
LARGER_CANVAS_FLOOR = 0.8


def larger_canvas_accuracy(answer: object) -> Feedback:
    """Exercise 3 (an experiment): the test accuracy of the chapter's trained GAP model, its
    weights copied into the same network built for 96x96 canvases, on the test digits placed at
    random on 96x96 canvases.

    Accepted: from :data:`LARGER_CANVAS_FLOOR` to 1; runs differ with the machine and the
    library versions. Outside that range the feedback says what usually went wrong.

    >>> larger_canvas_accuracy(0.91).correct
    True
    >>> larger_canvas_accuracy(91)
    Not yet: give the accuracy as a fraction between 0 and 1, not as a percentage.
    """
    accuracy = as_fraction(answer, "accuracy")
    if isinstance(accuracy, Feedback):
        return accuracy
    if accuracy < 0.2:
        return Feedback(
            False,
            f"{accuracy:.3f} is what an untrained network gets. Did you copy the trained GAP "
            'model\'s weights (heads["gap"].get_weights()) into the 96x96 network before '
            "evaluating it?",
        )
    if accuracy < LARGER_CANVAS_FLOOR:
        return Feedback(
            False,
            f"{accuracy:.3f} is low for the GAP model. Check that the canvases are scaled to "
            "[0, 1] like cx_test, that the labels are cy_test for test_images[:n_canvas_test], "
            'and that the weights come from heads["gap"], trained on digits anywhere (not '
            "region_models).",
        )
    return Feedback(
        True,
        f"{accuracy:.3f}, close to what the same weights score on 64x64 canvases. A "
        "convolution computes a digit's features the same way wherever it lies, and the GAP "
        "head needs only their average, whatever the number of positions. The empty canvas "
        "around the digit dilutes that average, but an empty canvas scores almost the same for "
        "every class, so the winner rarely changes. A flatten head cannot even be built here: "
        "its Dense layer expects exactly 8,192 numbers.",
    )


def cam_by_hand(answer: object) -> Feedback:
    """Exercise 4: the class activation map of class 1 for :data:`FEATURES` and
    :data:`CLASS_WEIGHTS`.

    >>> cam_by_hand(FEATURES @ CLASS_WEIGHTS[:, 0])
    Not yet: that is the map of class 0.
    """
    expected = FEATURES @ CLASS_WEIGHTS[:, 1]
    return check_array(
        answer,
        expected,
        hints={
            "class 0": (FEATURES @ CLASS_WEIGHTS[:, 0], "that is the map of class 0."),
            "rows": (
                FEATURES @ CLASS_WEIGHTS[1, :],
                "the weights of a class are a column of CLASS_WEIGHTS, not a row.",
            ),
        },
        praise="each position's value is -1 times channel 0 plus 0.5 times channel 1. Its mean "
        "is the class's score before the bias.",
    )


#: Exercise 5: the lowest share an honest run gives for both class activation maps of a
#: two-digit canvas hitting their own digit's ink box (2-pixel tolerance); runs give about 0.6
#: to 0.75.
TWO_DIGITS_FLOOR = 0.5


def two_digit_pointing(answer: object) -> Feedback:
    """Exercise 5 (an experiment): on canvases holding two digits of different classes, the
    share on which the GAP model's class activation maps for both classes point at their own
    digit (the ink box, with a tolerance of 2 pixels).

    Accepted: from :data:`TWO_DIGITS_FLOOR` to 1; runs differ with the machine and the library
    versions.

    >>> two_digit_pointing(0.72).correct
    True
    >>> two_digit_pointing(72)
    Not yet: give the share as a fraction between 0 and 1, not as a percentage.
    """
    share = as_fraction(answer, "share")
    if isinstance(share, Feedback):
        return share
    if share < TWO_DIGITS_FLOOR:
        return Feedback(
            False,
            f"{share:.3f} is low for class activation maps. Check that each map is computed "
            "for its own digit's class (labels_a for the digit in boxes_a, labels_b for the "
            "one in boxes_b), upsampled to 64x64 before the pointing game, tested with "
            "tolerance=2, and that it comes from the GAP model (gap_model), trained on digits "
            "anywhere.",
        )
    return Feedback(
        True,
        f"{share:.3f}. The model was trained on one digit per canvas and never told where it "
        "was, yet on most canvases each class's map finds its own digit: a class activation "
        "map is one class's evidence, position by position, so two classes can point at two "
        "places on the same canvas.",
    )


#: Exercise 6: the lowest accuracy an honest run gives for the GAP model trained on digits in the
#: top-left corner and tested halfway (corners 14 to 22); below it, the model has barely learned.
HALFWAY_GAP_FLOOR = 0.5
#: Exercise 6: the highest accuracy an honest run gives for the flatten model tested halfway
#: (runs give about 0.01 to 0.12); above it, the test digits were not where the exercise says.
HALFWAY_FLATTEN_CEILING = 0.5


def halfway_accuracies(answer: object) -> Feedback:
    """Exercise 6 (an experiment): the test accuracies ``(flatten, gap)`` of the two models
    trained on digits in the top-left corner of the canvas (corners 0 to 8) when the test
    digits sit halfway to the bottom-right one (corners 14 to 22).

    Accepted: the GAP model's accuracy from :data:`HALFWAY_GAP_FLOOR` to 1 and the flatten
    model's from 0 to :data:`HALFWAY_FLATTEN_CEILING`; runs differ with the machine and the
    library versions. Outside that range the feedback says what usually went wrong.

    >>> halfway_accuracies((0.4, 0.85)).correct
    True
    >>> halfway_accuracies((40, 85))
    Not yet: give the accuracies as fractions between 0 and 1, not as percentages.
    """
    pair = as_pair(answer, "two numbers, (flatten accuracy, GAP accuracy)")
    if isinstance(pair, Feedback):
        return pair
    flatten, gap = pair
    if any(1 < v <= 100 for v in (flatten, gap)):
        return Feedback(
            False, "give the accuracies as fractions between 0 and 1, not as percentages."
        )
    if not (0 <= flatten <= 1 and 0 <= gap <= 1):
        return Feedback(False, "an accuracy lies between 0 and 1.")
    if gap < HALFWAY_GAP_FLOOR:
        return Feedback(
            False,
            f"{gap:.3f} is low for the GAP model: did you swap the two accuracies, or evaluate "
            "with labels that do not belong to the canvases? Use the test labels cy_test with "
            "canvases made from test_images[:n_canvas_test], and region_models, the models "
            "trained on the top-left corner.",
        )
    if flatten > HALFWAY_FLATTEN_CEILING:
        return Feedback(
            False,
            f"{flatten:.3f} is high for the flatten model on digits moved halfway. "
            "Check that you passed corners=(14, 22) to place_digits (not the training region's "
            "corners) and that you evaluated region_models, not the models trained on digits "
            "anywhere (heads).",
        )
    return Feedback(
        True,
        f"flatten {flatten:.3f}, GAP {gap:.3f}. Halfway is already far for the flatten head, "
        "although most halfway digits still have ink on pixels where training digits had ink: "
        "its Dense layer has a weight for every position, and each learned what the top-left "
        "digits' strokes at that position meant. A digit moved by 14 pixels puts other strokes "
        "there, and some on positions no training digit reached. The GAP head adds up the "
        "features wherever they are.",
    )
