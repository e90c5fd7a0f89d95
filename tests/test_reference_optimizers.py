"""The NumPy optimizers agree with keras.optimizers, step by step.

Every case runs a Keras optimizer (TensorFlow backend, eager ``apply``) and the
reference side by side for ``STEPS`` steps on the same gradients, and compares
the parameters after every step (plus ``iterations`` and, with ``use_ema``, the
moving averages). The gradients come from a noisy quadratic evaluated at the
Keras parameters, scaled per tensor and step by 1e-3 ... 1e3, with whole
tensors and scattered entries set to zero now and then, so signs change.

Tolerance: ``rtol=1e-5`` and ``atol=1e-6 * max(1, max|w|)``. The reference does
the float32 arithmetic in Keras's order, so most optimizers agree bit for bit;
the others differ by reductions (norms, means, matmuls: NumPy and Eigen sum in
different orders) and by ``pow``, a few float32 roundings. The runner is
:func:`tfopt_docs.keras_compare.run_side_by_side`. Run this module as a
script to print the largest difference measured per optimizer:

    .venv/bin/python tests/test_reference_optimizers.py
"""

from __future__ import annotations

import copy
import inspect
import subprocess
import sys

import keras
import numpy as np
import pytest
from keras.src.optimizers.base_optimizer import BaseOptimizer

from tfopt_docs.keras_compare import main, run_side_by_side, without_constant_folding
from tfopt_docs.reference import optimizers as ref

EXP = ("ExponentialDecay", dict(initial_learning_rate=0.05, decay_steps=10, decay_rate=0.9))
COS = ("CosineDecay", dict(initial_learning_rate=0.001, decay_steps=80, warmup_target=0.02, warmup_steps=10))
PIECE = ("PiecewiseConstantDecay", dict(boundaries=[20, 60], values=[0.1, 0.01, 0.001]))
INV = ("InverseTimeDecay", dict(initial_learning_rate=0.5, decay_steps=5, decay_rate=0.5, staircase=True))

# (optimizer, kwargs, learning-rate schedule or None, extras)
CASES = [
    # SGD
    ("SGD", {}, None, {}),
    ("SGD", dict(learning_rate=0.05, momentum=0.9), None, {}),
    ("SGD", dict(momentum=0.9, nesterov=True), PIECE, {}),
    ("SGD", dict(momentum=1.0, learning_rate=0.001), None, {}),
    ("SGD", dict(momentum=0.5, weight_decay=0.05, clipnorm=1.0), EXP, {}),
    ("SGD", dict(loss_scale_factor=64.0, clipvalue=0.5), None, {}),
    (
        "SGD",
        dict(momentum=0.5, gradient_accumulation_steps=2, use_ema=True, ema_overwrite_frequency=3, weight_decay=0.05),
        EXP,
        {},
    ),
    (
        "SGD",
        dict(momentum=0.9, weight_decay=0.1, gradient_accumulation_steps=3, global_clipnorm=1.0),
        None,
        dict(none_grads=(2,)),
    ),
    # Adam
    ("Adam", {}, None, {}),
    ("Adam", dict(amsgrad=True), None, {}),
    ("Adam", dict(learning_rate=0.01, beta_1=0.5, beta_2=0.9, epsilon=1e-3), COS, {}),
    ("Adam", dict(clipnorm=0.1), None, {}),
    ("Adam", dict(global_clipnorm=0.5, amsgrad=True), COS, {}),
    ("Adam", dict(use_ema=True, ema_momentum=0.9, ema_overwrite_frequency=7), None, {}),
    ("Adam", dict(gradient_accumulation_steps=3, use_ema=True), EXP, {}),
    ("Adam", dict(loss_scale_factor=128.0, weight_decay=0.01), None, {}),
    ("Adam", dict(weight_decay=0.1, use_ema=True), None, dict(none_grads=(1,))),
    # AdamW
    ("AdamW", {}, None, {}),
    ("AdamW", dict(weight_decay=0.1, amsgrad=True, beta_1=0.8, beta_2=0.99, epsilon=1e-5), EXP, {}),
    ("AdamW", dict(learning_rate=0.01, weight_decay=0.05), None, dict(exclude_names=["vec", "sca"])),
    ("AdamW", dict(weight_decay=0.05, gradient_accumulation_steps=2), INV, dict(exclude_indices=[2])),
    # RMSprop
    ("RMSprop", {}, None, {}),
    ("RMSprop", dict(centered=True), None, {}),
    ("RMSprop", dict(momentum=0.9, learning_rate=0.01), EXP, {}),
    ("RMSprop", dict(centered=True, momentum=0.5, rho=0.5, epsilon=1e-4), None, {}),
    ("RMSprop", dict(clipvalue=0.1, weight_decay=0.02), PIECE, {}),
    # Adagrad
    ("Adagrad", {}, None, {}),
    ("Adagrad", dict(learning_rate=0.5, initial_accumulator_value=0.0, epsilon=1e-4), None, {}),
    ("Adagrad", dict(initial_accumulator_value=2.0, weight_decay=0.1), INV, {}),
    # Adadelta
    ("Adadelta", dict(learning_rate=1.0), None, {}),
    ("Adadelta", dict(rho=0.5, epsilon=1e-4), EXP, {}),
    ("Adadelta", dict(learning_rate=1.0, use_ema=True, ema_momentum=0.5, ema_overwrite_frequency=4), None, {}),
    # Adamax
    ("Adamax", {}, None, {}),
    ("Adamax", dict(beta_1=0.5, beta_2=0.9, epsilon=1e-3), COS, {}),
    ("Adamax", dict(learning_rate=0.01, global_clipnorm=2.0), None, {}),
    # Nadam
    ("Nadam", {}, None, {}),
    ("Nadam", dict(beta_1=0.5, beta_2=0.9, epsilon=1e-3), EXP, {}),
    ("Nadam", dict(gradient_accumulation_steps=2, weight_decay=0.1, clipvalue=1.0), COS, {}),
    # Ftrl
    ("Ftrl", {}, None, {}),
    (
        "Ftrl",
        dict(
            learning_rate=0.1,
            l1_regularization_strength=0.01,
            l2_regularization_strength=0.01,
            l2_shrinkage_regularization_strength=0.01,
            beta=0.1,
        ),
        None,
        {},
    ),
    (
        "Ftrl",
        dict(
            learning_rate=0.1, learning_rate_power=-1.0, initial_accumulator_value=1.0, l1_regularization_strength=0.1
        ),
        EXP,
        {},
    ),
    ("Ftrl", dict(learning_rate=0.1, learning_rate_power=0.0, l2_regularization_strength=0.5), None, {}),
    ("Ftrl", dict(learning_rate=0.05, initial_accumulator_value=0.0, beta=1.0), PIECE, {}),
    # Lion
    ("Lion", {}, None, {}),
    ("Lion", dict(beta_1=1.0, beta_2=0.5), EXP, {}),
    ("Lion", dict(learning_rate=0.01, weight_decay=0.1, global_clipnorm=1.0), None, {}),
    # Lamb
    ("Lamb", {}, None, {}),
    ("Lamb", dict(learning_rate=0.01, beta_1=0.5, beta_2=0.9, epsilon=1e-3), EXP, {}),
    ("Lamb", dict(weight_decay=0.01, global_clipnorm=1.0), COS, {}),
    # Adafactor
    ("Adafactor", {}, None, {}),
    ("Adafactor", dict(learning_rate=0.05, clip_threshold=0.5, epsilon_2=1e-2, beta_2_decay=-0.5), EXP, {}),
    ("Adafactor", dict(relative_step=False, epsilon_1=1e-10), COS, {}),
    ("Adafactor", dict(learning_rate=0.5, relative_step=False, clipnorm=1.0, weight_decay=0.01), None, {}),
    ("Adafactor", dict(gradient_accumulation_steps=2, clip_threshold=2.0), None, {}),
    # Muon
    ("Muon", {}, None, {}),
    ("Muon", dict(learning_rate=0.02, exclude_layers=["output"], weight_decay=0.1, adam_lr_ratio=0.1), EXP, {}),
    ("Muon", dict(nesterov=False, momentum=0.5, ns_steps=3, rms_rate=None, exclude_embeddings=False), None, {}),
    (
        "Muon",
        dict(
            muon_a=2.0,
            muon_b=-1.5,
            muon_c=0.5,
            adam_beta_1=0.5,
            adam_beta_2=0.9,
            epsilon=1e-3,
            weight_decay=None,
            adam_weight_decay=None,
        ),
        COS,
        {},
    ),
    ("Muon", dict(global_clipnorm=1.0, gradient_accumulation_steps=2, use_ema=True), None, {}),
    # ScheduleFreeAdamW
    ("ScheduleFreeAdamW", {}, None, {}),
    ("ScheduleFreeAdamW", dict(warmup_steps=10, weight_decay=0.01), None, {}),
    ("ScheduleFreeAdamW", dict(beta_1=0.5, beta_2=0.9, epsilon=1e-4), EXP, {}),
    (
        "ScheduleFreeAdamW",
        dict(gradient_accumulation_steps=2, clipnorm=1.0, use_ema=True, ema_overwrite_frequency=5),
        None,
        {},
    ),
]


def _case_id(case):
    name, kwargs, lr, extras = case
    parts = [name] + [f"{k}={v}" for k, v in kwargs.items()]
    if lr:
        parts.append(lr[0])
    parts += [f"{k}={v}" for k, v in extras.items()]
    return "-".join(parts).replace(" ", "")


@pytest.fixture(scope="module", autouse=True)
def _without_constant_folding():
    """Compile Keras's ``apply`` as eager Keras computes (see ``without_constant_folding``)."""
    with without_constant_folding():
        yield


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_matches_keras_at_every_step(case):
    name, kwargs, lr, extras = case
    run_side_by_side(name, kwargs, lr, **extras)


def test_every_base_keyword_is_exercised():
    used = {k for _, kwargs, _, _ in CASES for k in kwargs}
    base = set(inspect.signature(ref.Optimizer.__init__).parameters) - {"self", "learning_rate", "name", "kwargs"}
    assert base <= used, base - used
    for cls_name, cls in ref._CLASSES.items():
        own = set(inspect.signature(cls).parameters) - base - {"name", "kwargs"}
        used_here = {k for n, kwargs, lr, _ in CASES if n == cls_name for k in kwargs} | {"learning_rate"}
        assert own <= used_here, (cls_name, own - used_here)
        assert any(n == cls_name and lr for n, _, lr, _ in CASES), f"{cls_name} never runs with a schedule"


# ----------------------------------------------------------------------------
# Coverage of Keras, names, signatures
# ----------------------------------------------------------------------------


def keras_optimizers_with_own_rule():
    out = set()
    for n in dir(keras.optimizers):
        obj = getattr(keras.optimizers, n)
        if (
            isinstance(obj, type)
            and issubclass(obj, BaseOptimizer)
            and obj.update_step is not BaseOptimizer.update_step
        ):
            out.add(n)
    return out


def test_every_keras_optimizer_with_an_update_rule_has_a_reference():
    theirs = keras_optimizers_with_own_rule()
    assert len(theirs) >= 14
    assert theirs == set(ref._CLASSES), theirs ^ set(ref._CLASSES)
    assert theirs <= set(ref.__all__)


@pytest.mark.parametrize("name", sorted(keras_optimizers_with_own_rule()))
def test_signature_and_defaults_equal_keras(name):
    ours = inspect.signature(getattr(ref, name)).parameters
    theirs = inspect.signature(getattr(keras.optimizers, name)).parameters
    assert [(k, p.kind, p.default) for k, p in ours.items()] == [(k, p.kind, p.default) for k, p in theirs.items()]


def test_get_by_name_case_insensitive():
    for name in ref._CLASSES:
        for spelling in (name, name.lower(), name.upper()):
            assert type(ref.get(spelling)) is getattr(ref, name)
    opt = ref.get("sgd", learning_rate=0.1, momentum=0.9)
    assert (opt.learning_rate, opt.momentum) == (0.1, 0.9)


@pytest.mark.parametrize("name", ["Adamm", "LossScaleOptimizer", "Optimizer", "MultiOptimizer", ""])
def test_get_unknown_name_lists_the_valid_ones(name):
    with pytest.raises(ValueError, match="valid names") as info:
        ref.get(name)
    for valid in ref._CLASSES:
        assert valid in str(info.value)


# ----------------------------------------------------------------------------
# Validation
# ----------------------------------------------------------------------------

# (reference constructor, the same call on Keras or None when Keras accepts it, match)
INVALID = [
    ("Adam", dict(learning_rate=1), True, "`learning_rate` must be a float"),
    ("Adam", dict(learning_rate="0.1"), True, "`learning_rate`"),
    ("Adam", dict(learning_rate=-0.1), False, "`learning_rate` must be >= 0"),
    ("Adam", dict(learning_rate=float("nan")), False, "`learning_rate` must be finite"),
    ("SGD", dict(momentum=1.5), True, "`momentum` must be in \\[0, 1\\]"),
    ("SGD", dict(momentum=-0.1), True, "`momentum`"),
    ("SGD", dict(momentum=1), True, "`momentum` must be a float"),
    ("RMSprop", dict(momentum=2.0), False, "`momentum` must be in \\[0, 1\\]"),
    ("Muon", dict(momentum=-0.5), False, "`momentum`"),
    (
        "Adam",
        dict(clipnorm=1.0, global_clipnorm=1.0),
        True,
        "Only one of `clipnorm`, `clipvalue` and `global_clipnorm`",
    ),
    ("Adam", dict(clipnorm=1.0, clipvalue=1.0), True, "Only one of"),
    ("Adam", dict(clipvalue=1.0, global_clipnorm=1.0), True, "Only one of"),
    ("Adam", dict(clipnorm=-1.0), False, "`clipnorm` must be >= 0"),
    ("Adam", dict(weight_decay=-0.1), False, "`weight_decay` must be >= 0"),
    ("Adam", dict(gradient_accumulation_steps=1), True, "`gradient_accumulation_steps` must be an int >= 2"),
    ("Adam", dict(gradient_accumulation_steps=0), False, "`gradient_accumulation_steps`"),
    ("Adam", dict(gradient_accumulation_steps=2.5), False, "`gradient_accumulation_steps`"),
    ("Adam", dict(use_ema=True, ema_momentum=1.5), True, "`ema_momentum` must be in \\[0, 1\\]"),
    ("Adam", dict(use_ema=True, ema_overwrite_frequency=-1), True, "`ema_overwrite_frequency`"),
    ("Adam", dict(use_ema=True, ema_overwrite_frequency=2.5), True, "`ema_overwrite_frequency`"),
    ("Adam", dict(use_ema="yes"), False, "`use_ema`"),
    ("Adam", dict(loss_scale_factor=0.0), False, "`loss_scale_factor` must be > 0"),
    ("Adam", dict(lr=0.1), True, "not recognized"),
    ("Adam", dict(beta_1=1.5), False, "`beta_1` must be in \\[0, 1\\]"),
    ("Adam", dict(epsilon=-1e-7), False, "`epsilon` must be >= 0"),
    ("Adam", dict(amsgrad="yes"), False, "`amsgrad`"),
    ("AdamW", dict(weight_decay=None), True, "`weight_decay`"),
    ("Ftrl", dict(initial_accumulator_value=-1.0), True, "`initial_accumulator_value`"),
    ("Ftrl", dict(learning_rate_power=0.5), True, "`learning_rate_power` must be <= 0"),
    ("Ftrl", dict(l1_regularization_strength=-1.0), True, "`l1_regularization_strength`"),
    ("Ftrl", dict(l2_regularization_strength=-1.0), True, "`l2_regularization_strength`"),
    ("Ftrl", dict(l2_shrinkage_regularization_strength=-1.0), True, "`l2_shrinkage_regularization_strength`"),
    ("Lion", dict(beta_1=0.0), True, "`beta_1` must be in \\(0, 1\\]"),
    ("Lion", dict(beta_1=1.5), True, "`beta_1`"),
    ("Adagrad", dict(initial_accumulator_value=-0.1), False, "`initial_accumulator_value`"),
    ("RMSprop", dict(rho=1.5), False, "`rho`"),
    ("Adafactor", dict(clip_threshold=0.0), False, "`clip_threshold` must be > 0"),
    ("Adafactor", dict(relative_step=1), False, "`relative_step`"),
    ("Muon", dict(ns_steps=-1), False, "`ns_steps`"),
    ("Muon", dict(exclude_layers="output"), False, "`exclude_layers`"),
    ("ScheduleFreeAdamW", dict(warmup_steps=-1), False, "`warmup_steps`"),
    ("ScheduleFreeAdamW", dict(beta_1=0.0), False, "`beta_1` must be in \\(0, 1\\]"),
]


@pytest.mark.parametrize(
    ("name", "kwargs", "keras_refuses", "match"),
    INVALID,
    ids=[f"{n}-{'-'.join(map(str, k))}" for n, k, _, _ in INVALID],
)
def test_invalid_hyperparameters_raise_naming_the_argument(name, kwargs, keras_refuses, match):
    with pytest.raises(ValueError, match=match):  # ArgumentTypeError is a ValueError too
        getattr(ref, name)(**kwargs)
    if keras_refuses:
        with pytest.raises(ValueError):
            getattr(keras.optimizers, name)(**kwargs)
    else:
        getattr(keras.optimizers, name)(**kwargs)  # Keras accepts it; the reference is stricter


def test_type_errors_are_both_type_and_value_errors():
    with pytest.raises(TypeError, match="`learning_rate`"):
        ref.SGD(learning_rate=1)
    with pytest.raises(ref.ArgumentTypeError):
        ref.SGD(nesterov="no")


def test_decay_is_ignored_with_a_warning_as_in_keras():
    with pytest.warns(UserWarning, match="`decay` is no longer supported"):
        ref.Adam(decay=0.1)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "Nadam", "Lamb"])
def test_decay_warning_points_at_the_caller(name):
    with pytest.warns(UserWarning, match="`decay`") as record:
        ref.get(name, decay=0.1)
    assert record[0].filename.endswith("optimizers/__init__.py")  # get() built it, not a constructor
    with pytest.warns(UserWarning, match="`decay`") as record:
        getattr(ref, name)(decay=0.1)
    assert record[0].filename == __file__


@pytest.fixture
def sgd_and_state():
    opt = ref.SGD(learning_rate=0.1)
    params = [np.zeros((2, 3), np.float32), np.zeros(3, np.float32)]
    return opt, params, opt.init(params)


def test_step_rejects_wrong_number_of_grads(sgd_and_state):
    opt, params, state = sgd_and_state
    with pytest.raises(ValueError, match="`grads` must have one entry per parameter: got 1 gradients for 2"):
        opt.step(params, [np.ones((2, 3), np.float32)], state)


def test_step_rejects_wrong_grad_shape(sgd_and_state):
    opt, params, state = sgd_and_state
    with pytest.raises(ValueError, match=r"`grads\[1\]` has shape \(2,\) but `params\[1\]` has shape \(3,\)"):
        opt.step(params, [np.ones((2, 3)), np.ones(2)], state)


def test_step_rejects_all_none_grads_and_foreign_state(sgd_and_state):
    opt, params, state = sgd_and_state
    with pytest.raises(ValueError, match="No gradients provided"):
        opt.step(params, [None, None], state)
    with pytest.raises(ValueError, match="`state` was built for"):
        opt.step([np.zeros(4, np.float32), np.zeros(3, np.float32)], [np.ones(4), np.ones(3)], state)
    with pytest.raises(TypeError, match="`state`"):
        opt.step(params, [np.ones((2, 3)), np.ones(3)], {})
    with pytest.raises(TypeError, match="`params`"):
        opt.init(np.zeros(3))
    with pytest.raises(TypeError, match=r"`grads\[0\]`"):
        opt.step(params, ["a", np.ones(3)], state)
    with pytest.raises(ValueError, match="`paths`"):
        opt.init(params, paths=["only_one"])


def test_unknown_get_type():
    with pytest.raises(TypeError, match="`name`"):
        ref.get(3)


# ----------------------------------------------------------------------------
# Functional behaviour
# ----------------------------------------------------------------------------

FULL = dict(
    weight_decay=0.01, global_clipnorm=1.0, use_ema=True, ema_overwrite_frequency=2, gradient_accumulation_steps=2
)


@pytest.mark.parametrize("name", sorted(ref._CLASSES))
def test_step_does_not_mutate_its_inputs(name):
    rng = np.random.default_rng(1)
    opt = ref.get(name, **FULL)
    params = [np.asarray(rng.standard_normal(s), dtype=np.float32) for s in [(), (3,), (4, 3), (2, 3, 4)]]
    state = opt.init(params)
    for _ in range(3):  # a state with non-trivial content
        params, state = opt.step(params, [rng.standard_normal(p.shape).astype(np.float32) for p in params], state)
    grads = [np.asarray(rng.standard_normal(p.shape), dtype=np.float32) for p in params]
    for arr in params + grads:
        arr.flags.writeable = False  # any in-place write raises
    before = copy.deepcopy((params, grads, state))
    new_params, new_state = opt.step(params, grads, state)
    for _ in range(2):
        new_params, new_state = opt.step(new_params, grads, new_state)
    after = (params, grads, state)
    assert before[2].keys() == after[2].keys()
    for old, new in zip(_leaves(before), _leaves(after)):
        np.testing.assert_array_equal(old, new)
    assert new_state is not state and new_state["raw_iterations"] == state["raw_iterations"] + 3
    assert all(a is not b for a, b in zip(new_params, params))


def _leaves(tree):
    if isinstance(tree, dict):
        for k in sorted(tree):
            yield from _leaves(tree[k])
    elif isinstance(tree, (list, tuple)):
        for x in tree:
            yield from _leaves(x)
    elif tree is not None:
        yield np.asarray(tree)


def test_iterations_under_gradient_accumulation():
    opt = ref.SGD(learning_rate=0.1, gradient_accumulation_steps=3)
    params = [np.float32(1.0)]
    state = opt.init(params)
    seen = []
    for k in range(7):
        params, state = opt.step(params, [np.float32(k + 1)], state)
        seen.append((state["raw_iterations"], state["iterations"], round(float(params[0]), 6)))
    # Updates at calls 3 and 6 with the mean of the gradients (1+2+3)/3 and (4+5+6)/3.
    assert seen == [(1, 0, 1.0), (2, 0, 1.0), (3, 1, 0.8), (4, 1, 0.8), (5, 1, 0.8), (6, 2, 0.3), (7, 2, 0.3)]


def test_learning_rate_callables_get_the_raw_step():
    calls = []

    def rate(step):
        calls.append(step)
        return 0.1

    opt = ref.SGD(learning_rate=rate, gradient_accumulation_steps=2)
    params = [np.float32(0.0)]
    state = opt.init(params)
    for _ in range(4):
        params, state = opt.step(params, [np.float32(1.0)], state)
    assert calls == [1, 3]  # evaluated on the update calls, at Keras's optimizer._iterations
    zero_arg = ref.SGD(learning_rate=lambda: 0.5)
    w, _ = zero_arg.step([np.float32(0.0)], [np.float32(1.0)], zero_arg.init([np.float32(0.0)]))
    assert float(w[0]) == -0.5


def test_muon_variable_selection_by_shape_and_path():
    opt = ref.Muon(exclude_layers=["head"])
    assert opt.should_use_adamw((3,), "dense/bias")
    assert opt.should_use_adamw((2, 3, 4), "conv/kernel")
    assert not opt.should_use_adamw((4, 3), "dense/kernel")
    assert opt.should_use_adamw((4, 3), "Token_Embedding/embeddings")
    assert opt.should_use_adamw((4, 3), "head/kernel")
    assert not ref.Muon(exclude_embeddings=False).should_use_adamw((4, 3), "embedding/embeddings")
    state = opt.init([np.zeros((4, 3)), np.zeros(3)], paths=["head/kernel", "dense/bias"])
    assert state["use_adamw"] == (True, True)


def test_reference_does_not_import_tensorflow():
    code = (
        "import sys, tfopt_docs.reference, tfopt_docs.reference.optimizers, tfopt_docs.reference.schedules; "
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


if __name__ == "__main__":
    main(CASES)
