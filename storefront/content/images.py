"""Product images: the picture a product's front matter names (``image: images/grinder.jpg``,
a file under content/) becomes WebP copies of a few widths, made with Pillow when content is
synced or built. Each copy is named after the file's content and its width
(``/media/products/hand-grinder-1f2e3d4c5b6a-640.webp``), so a changed picture gets new
names (the old copies are removed) and browsers may keep each copy for a year. An image
given as an address (``/static/...``, ``https://...``) is used as it is.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

WIDTHS = (320, 640, 1280)
URL_PREFIX = "/media/products/"
QUALITY = 82


@dataclass(frozen=True)
class Variants:
    """What the product row keeps: ``base`` + ``-<width>.webp`` for each width up to
    ``width`` (the largest copy, whose height is ``height``)."""

    base: str
    width: int
    height: int


def is_address(image: str) -> bool:
    """An image given as an address of its own rather than a file under content/."""
    return image.startswith(("/", "http://", "https://"))


def readable_picture(path: Path) -> bool:
    """Pillow recognises the file (it reads the header only) and it is not absurdly large."""
    from PIL import Image

    try:
        with Image.open(path) as opened:
            return opened.width > 0 and opened.height > 0
    except (OSError, Image.DecompressionBombError):
        return False


def widths_up_to(largest: int) -> list[int]:
    return [width for width in WIDTHS if width < largest] + [largest]


def make_variants(source: Path, slug: str, media_dir: Path) -> Variants:
    """The copies of ``source`` for the product ``slug``, made unless they exist."""
    data = source.read_bytes()
    stem = f"{slug}-{hashlib.sha256(data).hexdigest()[:12]}"
    folder = media_dir / "products"
    made = sorted(folder.glob(f"{stem}-*.webp"), key=_width)
    if not made:
        made = _resize(data, folder, stem)
        for old in folder.glob(f"{slug}-*.webp"):
            if _stem_of(old) != stem and _stem_of(old).rsplit("-", 1)[0] == slug:
                old.unlink(missing_ok=True)  # an earlier picture of this product
    from PIL import Image

    with Image.open(made[-1]) as largest:
        width, height = largest.size
    return Variants(URL_PREFIX + stem, width, height)


def srcset(base: str, largest: int) -> str:
    return ", ".join(f"{base}-{width}.webp {width}w" for width in widths_up_to(largest))


def _resize(data: bytes, folder: Path, stem: str) -> list[Path]:
    from PIL import Image, ImageOps

    folder.mkdir(parents=True, exist_ok=True)
    made = []
    with Image.open(io.BytesIO(data)) as opened:
        picture = ImageOps.exif_transpose(opened).convert("RGB")
    for width in widths_up_to(min(picture.width, WIDTHS[-1])):
        height = max(1, round(picture.height * width / picture.width))
        path = folder / f"{stem}-{width}.webp"
        partial = path.with_name(path.name + ".part")
        picture.resize((width, height), Image.Resampling.LANCZOS).save(
            partial, "WEBP", quality=QUALITY)
        partial.replace(path)  # a reader never sees half a file
        made.append(path)
    return made


def _width(path: Path) -> int:
    return int(path.stem.rsplit("-", 1)[1])


def _stem_of(path: Path) -> str:
    return path.stem.rsplit("-", 1)[0]
