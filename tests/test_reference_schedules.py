"""The NumPy schedules agree with keras.optimizers.schedules, step by step."""

import keras
import numpy as np
import pytest

from tfopt_docs.reference import schedules as ref

# Keras computes in float32. Near the end of a cosine, 1 + cos(pi * t) cancels,
# and NumPy's and TensorFlow's float32 cos differ in the last bit: that costs
# up to about 4e-6 of relative difference there (Keras called on an array of
# steps differs from Keras called step by step just as much). The other
# schedules agree bit for bit.
RTOL = 1e-5
STEPS = np.arange(0, 1201)

CASES = [
    ("ExponentialDecay", dict(initial_learning_rate=0.1, decay_steps=100, decay_rate=0.96)),
    ("ExponentialDecay", dict(initial_learning_rate=1e-2, decay_steps=37, decay_rate=0.5, staircase=True)),
    ("ExponentialDecay", dict(initial_learning_rate=3.0, decay_steps=7.5, decay_rate=1.01)),
    ("PiecewiseConstantDecay", dict(boundaries=[100, 500], values=[1.0, 0.5, 0.1])),
    ("PiecewiseConstantDecay", dict(boundaries=[0, 1, 999], values=[0.3, 0.2, 0.1, 0.05])),
    ("PiecewiseConstantDecay", dict(boundaries=[250.5], values=[0.01, 0.001])),
    ("PolynomialDecay", dict(initial_learning_rate=0.1, decay_steps=1000)),
    ("PolynomialDecay", dict(initial_learning_rate=0.1, decay_steps=300, end_learning_rate=0.01, power=2.0)),
    ("PolynomialDecay", dict(initial_learning_rate=0.5, decay_steps=128, end_learning_rate=0.0, power=0.5, cycle=True)),
    ("PolynomialDecay", dict(initial_learning_rate=0.01, decay_steps=100, end_learning_rate=0.05, cycle=True)),
    ("InverseTimeDecay", dict(initial_learning_rate=0.1, decay_steps=1, decay_rate=0.01)),
    ("InverseTimeDecay", dict(initial_learning_rate=0.2, decay_steps=50, decay_rate=0.5, staircase=True)),
    ("CosineDecay", dict(initial_learning_rate=0.1, decay_steps=1000)),
    ("CosineDecay", dict(initial_learning_rate=0.1, decay_steps=600, alpha=0.1)),
    ("CosineDecay", dict(initial_learning_rate=0.0, decay_steps=800, warmup_target=0.1, warmup_steps=200)),
    ("CosineDecay", dict(initial_learning_rate=0.01, decay_steps=500, alpha=0.2, warmup_target=0.05, warmup_steps=77)),
    ("CosineDecay", dict(initial_learning_rate=0.02, decay_steps=300, warmup_target=0.05, warmup_steps=0)),
    ("CosineDecayRestarts", dict(initial_learning_rate=0.1, first_decay_steps=100)),
    ("CosineDecayRestarts", dict(initial_learning_rate=0.1, first_decay_steps=50, t_mul=1.0, m_mul=0.8)),
    ("CosineDecayRestarts", dict(initial_learning_rate=1.0, first_decay_steps=64, t_mul=1.5, m_mul=0.5, alpha=0.05)),
    ("CosineDecayRestarts", dict(initial_learning_rate=0.3, first_decay_steps=10, t_mul=3.0, alpha=0.5)),
]


def keras_rates(name, kwargs, steps):
    # One eager call per step, as an optimizer makes them (some schedules
    # branch with ops.cond and take scalar steps only).
    schedule = getattr(keras.optimizers.schedules, name)(**kwargs)
    return np.array([float(schedule(int(s))) for s in steps])


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_schedule_matches_keras_at_every_step(name, kwargs):
    expected = keras_rates(name, kwargs, STEPS)
    got = getattr(ref, name)(**kwargs)(STEPS)
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=1e-12)
    # Scalar steps give Python floats equal to the array path.
    assert isinstance(getattr(ref, name)(**kwargs)(7), float)
    assert getattr(ref, name)(**kwargs)(7) == got[7]


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_config_has_keras_keys_and_round_trips(name, kwargs):
    ours = getattr(ref, name)(**kwargs)
    theirs = getattr(keras.optimizers.schedules, name)(**kwargs)
    assert ours.get_config() == theirs.get_config()
    again = type(ours).from_config(ours.get_config())
    np.testing.assert_array_equal(again(STEPS), ours(STEPS))


def test_defaults_match_keras():
    import inspect

    for name in [
        "ExponentialDecay",
        "PiecewiseConstantDecay",
        "PolynomialDecay",
        "InverseTimeDecay",
        "CosineDecay",
        "CosineDecayRestarts",
    ]:
        ours = inspect.signature(getattr(ref, name)).parameters
        theirs = inspect.signature(getattr(keras.optimizers.schedules, name)).parameters
        assert {k: p.default for k, p in ours.items()} == {k: p.default for k, p in theirs.items()}, name


def test_every_keras_schedule_has_a_reference():
    exported = {n for n in dir(keras.optimizers.schedules) if n[0].isupper()} - {"LearningRateSchedule"}
    assert exported <= set(ref.__all__), exported - set(ref.__all__)


@pytest.mark.parametrize(
    ("build", "error", "match"),
    [
        (lambda: ref.ExponentialDecay(0.1, 0, 0.9), ValueError, "`decay_steps` must be > 0"),
        (lambda: ref.ExponentialDecay(0.1, 10, -0.5), ValueError, "`decay_rate`"),
        (lambda: ref.ExponentialDecay(-0.1, 10, 0.5), ValueError, "`initial_learning_rate` must be >= 0"),
        (lambda: ref.ExponentialDecay("0.1", 10, 0.5), TypeError, "`initial_learning_rate` must be a real number"),
        (lambda: ref.ExponentialDecay(0.1, 10, 0.5, staircase="yes"), TypeError, "`staircase`"),
        (lambda: ref.PiecewiseConstantDecay([10, 20], [1.0, 0.5]), ValueError, "one element less"),
        (lambda: ref.PiecewiseConstantDecay([20, 10], [1.0, 0.5, 0.1]), ValueError, "strictly increasing"),
        (lambda: ref.PolynomialDecay(0.1, 100, power=0), ValueError, "`power` must be > 0"),
        (lambda: ref.CosineDecay(0.1, 100, alpha=1.5), ValueError, "`alpha` must be <= 1"),
        (lambda: ref.CosineDecay(0.1, 100, warmup_target=0.2, warmup_steps=-1), ValueError, "`warmup_steps`"),
        (lambda: ref.CosineDecayRestarts(0.1, 100, t_mul=0), ValueError, "`t_mul` must be > 0"),
        (lambda: ref.CosineDecayRestarts(0.1, -5), ValueError, "`first_decay_steps` must be > 0"),
    ],
)
def test_invalid_arguments_raise_naming_the_argument(build, error, match):
    with pytest.raises(error, match=match):
        build()


@pytest.mark.parametrize(
    ("step", "error"),
    [(-1, ValueError), (np.array([0, -3]), ValueError), (np.inf, ValueError), ("10", TypeError), (True, TypeError)],
)
def test_invalid_steps_raise(step, error):
    with pytest.raises(error, match="`step`"):
        ref.ExponentialDecay(0.1, 10, 0.5)(step)


def test_reference_does_not_import_tensorflow():
    import subprocess
    import sys

    code = (
        "import sys, tfopt_docs.reference, tfopt_docs.reference.schedules, tfopt_docs.reference.optimizers; "
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_schedule_rates_equal_the_eager_calls_bit_for_bit():
    """The compiled loop of the schedules page computes what each eager call does."""
    import keras

    from tfopt_docs.keras_compare import schedule_rates

    steps = np.arange(0, 60)
    S = keras.optimizers.schedules
    for schedule in (
        S.ExponentialDecay(0.1, 7, 0.5),
        S.CosineDecay(0.0, 40, warmup_target=0.1, warmup_steps=10),
        S.PiecewiseConstantDecay([5, 20], [1.0, 0.5, 0.1]),
    ):
        eager = np.array([float(schedule(int(k))) for k in steps], np.float32)
        np.testing.assert_array_equal(schedule_rates(schedule, steps), eager)


def test_schedule_rates_names_its_bad_arguments():
    from tfopt_docs.keras_compare import schedule_rates

    with pytest.raises(TypeError, match="schedule"):
        schedule_rates(0.1, [0, 1])
    with pytest.raises(ValueError, match="steps"):
        schedule_rates(lambda k: k, [0.5, 1.5])
    with pytest.raises(ValueError, match="steps"):
        schedule_rates(lambda k: k, [])
