"""In-process cost of the pages bench_pages.py loads: µs per request, no HTTP, no gunicorn.

    .venv/bin/python bench/inprocess_pages.py [--requests 300] [--repeats 7] [--profile TARGET]

Prepares the same demo shop as bench_pages.py (temporary folder, deleted at the end), builds
the app as production does (ENV_NAME=production, strong generated secret key) and calls it
with the Flask test client: the product page for a new visitor (no cookie) and for a
returning one (the cookie a browser keeps), for the demo member signed in ("member": never
from the guest page cache; the points and tiers plugins price the product for them to show
the points it earns and the tier's price), the cart page with 2 lines, and the bare
reference app on the same database. Less sensitive to a busy machine than bench_pages.py:
the best of --repeats batches counts; "uncached" is the new visitor's product page with the
guest page cache off (GUEST_PAGE_CACHE_SIZE=0), "home" the home page (12 products) with it
on and off. --profile TARGET (one of the names printed) prints the top of a cProfile of
that target instead (environment SORT=tottime, TOP=60 to change the view, CALLERS=pattern
to add who called the matching functions).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from bench_pages import CART_PRODUCTS, CSRF_RE, PRODUCT_PATH, SKU_RE, prepare_database  # noqa: E402

ORIGIN = "http://localhost"  # the test client's, as a browser sends it with a form


def cookie_of(response, current: str) -> str:
    for raw in response.headers.getlist("Set-Cookie"):
        pair = raw.split(";", 1)[0]
        if pair.startswith("session="):
            return pair
    return current


def returning_cookie(client) -> str:
    cookie = ""
    for _ in range(3):
        response = client.get(PRODUCT_PATH, headers={"Cookie": cookie} if cookie else {})
        if not response.headers.getlist("Set-Cookie"):
            return cookie
        cookie = cookie_of(response, cookie)
    raise AssertionError("the product page keeps changing the session")


def cart_cookie(client) -> str:
    cookie = ""
    for slug, quantity in CART_PRODUCTS:
        page = client.get(f"/products/{slug}", headers={"Cookie": cookie} if cookie else {})
        cookie = cookie_of(page, cookie)
        html = page.get_data(as_text=True)
        response = client.post("/cart/add", headers={"Cookie": cookie, "Origin": ORIGIN}, data={
            "sku": SKU_RE.search(html).group(1), "quantity": str(quantity)})
        assert response.status_code == 303, response.status_code
        cookie = cookie_of(response, cookie)
    for _ in range(2):  # the first view consumes the flash messages
        cookie = cookie_of(client.get("/cart", headers={"Cookie": cookie}), cookie)
    return cookie


def member_cookie(client) -> str:
    """The session of the demo member, signed in through the login form."""
    page = client.get("/login")
    cookie = cookie_of(page, "")
    response = client.post("/login", headers={"Cookie": cookie}, data={
        "csrf_token": CSRF_RE.search(page.get_data(as_text=True)).group(1),
        "email": "member@demo.shop", "password": "member-demo-pass"})
    assert response.status_code in (302, 303), response.status_code
    cookie = cookie_of(response, cookie)
    for _ in range(2):  # the first view consumes the flash messages
        cookie = cookie_of(client.get(PRODUCT_PATH, headers={"Cookie": cookie}), cookie)
    return cookie


def timer(client, path: str, cookie: str,
          clock: Callable[[], float] = time.perf_counter) -> Callable[[int], float]:
    headers = {"Cookie": cookie} if cookie else {}

    def run(n: int) -> float:
        start = clock()
        for _ in range(n):
            response = client.get(path, headers=headers)
            assert response.status_code == 200
        return (clock() - start) / n * 1e6

    return run


def build_targets(tmp: Path, clock: Callable[[], float] = time.perf_counter
                  ) -> dict[str, Callable[[int], float]]:
    """The demo shop in ``tmp`` and a timer per target (warmed up), as described above;
    ``clock`` is wall time, or ``time.process_time`` for the CPU time of this process."""
    instance = tmp / "instance"
    instance.mkdir()
    database = prepare_database(instance)
    os.environ.update({"STOREFRONT_ENV_NAME": "production",
                       "STOREFRONT_SECRET_KEY": secrets.token_urlsafe(48),
                       "DATABASE_URL": f"sqlite:///{database}"})
    from bare_app import create_app as create_bare

    from storefront import create_app

    shop = create_app(instance_path=str(instance)).test_client(use_cookies=False)
    # The same shop rendering every request (no guest page cache), for comparison.
    os.environ["STOREFRONT_GUEST_PAGE_CACHE_SIZE"] = "0"
    uncached = create_app(instance_path=str(instance)).test_client(use_cookies=False)
    del os.environ["STOREFRONT_GUEST_PAGE_CACHE_SIZE"]
    bare = create_bare(str(database), pad_bytes=0).test_client()
    targets = {"product": timer(shop, PRODUCT_PATH, "", clock),
               "returning": timer(shop, PRODUCT_PATH, returning_cookie(shop), clock),
               "uncached": timer(uncached, PRODUCT_PATH, "", clock),
               "member": timer(shop, PRODUCT_PATH, member_cookie(shop), clock),
               "home": timer(shop, "/", "", clock),
               "home-uncached": timer(uncached, "/", "", clock),
               "cart": timer(shop, "/cart", cart_cookie(shop), clock),
               "bare": timer(bare, PRODUCT_PATH, "", clock)}
    for run in targets.values():
        run(50)  # warm-up: templates compiled, statements cached, pool filled
    return targets


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--cpu", action="store_true",
                        help="CPU time of this process instead of wall time: steadier on a "
                             "machine others use")
    parser.add_argument("--profile",
                        choices=["product", "returning", "uncached", "member", "home",
                                 "home-uncached", "cart", "bare"])
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="storefront-inproc-"))
    try:
        targets = build_targets(tmp, time.process_time if args.cpu else time.perf_counter)
        if args.profile:
            profiler = cProfile.Profile()
            profiler.runcall(targets[args.profile], args.requests)
            stats = pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "cumulative"))
            stats.print_stats(int(os.environ.get("TOP", "40")))
            if os.environ.get("CALLERS"):
                stats.print_callers(os.environ["CALLERS"])
            return 0
        best = {name: float("inf") for name in targets}
        for _ in range(args.repeats):  # round robin: noise lands on every target alike
            for name, run in targets.items():
                best[name] = min(best[name], run(args.requests))
        for name, value in best.items():
            print(f"{name:<13} {value:8.1f} µs/request   bare/this {best['bare'] / value:.2f}")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
