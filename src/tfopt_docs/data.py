"""Data sets that need no download at build time.

>>> x, y = square_dataset(n=5, seed=0)
>>> print(x.shape, y.shape, x.dtype)
(5, 1) (5, 1) float32
>>> print(bool(np.all(y == x**2)))
True
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from tfopt_docs._validation import check_positive_int

__all__ = ["FASHION_MNIST_FILES", "load_digits", "load_fashion_mnist", "read_idx", "square_dataset"]

#: The four IDX files of Fashion-MNIST, by split, as (images, labels); each
#: may also be present gzip-compressed with a ``.gz`` suffix.
FASHION_MNIST_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}

# IDX type codes (third byte of the magic number) -> big-endian NumPy dtype.
_IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def square_dataset(n: int = 100, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Seed 000's regression data: ``x`` uniform in [1, 10), ``y = x**2``.

    Args:
        n: number of points.
        seed: seed of the NumPy generator, so every build sees the same data.

    Returns:
        ``(x, y)``, two float32 arrays of shape ``(n, 1)``.
    """
    n = check_positive_int("n", n)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"`seed` must be an int >= 0, got {seed!r}")
    x = np.random.default_rng(seed).uniform(1.0, 10.0, size=(n, 1)).astype(np.float32)
    return x, x**2


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 8x8 handwritten digits, shipped with the package (offline).

    Returns:
        ``(x, y)``: float32 images scaled to [0, 1] with shape ``(1797, 64)``,
        and int64 labels 0-9.
    """
    from sklearn.datasets import load_digits as _sk_load_digits

    bunch = _sk_load_digits()
    return (bunch.data / 16.0).astype(np.float32), bunch.target.astype(np.int64)


def read_idx(path: str | Path) -> np.ndarray:
    """Read one IDX file (the MNIST format), plain or gzip-compressed."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise ValueError(f"{path} is not an IDX file (bad magic number)")
    ndim = raw[3]
    header_end = 4 + 4 * ndim
    shape = tuple(int(d) for d in np.frombuffer(raw[4:header_end], dtype=">u4"))
    dtype = np.dtype(_IDX_DTYPES[raw[2]])
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(raw) - header_end != expected:
        raise ValueError(
            f"{path}: header says shape {shape} ({expected} bytes of data), file has {len(raw) - header_end}"
        )
    return np.frombuffer(raw, dtype=dtype, offset=header_end).reshape(shape).astype(dtype.newbyteorder("="))


def load_fashion_mnist(path: str | Path, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Load Fashion-MNIST from the IDX files in a local folder.

    Nothing is downloaded: put the four files of the data set (plain or
    ``.gz``) in ``path`` first.

    Args:
        path: folder holding the files named in :data:`FASHION_MNIST_FILES`.
        split: ``"train"`` or ``"test"``.

    Returns:
        ``(images, labels)``: uint8 arrays of shape ``(n, 28, 28)`` and ``(n,)``.

    Raises:
        FileNotFoundError: naming every file that is missing.
    """
    if split not in FASHION_MNIST_FILES:
        raise ValueError(f"`split` must be one of {sorted(FASHION_MNIST_FILES)}, got {split!r}")
    folder = Path(path)
    if not folder.is_dir():
        raise FileNotFoundError(f"Fashion-MNIST folder {folder} does not exist")
    found, missing = [], []
    for name in FASHION_MNIST_FILES[split]:
        candidates = [folder / name, folder / f"{name}.gz"]
        existing = [c for c in candidates if c.is_file()]
        if existing:
            found.append(existing[0])
        else:
            missing.append(f"{name}[.gz]")
    if missing:
        raise FileNotFoundError(f"missing Fashion-MNIST file(s) in {folder}: {', '.join(missing)}")
    images, labels = (read_idx(p) for p in found)
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise ValueError(f"inconsistent files in {folder}: images {images.shape}, labels {labels.shape}")
    return images, labels
