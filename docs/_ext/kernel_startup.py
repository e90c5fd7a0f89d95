"""Start-up file of the build's notebook kernels (their ``PYTHONSTARTUP``).

IPython runs it in the notebook's namespace with this folder on
``sys.path``, so it imports what it needs and leaves no names behind.
"""

import build_environment as _build_environment
import kernel_forkserver as _kernel_forkserver

_build_environment.configure_kernel()
_kernel_forkserver.finish_in_shell()
del _build_environment, _kernel_forkserver
