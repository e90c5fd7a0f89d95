"""Re-run the rule that picks the optimizer races' learning rates (`make race-rates`).

The two race examples say how each optimizer's learning rate was chosen:
from a grid of rates, the one whose loss first drops below 1e-4 soonest and
ends below it; where no rate of the grid ends below 1e-4, the one with the
lowest final loss. This script reads each example's contestants, start and
step count (from its source, so nothing is written twice), runs every
contestant with every rate of the grid in one compiled graph, applies the
rule, and fails if an example's rate is not the one the rule picks.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))
import build_environment  # noqa: E402

RACES = {  # example -> (objective, grid of learning rates)
    "examples/optimizers/plot_race_himmelblau.py": ("himmelblau", [1e-3 * 10 ** (k / 2) for k in range(0, 8)]),
    "examples/optimizers/plot_race_rosenbrock.py": ("rosenbrock", [1e-4 * 10 ** (k / 2) for k in range(0, 10)]),
}
THRESHOLD = 1e-4


def read_race(path: Path) -> tuple[tuple[float, float], int, dict[str, tuple[str, dict, float]]]:
    """START, STEPS and {name: (class name, other keywords, learning rate)} of an example."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    constants, contestants = {}, {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name in ("START", "STEPS"):
                constants[name] = ast.literal_eval(node.value)
            elif name == "optimizers":
                for key, call in zip(node.value.keys, node.value.values):
                    keywords = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
                    rate = keywords.pop("learning_rate")
                    contestants[ast.literal_eval(key)] = (call.func.attr, keywords, rate)
    return constants["START"], constants["STEPS"], contestants


def final_and_first_below(objective, start, steps, contestants, grid):
    """Run every (contestant, rate) pair; return their final losses and first steps below THRESHOLD."""
    import keras
    import tensorflow as tf

    runs = [(name, rate) for name in contestants for rate in grid]
    optimizers = [
        getattr(keras.optimizers, contestants[name][0])(learning_rate=rate, **contestants[name][1])
        for name, rate in runs
    ]
    points = [tf.Variable(start, dtype=tf.float32) for _ in runs]
    for optimizer, point in zip(optimizers, points):
        optimizer.build([point])

    @tf.function
    def race():
        losses = tf.TensorArray(tf.float32, size=steps + 1).write(0, tf.stack([objective(p) for p in points]))
        for step in tf.range(steps):
            for optimizer, point in zip(optimizers, points):
                with tf.GradientTape() as tape:
                    loss = objective(point)
                optimizer.apply_gradients([(tape.gradient(loss, point), point)])
            losses = losses.write(step + 1, tf.stack([objective(p) for p in points]))
        return losses.stack()

    losses = race().numpy().T  # (run, step)
    results = {}
    for (name, rate), curve in zip(runs, losses):
        below = np.flatnonzero(curve < THRESHOLD)
        finite = np.isfinite(curve[-1])
        results[name, rate] = (curve[-1] if finite else np.inf, below[0] if below.size else None)
    return results


def pick(results, name, grid) -> float:
    ending_below = [r for r in grid if results[name, r][0] < THRESHOLD and results[name, r][1] is not None]
    if ending_below:
        return min(ending_below, key=lambda r: (results[name, r][1], r))
    return min(grid, key=lambda r: results[name, r][0])


def main() -> int:
    build_environment.configure_build()
    from tfopt_docs import functions

    mismatches = 0
    for example, (objective_name, grid) in RACES.items():
        start, steps, contestants = read_race(ROOT / example)
        grid = [float(f"{r:.1g}") for r in grid]
        results = final_and_first_below(getattr(functions, objective_name), start, steps, contestants, grid)
        print(f"{example}: grid {grid}, {steps} steps from {start}")
        for name, (_, _, rate) in contestants.items():
            chosen = pick(results, name, grid)
            final, first = results[name, chosen]
            ok = np.isclose(chosen, rate)
            mismatches += not ok
            print(
                f"  {name:13s} rule picks {chosen:<7g} (final loss {final:.1e}, below {THRESHOLD:g} from step "
                f"{first if first is not None else 'never'}); the example uses {rate:g}{'' if ok else '  <-- differs'}"
            )
    if mismatches:
        print(f"{mismatches} learning rate(s) differ from what the rule picks", file=sys.stderr)
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
