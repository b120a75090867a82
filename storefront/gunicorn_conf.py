"""gunicorn's settings for the shop; `storefront serve` runs gunicorn with them:

    gunicorn -c python:storefront.gunicorn_conf --workers 2 --bind 127.0.0.1:8000

The app is created once, in gunicorn's master process, and each worker is a fork of it
(``preload_app``): a worker starts, or replaces one that ``--timeout`` killed, without
creating the app again, and the workers share the memory pages of its code and templates.
Creating the app opens no database connection; one that a plugin's ``shop_startup`` opens
there is left to the master, and each worker opens its own (``storefront.app.after_fork``).
"""

from __future__ import annotations

wsgi_app = "storefront.wsgi:app"
preload_app = True


def post_fork(_server, worker) -> None:
    from storefront.app import after_fork

    after_fork(worker.app.wsgi())  # the app the master created
