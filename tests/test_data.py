import gzip
import struct

import numpy as np
import pytest

from tfopt_docs.data import load_digits, load_fashion_mnist, read_idx, square_dataset


def test_square_dataset_is_seeded_and_in_range():
    x1, y1 = square_dataset(50, seed=3)
    x2, _ = square_dataset(50, seed=3)
    x3, _ = square_dataset(50, seed=4)
    assert np.array_equal(x1, x2) and not np.array_equal(x1, x3)
    assert x1.min() >= 1.0 and x1.max() < 10.0
    np.testing.assert_array_equal(y1, x1**2)


@pytest.mark.parametrize("n", [0, -1])
def test_square_dataset_rejects_bad_n(n):
    with pytest.raises(ValueError, match="`n`"):
        square_dataset(n)


def test_square_dataset_rejects_float_n():
    with pytest.raises(TypeError, match="`n`"):
        square_dataset(10.0)


def test_load_digits_is_the_sklearn_set_scaled():
    x, y = load_digits()
    assert x.shape == (1797, 64) and x.dtype == np.float32
    assert x.min() == 0.0 and x.max() == 1.0
    assert set(np.unique(y)) == set(range(10))


def _write_idx(path, array, compress=False):
    codes = {np.dtype("uint8"): 0x08, np.dtype(">i4"): 0x0C}
    header = bytes([0, 0, codes[array.dtype], array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    data = header + array.tobytes()
    (gzip.open if compress else open)(path, "wb").write(data)


def _fake_fashion(folder, n=6, compress=False):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    suffix = ".gz" if compress else ""
    _write_idx(folder / f"train-images-idx3-ubyte{suffix}", images, compress)
    _write_idx(folder / f"train-labels-idx1-ubyte{suffix}", labels, compress)
    return images, labels


@pytest.mark.parametrize("compress", [False, True])
def test_load_fashion_mnist_reads_idx_files(tmp_path, compress):
    images, labels = _fake_fashion(tmp_path, compress=compress)
    got_images, got_labels = load_fashion_mnist(tmp_path)
    np.testing.assert_array_equal(got_images, images)
    np.testing.assert_array_equal(got_labels, labels)


def test_read_idx_keeps_big_endian_integers(tmp_path):
    values = np.array([1, -2, 70000], dtype=">i4")
    _write_idx(tmp_path / "ints", values)
    np.testing.assert_array_equal(read_idx(tmp_path / "ints"), [1, -2, 70000])


def test_load_fashion_mnist_names_the_missing_files(tmp_path):
    _fake_fashion(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"t10k-images-idx3-ubyte\[\.gz\], t10k-labels-idx1-ubyte\[\.gz\]"):
        load_fashion_mnist(tmp_path, split="test")


def test_load_fashion_mnist_rejects_bad_split_and_folder(tmp_path):
    with pytest.raises(ValueError, match="`split`"):
        load_fashion_mnist(tmp_path, split="validation")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_fashion_mnist(tmp_path / "nowhere")


def test_read_idx_rejects_truncated_and_foreign_files(tmp_path):
    _write_idx(tmp_path / "ok", np.zeros((2, 3), dtype=np.uint8))
    (tmp_path / "short").write_bytes((tmp_path / "ok").read_bytes()[:-1])
    with pytest.raises(ValueError, match="header says shape"):
        read_idx(tmp_path / "short")
    (tmp_path / "png").write_bytes(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(ValueError, match="not an IDX file"):
        read_idx(tmp_path / "png")
