"""Photos drawn with Pillow for the demo town (no download): per category a soft colour
gradient, a simple motif and the category's initial. One picture per category, shared by its
products, so loading stays fast."""

from __future__ import annotations

import zlib

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import exists, insert, literal, select
from sqlalchemy.orm import Session

from comptoir.media.images import CleanPhoto, renditions_of
from comptoir.models import Category, Product, ProductPhoto

SIZE = (800, 600)
# Soft pastel pairs (top-left colour, bottom-right colour).
PALETTES = (
    ((246, 228, 200), (222, 176, 128)),
    ((226, 240, 226), (160, 200, 168)),
    ((250, 226, 220), (226, 160, 150)),
    ((228, 236, 248), (160, 184, 220)),
    ((240, 230, 246), (196, 170, 214)),
    ((250, 244, 214), (222, 200, 130)),
    ((232, 240, 222), (176, 196, 140)),
)
INK = (255, 255, 255, 150)


def _gradient(top: tuple[int, int, int], bottom: tuple[int, int, int]) -> Image.Image:
    # A diagonal blend drawn from a 2 × 2 picture scaled up: smooth and almost free.
    corners = Image.new("RGB", (2, 2))
    middle = tuple((a + b) // 2 for a, b in zip(top, bottom, strict=True))
    corners.putdata([top, middle, middle, bottom])
    return corners.resize(SIZE, Image.Resampling.BILINEAR)


def _motif(draw: ImageDraw.ImageDraw, seed: int) -> None:
    """Circles, stripes or dots, lightly drawn in white, chosen by the category."""
    width, height = SIZE
    kind = seed % 3
    if kind == 0:
        for n in range(4):
            r = 80 + n * 70
            draw.ellipse((width - r - 40, height - r - 40, width + r - 40, height + r - 40),
                         outline=INK, width=6)  # fmt: skip
    elif kind == 1:
        for x in range(-height, width, 70):
            draw.line((x, height, x + height, 0), fill=(255, 255, 255, 60), width=14)
    else:
        for y in range(40, height, 90):
            for x in range(40 + (y // 90 % 2) * 45, width, 90):
                draw.ellipse((x - 9, y - 9, x + 9, y + 9), fill=(255, 255, 255, 90))


def draw_category_picture(slug: str, name: str) -> Image.Image:
    """The demo picture of a category: gradient, motif, and its initial in a white disc."""
    seed = zlib.crc32(slug.encode())
    top, bottom = PALETTES[seed % len(PALETTES)]
    picture = _gradient(top, bottom).convert("RGBA")
    layer = Image.new("RGBA", SIZE, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    _motif(draw, seed // 7)
    cx, cy, r = SIZE[0] // 2, SIZE[1] // 2, 140
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(255, 255, 255, 200))
    font = ImageFont.load_default(size=160)
    draw.text((cx, cy), name[:1].upper(), font=font, fill=bottom + (255,), anchor="mm")
    return Image.alpha_composite(picture, layer).convert("RGB")


def category_photo(slug: str, name: str) -> CleanPhoto:
    """The category's demo picture, encoded like any upload (two sizes, WebP and JPEG)."""
    return renditions_of(draw_category_picture(slug, name))


def give_drawn_photos(db: Session) -> int:
    """Give every product without a photo its category's drawn picture; how many got one."""
    from comptoir.services.product_photos import store_photo

    bare = ~exists().where(ProductPhoto.product_id == Product.id)
    categories = db.execute(
        select(Category.id, Category.slug, Category.name)
        .where(exists().where(Product.category_id == Category.id, bare))
        .order_by(Category.id)
    ).all()
    given = 0
    for category_id, slug, name in categories:
        photo = store_photo(db, category_photo(slug, name))
        # One statement per category, whatever its number of products.
        added = db.execute(
            insert(ProductPhoto).from_select(
                ["product_id", "photo_id", "position"],
                select(Product.id, literal(photo.id), literal(0)).where(
                    Product.category_id == category_id, bare
                ),
            ).returning(ProductPhoto.id)
        )
        given += len(added.all())
    db.flush()
    return given
