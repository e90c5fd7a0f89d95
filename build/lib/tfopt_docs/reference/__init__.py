"""NumPy ground truth for the Keras optimization code (imports no TensorFlow).

* :mod:`tfopt_docs.reference.schedules`: the Keras learning-rate schedules.
"""
