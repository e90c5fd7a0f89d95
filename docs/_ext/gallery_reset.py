"""sphinx-gallery reset hook, TensorFlow-free on the build side.

Importing TensorFlow here would make every build pay for it; the hook only
touches Keras when an example already imported it.
"""

import sys

import build_environment


def reset_keras(gallery_conf, fname):
    """Clear the Keras session between examples, so layer names and the
    global graph do not leak from one example into the next.

    In a parallel build this runs in the worker processes, which never read
    conf.py: it also gives them the build's environment (TensorFlow's
    start-up lines filtered, seeds as the robustness check sets them).
    """
    build_environment.configure_kernel()
    keras = sys.modules.get("keras")
    if keras is not None:
        keras.backend.clear_session()
