"""The pytest side of the harness, one module per concern.

- ``collection``: which Markdown files are pages; their blocks as items (Sybil's parser with
  the block kinds' evaluators); a page that cannot be parsed as one failing item;
- ``run``: the daemon check, the session's daemon and the per-page fixture, the host-port
  turn;
- ``interrupt``: SIGTERM as Ctrl-C, passed on to xdist's workers;
- ``update_mode``: `--update-docs` writes real outputs back into the pages;
- ``reporting``: each block's facts, the run's JSON report, the terminal summary.

Loaded by the root conftest.py (``pytest_plugins = ["docharness.plugin"]``), which loads these.
"""

pytest_plugins = [
    "docharness.plugin.collection",
    "docharness.plugin.run",
    "docharness.plugin.interrupt",
    "docharness.plugin.update_mode",
    "docharness.plugin.reporting",
]
