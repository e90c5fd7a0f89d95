"""sphinx-gallery reset hook, TensorFlow-free on the build side.

Importing TensorFlow here would make every build pay for it; the hook only
touches Keras when an example already imported it.
"""

import sys


def reset_keras(gallery_conf, fname):
    """Clear the Keras session between examples, so layer names and the
    global graph do not leak from one example into the next."""
    keras = sys.modules.get("keras")
    if keras is not None:
        keras.backend.clear_session()
