"""The build's notebook kernel: ipykernel's, forked from the build's fork server
if there is one, and ending without the interpreter's teardown.

With a fork server (``docs/_ext/kernel_forkserver.py``, its socket in
``TFOPT_KERNEL_FORKSERVER``), this process asks it for a kernel that has
TensorFlow imported already, and stands for it until it ends. Otherwise
(no server, or it refuses) this process becomes the kernel itself.

A kernel that has imported TensorFlow spends over a second at exit tearing
its modules down, after every page, while the build waits for it. Nothing
of that teardown is seen: the page's outputs were sent before the kernel
was asked to shut down, and every exit handler still runs.
"""

import atexit
import os
import sys
from pathlib import Path

if __name__ == "__main__":
    # Python put this folder first on sys.path: take it off, so that the kernel's
    # sys.path is the one ipykernel_launcher leaves.
    del sys.path[0]
    address = os.environ.get("TFOPT_KERNEL_FORKSERVER")
    if address:
        sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # docs/_ext
        import kernel_forkserver

        if kernel_forkserver.kernel_from_server(address, sys.argv[1:]):
            sys.exit(0)
        del sys.path[0]
    # Registered before ipykernel's and IPython's handlers, so it runs after all of them.
    atexit.register(os._exit, 0)
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()
