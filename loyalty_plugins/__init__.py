"""Storefront's built-in loyalty plugins. Each is registered under the entry-point group
``storefront.plugins`` exactly as a third-party plugin is, and uses only ``hooks``."""
