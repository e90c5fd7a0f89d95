"""Start-up file of the build's notebook kernels (their ``PYTHONSTARTUP``).

IPython runs it in the notebook's namespace with this folder on
``sys.path``, so it imports what it needs and leaves no names behind.
"""

import build_environment as _build_environment

_build_environment.configure_kernel()
del _build_environment
