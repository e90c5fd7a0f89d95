"""NumPy ground truth for the Keras optimization code (imports no TensorFlow).

* :mod:`tfopt_docs.reference.schedules`: the Keras learning-rate schedules.
* :mod:`tfopt_docs.reference.optimizers`: the Keras optimizers (functional
  ``init``/``step``, float32, agreeing with Keras step by step).
"""
