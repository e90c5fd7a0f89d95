"""sphinx-gallery reset hook, TensorFlow-free on the build side.

Importing TensorFlow here would make every build pay for it; the hook only
touches Keras when an example already imported it.
"""

import sys

import build_environment


def reset_example(gallery_conf, fname):
    """Before each example: clear the Keras session, so layer names and the
    global graph do not leak from one example into the next.

    In a parallel build this runs in the worker processes, which never read
    conf.py: it also gives them the build's environment (TensorFlow's
    start-up lines filtered, seeds as the robustness check sets them).
    """
    build_environment.configure_kernel()
    matplotlib = sys.modules.get("matplotlib")
    if matplotlib is not None:
        # The animation thumbnails are written with Pillow; say so, instead of
        # letting matplotlib look for ffmpeg and log that it fell back.
        matplotlib.rcParams["animation.writer"] = "pillow"
    keras = sys.modules.get("keras")
    if keras is not None:
        keras.backend.clear_session()
