"""The book's datasets, read through the Keras cache: downloaded once, then offline.

The cache is Keras's own (``$KERAS_HOME/datasets``, by default ``~/.keras/datasets``), so a file
that Keras or an earlier chapter downloaded is reused. Every file is checked as it is read: a
truncated or corrupt file raises :class:`DataFileError` naming it, never a silently wrong array.

>>> from cnnlib import data
>>> (x_train, y_train), (x_test, y_test) = data.load_mnist()
>>> x_train.shape, x_train.dtype, y_train[:5]
((60000, 28, 28), dtype('uint8'), array([5, 0, 4, 1, 9], dtype=uint8))
"""

from __future__ import annotations

import gzip
import os
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from cnnlib import runtime
from cnnlib._validate import integer, integer_pair

if TYPE_CHECKING:
    import tensorflow as tf

Split = tuple[NDArray[np.uint8], NDArray[np.uint8]]

#: Where Keras downloads the small cats-vs-dogs archive from (once, into its cache).
CATS_VS_DOGS_URL = "https://storage.googleapis.com/mledu-datasets/cats_and_dogs_filtered.zip"
#: The class folders of the cats-vs-dogs set, in label order: 0 is a cat, 1 a dog.
CATS_VS_DOGS_CLASSES = ("cats", "dogs")
#: The photos bundled with scikit-image that :func:`sample_image` loads (no download needed).
SAMPLE_IMAGES = ("astronaut", "camera", "chelsea", "coffee")

_IDX_FILES = {
    "x_train": "train-images-idx3-ubyte.gz",
    "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
}
# IDX type codes (http://yann.lecun.com/exdb/mnist/): the third byte of the magic number.
_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_IMAGE_SIGNATURES = {
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".bmp": (b"BM",),
}


class DataFileError(ValueError):
    """A dataset file is missing a part, corrupt, or not what its name says."""


def keras_cache_dir() -> Path:
    """The folder where Keras caches datasets: ``$KERAS_HOME/datasets``, else ``~/.keras/datasets``.

    Like Keras, falls back to ``/tmp/.keras`` when the home folder is not writable.

    >>> keras_cache_dir().name
    'datasets'
    """
    home = os.environ.get("KERAS_HOME")
    if not home:
        base = Path.home() if os.access(Path.home(), os.W_OK) else Path(tempfile.gettempdir())
        home = str(base / ".keras")
    return Path(home).expanduser() / "datasets"


def read_idx(path: str | os.PathLike[str]) -> NDArray[np.generic]:
    """Read an IDX file (the format of MNIST and Fashion-MNIST), gzip-compressed or not.

    Checks the magic number, that the data is exactly as long as the header's dimensions say,
    and (for ``.gz`` files) gzip's own checksum. Errors name the file.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tiny-idx1-ubyte"
    >>> _ = path.write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1]))
    >>> read_idx(path)
    array([7, 2, 1], dtype=uint8)
    """
    path = Path(path)
    content = path.read_bytes()
    if path.suffix == ".gz":
        try:
            content = gzip.decompress(content)
        except (EOFError, gzip.BadGzipFile, zlib.error) as error:
            raise DataFileError(f"{path}: corrupt or truncated gzip file ({error})") from error
    if len(content) < 4 or content[:2] != b"\x00\x00" or content[2] not in _IDX_TYPES:
        raise DataFileError(f"{path}: not an IDX file (wrong magic number {content[:4]!r})")
    ndim = content[3]
    header = 4 + 4 * ndim
    if ndim == 0 or len(content) < header:
        raise DataFileError(f"{path}: IDX header is incomplete ({len(content)} bytes)")
    shape = tuple(int.from_bytes(content[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(_IDX_TYPES[content[2]])
    expected = int(np.prod(shape)) * dtype.itemsize
    found = len(content) - header
    if found != expected:
        problem = "truncated" if found < expected else "longer than its header says"
        raise DataFileError(
            f"{path}: {problem}: the header promises shape {shape} ({expected} bytes of data), "
            f"the file holds {found}"
        )
    array = np.frombuffer(content, dtype=dtype, offset=header).reshape(shape)
    return array.astype(dtype.newbyteorder("="))


def _require_download(what: str, where: Path) -> None:
    if runtime.OFFLINE:
        raise FileNotFoundError(
            f"{what} is not in the Keras cache ({where}) and CNNLIB_OFFLINE=1 forbids "
            "downloading it; seed the cache (see the README) or unset CNNLIB_OFFLINE"
        )


def _check_images_and_labels(
    images: NDArray[np.generic], labels: NDArray[np.generic], names: tuple[Path, Path]
) -> Split:
    images_path, labels_path = names
    if images.ndim != 3 or images.shape[1:] != (28, 28) or images.dtype != np.uint8:
        raise DataFileError(
            f"{images_path}: expected uint8 images of 28x28, got {images.dtype} {images.shape}"
        )
    if labels.ndim != 1 or labels.dtype != np.uint8 or (labels.size and labels.max() > 9):
        raise DataFileError(f"{labels_path}: expected uint8 labels from 0 to 9")
    if len(images) != len(labels):
        raise DataFileError(
            f"{images_path} holds {len(images)} images but {labels_path} holds {len(labels)} labels"
        )
    return np.asarray(images, dtype=np.uint8), np.asarray(labels, dtype=np.uint8)


def _load_idx_dataset(
    folder: str, keras_loader: Callable[[], tuple[Split, Split]], fallback_file: str | None
) -> tuple[Split, Split]:
    """Read the four IDX files of ``datasets/<folder>/``, or let Keras download the dataset."""
    directory = keras_cache_dir() / folder
    paths = {key: directory / name for key, name in _IDX_FILES.items()}
    if all(path.is_file() for path in paths.values()):
        arrays = {key: read_idx(path) for key, path in paths.items()}
        train = _check_images_and_labels(
            arrays["x_train"], arrays["y_train"], (paths["x_train"], paths["y_train"])
        )
        test = _check_images_and_labels(
            arrays["x_test"], arrays["y_test"], (paths["x_test"], paths["y_test"])
        )
        return train, test
    cached = directory.parent / fallback_file if fallback_file else None
    if cached is None or not cached.is_file():
        _require_download(folder, directory)
    runtime.quiet_tensorflow()
    return keras_loader()


def load_mnist() -> tuple[Split, Split]:
    """MNIST as ``(x_train, y_train), (x_test, y_test)``: uint8 digits of 28x28 and their labels.

    Reads the four original IDX files from ``$KERAS_HOME/datasets/mnist/`` when they are there,
    and otherwise calls ``keras.datasets.mnist.load_data()`` (which downloads ``mnist.npz``
    once); both give the same arrays: 60,000 training and 10,000 test images.
    """

    def keras_loader() -> tuple[Split, Split]:
        import keras

        return keras.datasets.mnist.load_data()  # type: ignore[no-any-return]

    return _load_idx_dataset("mnist", keras_loader, fallback_file="mnist.npz")


def load_fashion_mnist() -> tuple[Split, Split]:
    """Fashion-MNIST as ``(x_train, y_train), (x_test, y_test)``, like :func:`load_mnist`.

    Ten classes of clothing (see :data:`FASHION_MNIST_CLASSES`), 28x28 uint8 images. Reads the IDX
    files of ``$KERAS_HOME/datasets/fashion-mnist/`` (where Keras caches them), checking each, or
    lets ``keras.datasets.fashion_mnist.load_data()`` download them.
    """

    def keras_loader() -> tuple[Split, Split]:
        import keras

        return keras.datasets.fashion_mnist.load_data()  # type: ignore[no-any-return]

    return _load_idx_dataset("fashion-mnist", keras_loader, fallback_file=None)


#: The ten Fashion-MNIST classes, in label order.
FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip


def _extract_zip(archive: Path, destination: Path) -> None:
    """Extract ``archive`` into ``destination`` through a temporary folder, so that an
    interrupted extraction never leaves a half-filled dataset behind."""
    work = Path(tempfile.mkdtemp(prefix=".extracting-", dir=destination.parent))
    try:
        try:
            with zipfile.ZipFile(archive) as bundle:
                for member in bundle.namelist():
                    target = (work / member).resolve()
                    if not target.is_relative_to(work.resolve()):
                        raise DataFileError(f"{archive}: unsafe path in archive: {member!r}")
                corrupt = bundle.testzip()
                if corrupt is not None:
                    raise DataFileError(f"{archive}: corrupt member {corrupt!r}")
                bundle.extractall(work)
        except (zipfile.BadZipFile, zlib.error, EOFError) as error:
            raise DataFileError(f"{archive}: corrupt or truncated zip file ({error})") from error
        extracted = work / destination.name
        if not extracted.is_dir():
            raise DataFileError(f"{archive}: has no top-level folder {destination.name}/")
        extracted.rename(destination)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def cats_vs_dogs_dir() -> Path:
    """The folder of the small cats-vs-dogs set, downloading and extracting it the first time.

    It holds ``train/{cats,dogs}`` (1,000 + 1,000 JPEGs) and ``validation/{cats,dogs}``
    (500 + 500). The archive comes from :data:`CATS_VS_DOGS_URL` through
    ``keras.utils.get_file`` and is extracted beside it, once.
    """
    datasets = keras_cache_dir()
    archive = datasets / "cats_and_dogs_filtered.zip"
    root = datasets / "cats_and_dogs_filtered"
    if root.is_dir():
        return root
    if not archive.is_file():
        _require_download("cats_and_dogs_filtered.zip", datasets)
        runtime.quiet_tensorflow()
        import keras

        downloaded = keras.utils.get_file(
            "cats_and_dogs_filtered.zip", origin=CATS_VS_DOGS_URL, cache_dir=str(datasets.parent)
        )
        archive = Path(downloaded)
    _extract_zip(archive, root)
    return root


def check_image_folder(directory: str | os.PathLike[str], class_names: Sequence[str]) -> int:
    """Check a folder laid out for ``keras.utils.image_dataset_from_directory``.

    Each name in ``class_names`` must be a sub-folder holding at least one image, and every file
    in those sub-folders (hidden files aside) must be a complete JPEG, PNG, GIF or BMP image. The
    check reads only each file's first and last bytes, so it is fast. Returns the number of
    images; raises ``ValueError`` naming the first problem found.

    >>> check_image_folder(cats_vs_dogs_dir() / "validation", ["cats", "dogs"])
    1000
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ValueError(f"directory {directory} does not exist or is not a folder")
    if isinstance(class_names, str) or len(class_names) < 1:
        raise ValueError(f"class_names must be a list of folder names, got {class_names!r}")
    missing = [name for name in class_names if not (directory / name).is_dir()]
    if missing:
        found = sorted(p.name for p in directory.iterdir() if p.is_dir())
        raise ValueError(
            f"directory {directory} must have one sub-folder per class {list(class_names)}; "
            f"missing {missing}, found {found}"
        )
    total = 0
    for name in class_names:
        files = sorted(p for p in (directory / name).iterdir() if not p.name.startswith("."))
        if not files:
            raise ValueError(f"class folder {directory / name} holds no images")
        for file in files:
            _check_image_file(file)
        total += len(files)
    return total


def _check_image_file(path: Path) -> None:
    signatures = _IMAGE_SIGNATURES.get(path.suffix.lower())
    if signatures is None:
        raise DataFileError(
            f"{path}: not an image (class folders may hold only "
            f"{', '.join(sorted(_IMAGE_SIGNATURES))} files)"
        )
    with path.open("rb") as file:
        head = file.read(16)
        file.seek(max(path.stat().st_size - 64, 0))
        tail = file.read().rstrip(b"\x00")
    if not head.startswith(signatures):
        raise DataFileError(f"{path}: not a {path.suffix} image (its first bytes are {head[:8]!r})")
    # JPEG ends with the end-of-image marker and PNG with its IEND chunk: a file cut short lacks it.
    ends = {".jpg": b"\xff\xd9", ".jpeg": b"\xff\xd9", ".png": b"IEND\xaeB`\x82"}
    end = ends.get(path.suffix.lower())
    if end is not None and not tail.endswith(end):
        raise DataFileError(f"{path}: truncated image (no end marker)")


def image_folder_dataset(
    directory: str | os.PathLike[str],
    class_names: Sequence[str],
    image_size: int | tuple[int, int] = 160,
    batch_size: int = 32,
    *,
    shuffle: bool = False,
    seed: int = 0,
) -> tf.data.Dataset:
    """Batches of ``(images, labels)`` from a folder of class sub-folders, decoded once.

    Images are resized to ``image_size`` (float32, values 0-255) and labelled with their class's
    index in ``class_names`` (float32 of shape ``(batch, 1)`` for two classes, int32 for more).
    All images are decoded and resized here, once, and kept in memory, so that an epoch only
    reads memory (and a first iterator stopped early cannot truncate the cache); with
    ``shuffle=True`` their order changes every epoch. The folder is checked first with
    :func:`check_image_folder`.
    """
    height, width = integer_pair(image_size, "image_size")
    batch = integer(batch_size, "batch_size", 1)
    seed = integer(seed, "seed", 0)
    count = check_image_folder(directory, class_names)
    runtime.quiet_tensorflow()
    import keras
    import tensorflow as tf

    dataset = keras.utils.image_dataset_from_directory(
        directory,
        labels="inferred",
        label_mode="binary" if len(class_names) == 2 else "int",
        class_names=list(class_names),
        image_size=(height, width),
        batch_size=None,
        shuffle=False,
    ).cache()
    # Fill the cache now, in one complete pass: an iterator abandoned half-way through the first
    # pass (``next(iter(ds))``, ``ds.take(3)``) would leave TensorFlow's in-memory cache
    # truncated for good, and every later epoch would see only the images read until then.
    decoded = int(dataset.reduce(np.int64(0), lambda n, _: n + 1))
    if decoded != count:
        raise DataFileError(f"{directory}: decoded {decoded} images but found {count} files")
    if shuffle:
        dataset = dataset.shuffle(count, seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch).prefetch(tf.data.AUTOTUNE)


def load_cats_vs_dogs(
    image_size: int | tuple[int, int] = 160, batch_size: int = 32, *, seed: int = 0
) -> tuple[tf.data.Dataset, tf.data.Dataset]:
    """The small cats-vs-dogs set as ``(train, validation)`` datasets of batches.

    Labels: 0 for a cat, 1 for a dog (float32, shape ``(batch, 1)``). The training set is
    reshuffled every epoch (reproducibly, from ``seed``); the validation set keeps its order.
    See :func:`cats_vs_dogs_dir` for where the files come from.
    """
    root = cats_vs_dogs_dir()
    train = image_folder_dataset(
        root / "train", CATS_VS_DOGS_CLASSES, image_size, batch_size, shuffle=True, seed=seed
    )
    validation = image_folder_dataset(
        root / "validation", CATS_VS_DOGS_CLASSES, image_size, batch_size
    )
    return train, validation


def sample_image(name: str = "chelsea", *, gray: bool = False) -> NDArray[np.float32]:
    """One of scikit-image's bundled photos as float32 values in [0, 1].

    ``name`` is one of :data:`SAMPLE_IMAGES`. Colour photos are ``(height, width, 3)``; with
    ``gray=True`` (or for ``camera``) the result is ``(height, width)``.

    >>> sample_image("chelsea").shape
    (300, 451, 3)
    >>> sample_image("chelsea", gray=True).shape
    (300, 451)
    """
    if name not in SAMPLE_IMAGES:
        raise ValueError(f"name must be one of {', '.join(SAMPLE_IMAGES)}; got {name!r}")
    import skimage.color
    import skimage.data

    image = getattr(skimage.data, name)()
    result: NDArray[np.float32] = image.astype(np.float32) / 255.0
    if gray and result.ndim == 3:
        result = skimage.color.rgb2gray(result).astype(np.float32)
    return result


def _corner_range(corners: object, highest: int) -> tuple[int, int]:
    """``corners`` as ``(first, last)`` with ``0 <= first <= last <= highest``."""
    if (
        not isinstance(corners, (tuple, list))
        or len(corners) != 2
        or any(isinstance(c, bool) or not isinstance(c, (int, np.integer)) for c in corners)
        or not 0 <= corners[0] <= corners[1] <= highest
    ):
        raise ValueError(
            f"corners must be two integers (first, last) with 0 <= first <= last <= {highest} "
            f"(the canvas size minus the image size), got {corners!r}"
        )
    return int(corners[0]), int(corners[1])


def place_digits(
    images: NDArray[np.generic],
    canvas_size: int = 64,
    *,
    seed: int = 0,
    corners: tuple[int, int] | None = None,
) -> tuple[NDArray[np.uint8], NDArray[np.int64], NDArray[np.int64]]:
    """Paste each image at a random position on an empty, larger canvas; return the canvases,
    where each image went, and the box around each digit's ink.

    ``images`` is ``(n, height, width)`` of ``uint8`` (MNIST). Each image lands with its
    top-left corner drawn uniformly from the positions where it fits, using ``seed``. Boxes are
    ``(top, left, bottom, right)`` in canvas pixels, bottom and right exclusive: ``frames`` is
    the pasted ``height x width`` image, ``ink`` the smallest box around its non-zero pixels
    (MNIST centres each digit in its 28x28 frame, so the ink box lies inside the frame).
    Together they make a localisation test for a model trained only to classify.

    ``corners=(first, last)`` confines the digits to one region: the top-left corner's row and
    column are each drawn from ``first`` to ``last`` (both included), so that a model can be
    trained on digits in one part of the canvas and tested on digits in another. By default
    they range over every position where the image fits, ``(0, canvas_size - side)``.

    >>> digits = np.zeros((1, 28, 28), np.uint8)
    >>> digits[0, 10:20, 12:15] = 255
    >>> canvases, frames, ink = place_digits(digits, 40, seed=1)
    >>> canvases.shape, int(canvases.sum() // 255), (ink[0, 2:] - ink[0, :2]).tolist()
    ((1, 40, 40), 30, [10, 3])
    >>> (frames[0, 2:] - frames[0, :2]).tolist(), (ink[0, :2] - frames[0, :2]).tolist()
    ([28, 28], [10, 12])
    >>> _, corner_frames, _ = place_digits(np.repeat(digits, 50, axis=0), 40, corners=(8, 12))
    >>> int(corner_frames[:, :2].min()), int(corner_frames[:, :2].max())
    (8, 12)
    """
    pictures = np.asarray(images)
    if pictures.ndim != 3 or pictures.shape[0] == 0 or pictures.dtype != np.uint8:
        raise ValueError(
            f"images must be a non-empty (n, height, width) uint8 array, got shape "
            f"{pictures.shape} and dtype {pictures.dtype}"
        )
    count, height, width = pictures.shape
    size = integer(canvas_size, "canvas_size", max(height, width))
    inked = pictures > 0
    if not inked.any(axis=(1, 2)).all():
        raise ValueError("every image must have at least one non-zero pixel to box")
    rng = np.random.default_rng(integer(seed, "seed", 0))
    if corners is None:
        tops = rng.integers(0, size - height + 1, count)
        lefts = rng.integers(0, size - width + 1, count)
    else:
        first, last = _corner_range(corners, size - max(height, width))
        tops = rng.integers(first, last + 1, count)
        lefts = rng.integers(first, last + 1, count)
    canvases = np.zeros((count, size, size), np.uint8)
    rows = tops[:, None, None] + np.arange(height)[None, :, None]
    cols = lefts[:, None, None] + np.arange(width)[None, None, :]
    canvases[np.arange(count)[:, None, None], rows, cols] = pictures
    any_row: NDArray[np.bool_] = np.asarray(inked.any(axis=2))
    any_col: NDArray[np.bool_] = np.asarray(inked.any(axis=1))
    first_row, first_col = any_row.argmax(axis=1), any_col.argmax(axis=1)
    last_row = height - any_row[:, ::-1].argmax(axis=1)
    last_col = width - any_col[:, ::-1].argmax(axis=1)
    ink = np.stack(
        [tops + first_row, lefts + first_col, tops + last_row, lefts + last_col], axis=1
    ).astype(np.int64)
    frames = np.stack([tops, lefts, tops + height, lefts + width], axis=1).astype(np.int64)
    return canvases, frames, ink
