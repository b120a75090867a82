"""Free gift above a cart total: a third-party Storefront plugin."""
