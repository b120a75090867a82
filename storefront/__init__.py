"""Storefront: a loyalty-driven Flask web shop whose benefits are pluggy plugins.

The application itself is in ``storefront.app``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

__version__ = "0.1.0"


def create_app(test_config: dict | None = None, instance_path: str | None = None) -> Flask:
    """The shop's Flask application (``flask --app storefront`` finds it here)."""
    from storefront.app import create_app as create

    return create(test_config, instance_path)
