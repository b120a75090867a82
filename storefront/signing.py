"""Flask-WTF's ``generate_csrf`` under the name ``storefront.guest_pages`` imports.

Only that import keeps this module: guest_pages.py is being reworked on another branch; once
it imports ``flask_wtf.csrf.generate_csrf`` itself, this file goes.
"""

from flask_wtf.csrf import generate_csrf as csrf_token

__all__ = ["csrf_token"]
