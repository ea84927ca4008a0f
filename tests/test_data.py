"""cnnlib.data: the loaders on the seeded Keras cache, and on broken files made here."""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from cnnlib import data, runtime

# Published facts about the datasets, independent of how they are read.
MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def idx_bytes(array: np.ndarray) -> bytes:
    """An IDX file holding ``array`` (uint8)."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(n.to_bytes(4, "big") for n in array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_idx_dataset(folder: Path, train: int = 5, test: int = 3) -> None:
    """Four small gzip-compressed IDX files laid out as in the Keras cache."""
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (train, 28, 28)),
        "train-labels-idx1-ubyte.gz": rng.integers(0, 10, train),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (test, 28, 28)),
        "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, test),
    }
    for name, array in arrays.items():
        (folder / name).write_bytes(gzip.compress(idx_bytes(array)))


@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    return tmp_path / "keras" / "datasets"


# --- read_idx -----------------------------------------------------------------------------------


def test_read_idx_reads_raw_and_gzip_files(tmp_path):
    array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    (tmp_path / "a-idx3-ubyte").write_bytes(idx_bytes(array))
    (tmp_path / "a-idx3-ubyte.gz").write_bytes(gzip.compress(idx_bytes(array)))
    np.testing.assert_array_equal(data.read_idx(tmp_path / "a-idx3-ubyte"), array)
    np.testing.assert_array_equal(data.read_idx(tmp_path / "a-idx3-ubyte.gz"), array)


def test_read_idx_reads_big_endian_integers(tmp_path):
    header = bytes([0, 0, 0x0C, 1]) + (2).to_bytes(4, "big")
    (tmp_path / "b").write_bytes(header + (1).to_bytes(4, "big") + (70000).to_bytes(4, "big"))
    assert data.read_idx(tmp_path / "b").tolist() == [1, 70000]


def test_truncated_idx_file_is_an_error_naming_the_file(tmp_path):
    path = tmp_path / "cut-idx1-ubyte"
    path.write_bytes(idx_bytes(np.arange(10, dtype=np.uint8))[:-3])
    with pytest.raises(data.DataFileError, match=r"cut-idx1-ubyte: truncated.*\(10,\)"):
        data.read_idx(path)


def test_idx_file_longer_than_its_header_is_an_error(tmp_path):
    path = tmp_path / "long-idx1-ubyte"
    path.write_bytes(idx_bytes(np.arange(10, dtype=np.uint8)) + b"\x00")
    with pytest.raises(data.DataFileError, match="long-idx1-ubyte: longer than its header"):
        data.read_idx(path)


def test_wrong_magic_number_is_an_error_naming_the_file(tmp_path):
    path = tmp_path / "wrong-magic"
    path.write_bytes(b"\x50\x4b\x03\x04" + bytes(20))
    with pytest.raises(data.DataFileError, match="wrong-magic: not an IDX file"):
        data.read_idx(path)


def test_truncated_gzip_is_an_error_naming_the_file(tmp_path):
    path = tmp_path / "cut.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.arange(100, dtype=np.uint8)))[:-10])
    with pytest.raises(data.DataFileError, match=r"cut.gz: corrupt or truncated gzip"):
        data.read_idx(path)


def test_gzip_with_a_flipped_byte_is_an_error(tmp_path):
    content = bytearray(gzip.compress(idx_bytes(np.arange(200, dtype=np.uint8))))
    content[-6] ^= 0xFF  # inside the CRC-32 trailer
    path = tmp_path / "flipped.gz"
    path.write_bytes(bytes(content))
    with pytest.raises(data.DataFileError, match=r"flipped.gz"):
        data.read_idx(path)


def test_data_file_error_is_a_value_error():
    assert issubclass(data.DataFileError, ValueError)


# --- MNIST and Fashion-MNIST from the seeded cache ----------------------------------------------


def test_load_mnist_gives_the_published_dataset():
    (x_train, y_train), (x_test, y_test) = data.load_mnist()
    assert x_train.shape == (60000, 28, 28) and x_train.dtype == np.uint8
    assert x_test.shape == (10000, 28, 28) and x_test.dtype == np.uint8
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert y_test[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert np.bincount(y_train).tolist() == MNIST_TRAIN_COUNTS
    assert np.bincount(y_test).tolist() == MNIST_TEST_COUNTS
    assert x_train.max() == 255 and x_train.min() == 0


def test_load_fashion_mnist_gives_ten_balanced_classes():
    (x_train, y_train), (x_test, y_test) = data.load_fashion_mnist()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert np.bincount(y_train).tolist() == [6000] * 10
    assert np.bincount(y_test).tolist() == [1000] * 10
    assert len(data.FASHION_MNIST_CLASSES) == 10


def test_load_mnist_reads_the_idx_files_of_the_cache(empty_cache):
    write_idx_dataset(empty_cache / "mnist", train=5, test=3)
    (x_train, _), (_, y_test) = data.load_mnist()
    assert x_train.shape == (5, 28, 28) and y_test.shape == (3,)


def test_load_mnist_names_a_truncated_file_in_the_cache(empty_cache):
    write_idx_dataset(empty_cache / "mnist")
    path = empty_cache / "mnist" / "t10k-images-idx3-ubyte.gz"
    raw = gzip.decompress(path.read_bytes())
    path.write_bytes(gzip.compress(raw[:-100]))
    with pytest.raises(data.DataFileError, match=r"t10k-images-idx3-ubyte.gz: truncated"):
        data.load_mnist()


def test_load_mnist_rejects_labels_that_do_not_match_the_images(empty_cache):
    write_idx_dataset(empty_cache / "mnist", train=5)
    labels = empty_cache / "mnist" / "train-labels-idx1-ubyte.gz"
    labels.write_bytes(gzip.compress(idx_bytes(np.zeros(4, np.uint8))))
    with pytest.raises(data.DataFileError, match=r"5 images but .* 4 labels"):
        data.load_mnist()


def test_load_mnist_falls_back_to_keras_without_idx_files(empty_cache, monkeypatch):
    import keras

    empty_cache.mkdir(parents=True)
    (empty_cache / "mnist.npz").write_bytes(b"cached by keras")
    sentinel = ((np.zeros((1, 28, 28), np.uint8), np.zeros(1, np.uint8)),) * 2
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda: sentinel)
    monkeypatch.setattr(runtime, "OFFLINE", True)  # mnist.npz is cached: nothing to download
    assert data.load_mnist() is sentinel


def test_offline_mode_refuses_to_download(empty_cache, monkeypatch):
    monkeypatch.setattr(runtime, "OFFLINE", True)
    with pytest.raises(FileNotFoundError, match="CNNLIB_OFFLINE=1"):
        data.load_mnist()
    with pytest.raises(FileNotFoundError, match="CNNLIB_OFFLINE=1"):
        data.load_fashion_mnist()
    with pytest.raises(FileNotFoundError, match="CNNLIB_OFFLINE=1"):
        data.cats_vs_dogs_dir()


def test_keras_cache_dir_follows_keras_home(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert data.keras_cache_dir() == tmp_path / "datasets"


# --- cats vs dogs -------------------------------------------------------------------------------


def test_cats_vs_dogs_has_the_documented_folders_and_counts():
    root = data.cats_vs_dogs_dir()
    assert data.check_image_folder(root / "train", ["cats", "dogs"]) == 2000
    assert data.check_image_folder(root / "validation", ["cats", "dogs"]) == 1000
    assert len(list((root / "validation" / "dogs").glob("*.jpg"))) == 500


def test_load_cats_vs_dogs_gives_batches_of_resized_images_and_binary_labels():
    train, validation = data.load_cats_vs_dogs(image_size=64, batch_size=8)
    images, labels = next(iter(validation))
    assert tuple(images.shape) == (8, 64, 64, 3) and images.dtype.name == "float32"
    assert tuple(labels.shape) == (8, 1)
    assert float(images.numpy().max()) <= 255.0
    assert train.element_spec[0].shape.as_list() == [None, 64, 64, 3]
    assert validation.cardinality().numpy() == 1000 // 8


def test_a_corrupt_archive_is_an_error_naming_it(empty_cache):
    empty_cache.mkdir(parents=True)
    archive = empty_cache / "cats_and_dogs_filtered.zip"
    archive.write_bytes(b"PK\x03\x04 this is not really a zip file")
    with pytest.raises(data.DataFileError, match=r"cats_and_dogs_filtered.zip: corrupt"):
        data.cats_vs_dogs_dir()
    assert not (empty_cache / "cats_and_dogs_filtered").exists()  # nothing half-extracted


@pytest.fixture
def image_folder(tmp_path):
    """A copy of two real JPEGs per class, to break in each test."""
    source = data.cats_vs_dogs_dir() / "validation"
    for name in ("cats", "dogs"):
        (tmp_path / name).mkdir()
        for jpeg in sorted((source / name).glob("*.jpg"))[:2]:
            shutil.copy(jpeg, tmp_path / name / jpeg.name)
    return tmp_path


def test_check_image_folder_accepts_good_images_and_skips_hidden_files(image_folder):
    (image_folder / "cats" / ".DS_Store").write_bytes(b"\x00\x01")
    assert data.check_image_folder(image_folder, ["cats", "dogs"]) == 4


def test_folder_without_the_class_folders_is_an_error(image_folder):
    with pytest.raises(ValueError, match=r"missing \['birds'\], found \['cats', 'dogs'\]"):
        data.check_image_folder(image_folder, ["cats", "birds"])


def test_empty_class_folder_is_an_error(image_folder):
    (image_folder / "birds").mkdir()
    with pytest.raises(ValueError, match="birds holds no images"):
        data.check_image_folder(image_folder, ["cats", "birds"])


def test_file_that_is_not_an_image_is_an_error_naming_it(image_folder):
    (image_folder / "dogs" / "notes.txt").write_text("not a dog")
    with pytest.raises(ValueError, match=r"notes.txt: not an image"):
        data.check_image_folder(image_folder, ["cats", "dogs"])


def test_jpeg_name_on_other_content_is_an_error_naming_it(image_folder):
    (image_folder / "dogs" / "fake.jpg").write_text("GIF89a? no, plain text")
    with pytest.raises(ValueError, match=r"fake.jpg: not a .jpg image"):
        data.check_image_folder(image_folder, ["cats", "dogs"])


def test_truncated_jpeg_is_an_error_naming_it(image_folder):
    victim = sorted((image_folder / "cats").glob("*.jpg"))[0]
    victim.write_bytes(victim.read_bytes()[: victim.stat().st_size // 2])
    with pytest.raises(ValueError, match=re.escape(f"{victim.name}: truncated image")):
        data.check_image_folder(image_folder, ["cats", "dogs"])


def test_image_folder_dataset_refuses_a_broken_folder_before_building(image_folder):
    (image_folder / "dogs" / "notes.txt").write_text("not a dog")
    with pytest.raises(ValueError, match=r"notes.txt"):
        data.image_folder_dataset(image_folder, ["cats", "dogs"], image_size=32)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"image_size": 0}, "image_size must be"),
        ({"image_size": (32, 32, 3)}, "image_size must be"),
        ({"batch_size": 0}, "batch_size must be an integer >= 1"),
        ({"seed": -1}, "seed must be an integer >= 0"),
        ({"class_names": "cats"}, "class_names must be a list"),
    ],
)
def test_image_folder_dataset_rejects_bad_arguments(image_folder, kwargs, message):
    arguments = {"class_names": ["cats", "dogs"]} | kwargs
    with pytest.raises(ValueError, match=message):
        data.image_folder_dataset(image_folder, **arguments)


def test_missing_directory_is_an_error():
    with pytest.raises(ValueError, match="does not exist"):
        data.check_image_folder("/no/such/folder", ["cats"])


# --- sample images ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", data.SAMPLE_IMAGES)
def test_sample_images_are_float32_in_the_unit_range(name):
    image = data.sample_image(name)
    assert image.dtype == np.float32
    assert image.min() >= 0.0 and image.max() <= 1.0
    assert image.ndim == (2 if name == "camera" else 3)


def test_sample_image_in_grey():
    assert data.sample_image("astronaut", gray=True).shape == (512, 512)


def test_unknown_sample_image_is_an_error():
    with pytest.raises(ValueError, match="name must be one of"):
        data.sample_image("dog")


def test_an_empty_folder_is_an_error_naming_the_missing_classes(tmp_path):
    with pytest.raises(ValueError, match=r"missing \['cats', 'dogs'\], found \[\]"):
        data.image_folder_dataset(tmp_path, ["cats", "dogs"], image_size=32)


def test_an_iterator_stopped_early_does_not_truncate_the_dataset(image_folder):
    dataset = data.image_folder_dataset(
        image_folder, ["cats", "dogs"], image_size=16, batch_size=1, shuffle=True, seed=0
    )
    next(iter(dataset))  # a peek at the first batch, abandoned
    list(dataset.take(1))
    labels = [int(y[0, 0]) for _, y in dataset]
    assert sorted(labels) == [0, 0, 1, 1]


def test_the_training_order_changes_every_epoch_and_repeats_with_the_seed(image_folder):
    for name in ("cats", "dogs"):  # 12 images, so that two orders are unlikely to coincide
        for jpeg in sorted((image_folder / name).glob("*.jpg")):
            for copy in range(2):
                shutil.copy(jpeg, jpeg.with_name(f"{jpeg.stem}_{copy}.jpg"))

    def epochs(seed, count):
        """Each epoch's images, as one brightness sum per image in the order they came."""
        dataset = data.image_folder_dataset(
            image_folder, ["cats", "dogs"], image_size=8, batch_size=12, shuffle=True, seed=seed
        )
        return [tuple(np.asarray(x).sum(axis=(1, 2, 3)).round(2)) for x, _ in dataset.repeat(count)]

    first, second = epochs(5, 2)
    assert first != second  # reshuffled for the second epoch
    assert sorted(first) == sorted(second)  # the same images
    assert epochs(5, 2) == [first, second]  # one seed, one sequence of epochs
