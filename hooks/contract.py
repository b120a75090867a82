"""The version of the plugin contract (the hooks, the run-time API, the data types and the
pytest plugin in this package). The minor number grows when something is added; the major
number when something a plugin may rely on changes or goes away. docs/plugins.md keeps the
changelog."""

from packaging.version import Version

__version__ = "2.7"
# The same, comparable: ``hooks.CONTRACT_VERSION >= Version("2.1")``.
CONTRACT_VERSION = Version(__version__)
