"""Product pictures (issue 18): a picture under content/ named in a product's front matter
becomes WebP copies of 320, 640 and 1280 pixels (never enlarged), made with Pillow when
content is synced and named after the picture's content; pages offer them with srcset and
the alt text; /media/ serves them for a year; the static build writes them; bad names are
reported by `storefront content check`."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from PIL import Image

from storefront.build.site import build_site
from storefront.catalog.sync import sync_products
from storefront.cli import main
from storefront.content.loader import load_content
from tests.conftest import ROOT

ALT = "A hand grinder with a walnut handle on a kitchen table"


def picture(path: Path, size: tuple[int, int], colour: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path, "JPEG", quality=90)


def with_picture(content: Path, image: str, alt: str | None = ALT) -> None:
    product = content / "products" / "hand-grinder.md"
    text = product.read_text()
    lines = [f"image: {image}"] + ([f'image_alt: "{alt}"'] if alt else [])
    product.write_text(text.replace("---\n", "---\n" + "\n".join(lines) + "\n", 1))


@pytest.fixture
def content(tmp_path) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "content", folder)
    return folder


@pytest.fixture
def shop_with_picture(make_app, content, tmp_path):
    picture(content / "images" / "grinder.jpg", (2000, 1500), "sienna")
    with_picture(content, "images/grinder.jpg")
    app = make_app(CONTENT_DIR=str(content), MEDIA_DIR=str(tmp_path / "media"))
    with app.app_context():
        sync_products(load_content(content))
    return app


def copies(app) -> dict[str, tuple[int, int]]:
    folder = Path(app.config["MEDIA_DIR"]) / "products"
    found = {}
    for path in sorted(folder.glob("*.webp")):
        with Image.open(path) as opened:
            found[path.name] = opened.size
    return found


def test_a_picture_becomes_three_sizes_offered_with_srcset_and_alt_text(shop_with_picture):
    app = shop_with_picture
    made = copies(app)
    sizes = sorted(made.values())
    assert sizes == [(320, 240), (640, 480), (1280, 960)], made
    stem = re.match(r"(hand-grinder-[0-9a-f]{12})-1280\.webp", min(made)).group(1)
    base = f"/media/products/{stem}"
    client = app.test_client()
    page = client.get("/products/hand-grinder").get_data(as_text=True)
    assert (f'<img src="{base}-640.webp" srcset="{base}-320.webp 320w, {base}-640.webp 640w, '
            f'{base}-1280.webp 1280w" sizes="(max-width: 40rem) 100vw, 480px" width="1280" '
            f'height="960" alt="{ALT}">') in page
    listing = client.get("/category/equipment").get_data(as_text=True)
    assert f'srcset="{base}-320.webp 320w' in listing and 'alt="" loading="lazy"' in listing
    served = client.get(f"{base}-640.webp")
    assert served.status_code == 200 and served.mimetype == "image/webp"
    assert "immutable" in served.headers["Cache-Control"]
    assert "max-age=31536000" in served.headers["Cache-Control"]
    assert client.get("/media/products/../../secret").status_code == 404


def test_a_new_picture_gets_new_names_and_the_old_copies_go(shop_with_picture, content):
    app = shop_with_picture
    before = set(copies(app))
    picture(content / "images" / "grinder.jpg", (480, 300), "navy")  # smaller than 640
    with app.app_context():
        sync_products(load_content(content))
        sync_products(load_content(content))  # again: nothing to make
    after = copies(app)
    assert not before & set(after)
    assert sorted(after.values()) == [(320, 200), (480, 300)]  # never enlarged
    page = app.test_client().get("/products/hand-grinder").get_data(as_text=True)
    assert 'width="480" height="300"' in page


def test_the_static_build_writes_the_copies(shop_with_picture, tmp_path):
    app = shop_with_picture
    out = tmp_path / "site"
    build_site(app, out)
    written = sorted(p.name for p in (out / "media" / "products").glob("*.webp"))
    assert written == sorted(copies(app))
    for language in ("en", "es"):  # each language's page uses the one set of copies
        page = (out / language / "products" / "hand-grinder" / "index.html").read_text()
        assert f"/media/products/{written[0]}" in page


@pytest.mark.parametrize(("image", "problem"), [
    ("images/nope.jpg", "'images/nope.jpg' does not exist"),
    ("../outside.jpg", "'../outside.jpg' must be a file under the content folder"),
    ("images/notes.txt", "'images/notes.txt' must be a JPEG, PNG, WebP or GIF picture"),
    ("images/notes.jpg", "'images/notes.jpg' cannot be read as a picture"),
])
def test_content_check_names_a_bad_picture(make_app, content, image, problem):
    (content / "images").mkdir()
    for name in ("notes.txt", "notes.jpg"):
        (content / "images" / name).write_text("not a picture")
    with_picture(content, image)
    app = make_app(CONTENT_DIR=str(content))
    result = app.test_cli_runner().invoke(main, ["content", "check", "--dir", str(content)])
    assert result.exit_code == 1
    assert f"products/hand-grinder.md: image: {problem}" in result.output
