"""JSON endpoints for pages the shop does not serve itself (the static site)."""
