"""The figures layer: one module per command, named after it.

Each reads the store (through :mod:`.series` for the cached derived series), calls the models and
returns a plain dict whose keys are the command-line and API contract (add, never rename). The
interfaces (``cli``, ``api``, ``report``) call these functions and nothing below them.
"""
