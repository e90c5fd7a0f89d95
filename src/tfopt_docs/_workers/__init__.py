"""Worker programs that the pages start with :func:`tfopt_docs.cluster.run_workers`.

Each module is run as ``python -m tfopt_docs._workers.NAME ...``, one
process per worker; the pages show their code with ``literalinclude``.
"""

from tfopt_docs._workers import _light_keras

# A worker never uses scikit-learn or pyplot: spare its `import keras` both (about a third of it).
_light_keras.install()
