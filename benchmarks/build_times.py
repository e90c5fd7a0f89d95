"""Time a clean two-language build against an unchanged rebuild (`make bench`).

Both builds run here, one after the other, so the ratio holds on a noisy
machine even when the absolute times do not.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Everything a clean build recreates: output, doctrees, execution caches.
GENERATED = [ROOT / "_build", ROOT / "docs" / "auto_examples"]


def timed_make(target: str) -> float:
    start = time.perf_counter()
    subprocess.run(["make", "--no-print-directory", target], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    for path in GENERATED:
        shutil.rmtree(path, ignore_errors=True)
    clean = timed_make("html")
    unchanged = timed_make("html")
    print(f"clean build (en + zh_CN):     {clean:8.1f} s")
    print(f"unchanged rebuild:            {unchanged:8.1f} s")
    print(f"clean / unchanged:            {clean / unchanged:8.1f} x")


if __name__ == "__main__":
    main()
