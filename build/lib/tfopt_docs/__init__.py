"""Reusable code and NumPy ground truth for the tfopt_docs site.

Submodules are imported on demand: ``tfopt_docs.reference`` never imports
TensorFlow, so it stays fast and usable as an independent ground truth.
"""

__version__ = "0.1.0"
