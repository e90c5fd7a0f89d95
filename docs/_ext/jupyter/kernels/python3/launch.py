"""The build's notebook kernel: ipykernel's, ending without the interpreter's teardown.

A kernel that has imported TensorFlow spends over a second at exit tearing
its modules down, after every page, while the build waits for it. Nothing
of that teardown is seen: the page's outputs were sent before the kernel
was asked to shut down, and every exit handler still runs.
"""

import atexit
import os
import sys

if __name__ == "__main__":
    # Python put this folder first on sys.path: take it off, so that the kernel's
    # sys.path is the one ipykernel_launcher leaves.
    del sys.path[0]
    # Registered before ipykernel's and IPython's handlers, so it runs after all of them.
    atexit.register(os._exit, 0)
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()
