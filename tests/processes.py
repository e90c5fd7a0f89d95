"""Helpers of the tests that start processes: whether one has ended."""

from __future__ import annotations

import time


def gone(pid: int, within: float = 5.0) -> bool:
    """True once no live process has this pid within ``within`` seconds (a zombie
    waiting for init counts as gone)."""
    end = time.monotonic() + within
    while time.monotonic() < end:
        try:
            with open(f"/proc/{pid}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False
