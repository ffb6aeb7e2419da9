"""Wire the docs harness: Sybil (set up in docharness.plugin) collects the Markdown pages.

Pages are docs/**.md, plus any .md file of the repo named on the command line;
the plugin runs them against the lab (or DOCS_DOCKER=own, or DOCS_DOCKER_HOST).
"""

pytest_plugins = ["docharness.plugin", "pytester"]
# The harness's sample pages (some wrong on purpose) run only through tests/integration.
collect_ignore = ["tests/integration/pages", "site", "node_modules", ".cache"]
