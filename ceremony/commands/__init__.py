"""One module per CLI command, each with ``register(subparsers)`` and ``run(args) -> int``.

Modules are imported only when their command runs, so short commands start fast.
"""
