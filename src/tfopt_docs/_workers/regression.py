"""One worker of a two-worker cluster: a tiny regression under MultiWorkerMirroredStrategy.

The how-to on multi-worker training starts it with
:func:`tfopt_docs.cluster.run_workers`, one process per worker::

    python -m tfopt_docs._workers.regression WORKDIR PART [PART ...]

``WORKDIR`` holds ``config.json`` and ``data.npz`` (the data and the initial
weights, written by the page, so that every process starts from the same
model). The parts run in the order given: ``data`` (how the data is split
between the workers), ``ctl`` (custom training loop with a checkpoint
manager), ``fit-bugs`` (what plain Keras 3.15 ``fit`` does under this
strategy) and ``fit`` (``model.fit`` with ``BackupAndRestore``). The chief
(worker 0) writes the final weights to ``WORKDIR/ctl-weights.npz`` and
``WORKDIR/fit-weights.npz``.

Fault injection: ``TFOPT_FAIL_AT=ctl:7`` (or ``fit:7``) in a worker's
environment makes it exit with status 3 right after its 7th training step
of that part, without saving anything: as if the machine had died.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys

import keras
import numpy as np
import tensorflow as tf

FAIL_EXIT_STATUS = 3


class FitStrategy(tf.distribute.MultiWorkerMirroredStrategy):
    """MultiWorkerMirroredStrategy whose ``reduce`` takes what Keras 3.15's ``fit`` passes.

    Keras 3.15 ``fit`` calls ``strategy.reduce`` with values that
    ``MultiWorkerMirroredStrategy`` (TensorFlow 2.21) rejects when there is
    more than one worker (keras-team/keras#20585): the first batch, an
    ``(x, y)`` tuple, and the scalar logs with ``axis=0``. This reduces each
    element of a tuple on its own, and a scalar with ``axis=None``.
    """

    split_nested = True  # reduce each element of a tuple (fit's first batch)
    scalars_axis_none = True  # reduce a scalar with axis=None (fit's logs)

    def reduce(self, reduce_op, value, axis):
        if self.split_nested and tf.nest.is_nested(value):
            return tf.nest.map_structure(lambda v: self.reduce(reduce_op, v, axis), value)
        if self.scalars_axis_none and axis is not None and self.experimental_local_results(value)[0].shape.rank == 0:
            axis = None
        return super().reduce(reduce_op, value, axis)


def make_model(weights):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="tanh"), keras.layers.Dense(1)])
    model.set_weights(weights)
    return model


def make_dataset(x, y, global_batch, policy=tf.data.experimental.AutoShardPolicy.DATA):
    """Batches of the *global* batch size; the strategy splits them between the workers."""
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = policy
    return tf.data.Dataset.from_tensor_slices((x, y)).batch(global_batch).with_options(options)


def fail_here(part, step):
    """Exit at once (no clean-up, no save) if TFOPT_FAIL_AT asks for this step."""
    if os.environ.get("TFOPT_FAIL_AT") == f"{part}:{step}":
        print(f"{part}: step {step} done, the worker dies now", flush=True)
        os._exit(FAIL_EXIT_STATUS)


def _ids(batch):
    values = batch.numpy().ravel()
    if len(values) and np.array_equal(values, np.arange(values[0], values[0] + len(values))):
        return f"{values[0]}-{values[-1]}"
    return ",".join(str(v) for v in values)


def show_sharding(strategy, workdir, global_batch):
    """What this worker reads of a dataset of ids 0..63, for several sharding policies."""
    policy = tf.data.experimental.AutoShardPolicy
    ids = tf.data.Dataset.range(64).batch(global_batch)
    files = sorted(tf.io.gfile.glob(os.path.join(workdir, "part-*.txt")))
    lines = tf.data.TextLineDataset(files).map(lambda s: tf.strings.to_number(s, tf.int64)).batch(global_batch)
    cases = [("DATA, in memory", ids, policy.DATA), ("OFF, in memory", ids, policy.OFF),
             ("FILE, 4 files", lines, policy.FILE), ("FILE, in memory", ids, policy.FILE),
             ("AUTO, in memory", ids, policy.AUTO)]
    for name, dataset, chosen in cases:
        options = tf.data.Options()
        options.experimental_distribute.auto_shard_policy = chosen
        try:
            distributed = strategy.experimental_distribute_dataset(dataset.with_options(options))
            batches = [_ids(strategy.experimental_local_results(b)[0]) for b in distributed]
        except tf.errors.NotFoundError as error:
            # The message goes on with a dump of the dataset graph.
            print(f"{name:16} {type(error).__name__}: {re.search(r'Found an unshardable source dataset', str(error))[0]}")
            continue
        print(f"{name:16} {len(batches)} steps, ids {' '.join(batches)}")


def custom_loop(strategy, workdir, config, weights, x, y):
    """Custom training loop; a checkpoint after each epoch, restored if there is one."""
    global_batch, epochs = config["global_batch"], config["epochs"]
    steps_per_epoch = len(x) // global_batch
    with strategy.scope():
        model = make_model(weights)
        optimizer = keras.optimizers.Adam(config["learning_rate"])
        optimizer.build(model.trainable_variables)
    checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer)

    # Every worker saves (saving may need all of them), only the chief's copy is kept.
    task = strategy.cluster_resolver.task_id
    chief_dir = os.path.join(workdir, "ckpt")
    manager = tf.train.CheckpointManager(
        checkpoint, chief_dir if task == 0 else os.path.join(workdir, f"ckpt-tmp-{task}"), max_to_keep=1
    )
    latest = tf.train.latest_checkpoint(chief_dir)
    if latest:
        checkpoint.restore(latest).assert_consumed()
    start = int(optimizer.iterations.numpy())
    print(f"ctl: starts at step {start}" + (f" (restored {os.path.basename(latest)})" if latest else ""))

    distributed = strategy.experimental_distribute_dataset(make_dataset(x, y, global_batch))

    @tf.function
    def train_step(x, y):
        def replica_fn(x, y):
            with tf.GradientTape() as tape:
                per_example = tf.reduce_mean((model(x, training=True) - y) ** 2, axis=-1)
                loss = tf.nn.compute_average_loss(per_example, global_batch_size=global_batch)
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))  # all-reduces the gradients
            return loss, tf.shape(x)[0]

        loss, size = strategy.run(replica_fn, args=(x, y))
        return strategy.reduce("SUM", loss, axis=None), size

    for epoch in range(start // steps_per_epoch, epochs):
        for x_batch, y_batch in distributed:
            loss, size = train_step(x_batch, y_batch)
            fail_here("ctl", int(optimizer.iterations.numpy()))
        manager.save(checkpoint_number=int(optimizer.iterations.numpy()))
        print(f"ctl: epoch {epoch + 1}, step {int(optimizer.iterations.numpy())}, loss {float(loss):.4f}, "
              f"{int(strategy.experimental_local_results(size)[0])} examples per replica, checkpoint saved")
    if task != 0:
        shutil.rmtree(os.path.join(workdir, f"ckpt-tmp-{task}"), ignore_errors=True)
    return model


class Progress(keras.callbacks.Callback):
    """Prints where fit starts and each epoch's loss; the fault injection."""

    def on_train_begin(self, logs=None):
        print(f"fit: starts at step {int(self.model.optimizer.iterations.numpy())}")

    def on_train_batch_end(self, batch, logs=None):
        fail_here("fit", int(self.model.optimizer.iterations.numpy()))

    def on_epoch_end(self, epoch, logs=None):
        print(f"fit: epoch {epoch + 1}, step {int(self.model.optimizer.iterations.numpy())}, loss {logs['loss']:.4f}")


def keras_fit(strategy, workdir, config, weights, x, y):
    """model.fit with BackupAndRestore: one backup directory per worker."""
    with strategy.scope():
        model = make_model(weights)
        model.compile(optimizer=keras.optimizers.Adam(config["learning_rate"]), loss="mse")
    task = strategy.cluster_resolver.task_id
    backup = keras.callbacks.BackupAndRestore(os.path.join(workdir, "backup", f"worker-{task}"))
    model.fit(make_dataset(x, y, config["global_batch"]), epochs=config["epochs"], shuffle=False, verbose=0,
              callbacks=[backup, Progress()])
    return model


def fit_bugs(strategy, config, weights, x, y):
    """Plain Keras 3.15 fit under MultiWorkerMirroredStrategy: the two errors."""
    for name, split_nested, scalars_axis_none in [("plain", False, False), ("tuple fix only", True, False)]:
        strategy.split_nested, strategy.scalars_axis_none = split_nested, scalars_axis_none
        with strategy.scope():
            model = make_model(weights)
            model.compile(optimizer=keras.optimizers.Adam(config["learning_rate"]), loss="mse")
        try:
            model.fit(make_dataset(x, y, config["global_batch"]), epochs=1, shuffle=False, verbose=0)
        except ValueError as error:
            message = re.sub(r"\(PerReplica:\{.*?\}\)", "(PerReplica:{...})", str(error), flags=re.S)
            print(f"fit ({name}): {type(error).__name__}: {message.split(' for ')[0]}")
    strategy.split_nested = strategy.scalars_axis_none = True


def main(argv):
    workdir, parts = argv[0], argv[1:]
    with open(os.path.join(workdir, "config.json")) as f:
        config = json.load(f)
    data = np.load(os.path.join(workdir, "data.npz"))
    x, y = data["x"], data["y"]
    weights = [data[f"w{i}"] for i in range(4)]

    # TF_CONFIG tells the strategy the cluster and this worker's place in it.
    strategy = FitStrategy(
        communication_options=tf.distribute.experimental.CommunicationOptions(
            implementation=tf.distribute.experimental.CommunicationImplementation.RING
        )
    )
    task = strategy.cluster_resolver.task_id
    print(f"worker {task} of {strategy.cluster_resolver.cluster_spec().num_tasks('worker')}, "
          f"replicas in sync: {strategy.num_replicas_in_sync}, "
          f"global batch {config['global_batch']}, per replica {config['global_batch'] // strategy.num_replicas_in_sync}")
    for part in parts:
        if part == "data":
            show_sharding(strategy, workdir, config["global_batch"])
        elif part == "ctl":
            model = custom_loop(strategy, workdir, config, weights, x, y)
            if task == 0:
                np.savez(os.path.join(workdir, "ctl-weights.npz"), *[v.numpy() for v in model.trainable_variables])
        elif part == "fit-bugs":
            fit_bugs(strategy, config, weights, x, y)
        elif part == "fit":
            model = keras_fit(strategy, workdir, config, weights, x, y)
            if task == 0:
                np.savez(os.path.join(workdir, "fit-weights.npz"), *[v.numpy() for v in model.trainable_variables])
        else:
            raise ValueError(f"unknown part {part!r}: expected data, ctl, fit-bugs or fit")
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
