"""Photos of products and shops: adding the merchant's uploads, reading them for pages.

A merchant only touches the photos of its own shop's products (another shop's product is a
404, through `products.get_product`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from comptoir.errors import NotFound, Unprocessable
from comptoir.media import storage
from comptoir.media.images import CleanPhoto, clean_photo
from comptoir.models import Photo, ProductPhoto, Shop
from comptoir.services import products
from comptoir.settings import get_settings

_EXTENSIONS = {"image/webp": "webp", "image/jpeg": "jpg"}


@dataclass(frozen=True)
class PhotoView:
    """What a page needs to draw a photo: its URLs (immutable, by hash) and sizes."""

    id: int
    thumb_webp: str
    thumb_jpeg: str
    large_webp: str
    large_jpeg: str
    thumb_width: int
    thumb_height: int
    width: int
    height: int


def media_url(key: str, content_type: str) -> str:
    """The URL of a stored file; its key is the hash of its bytes, so it never changes."""
    return f"/media/{key}.{_EXTENSIONS[content_type]}"


def _view(photo: Photo, view_id: int) -> PhotoView:
    return PhotoView(
        id=view_id,
        thumb_webp=media_url(photo.thumb_webp, "image/webp"),
        thumb_jpeg=media_url(photo.thumb_jpeg, "image/jpeg"),
        large_webp=media_url(photo.large_webp, "image/webp"),
        large_jpeg=media_url(photo.large_jpeg, "image/jpeg"),
        thumb_width=photo.thumb_width,
        thumb_height=photo.thumb_height,
        width=photo.width,
        height=photo.height,
    )


def main_photo_lateral(product_id: Any) -> Any:
    """A LEFT JOIN LATERAL target giving a product's first photo (join it `ON true`), so
    card lists get their photo in the same statement as their products."""
    return (
        select(
            ProductPhoto.id.label("photo_link_id"),
            Photo.thumb_webp.label("photo_thumb_webp"),
            Photo.thumb_jpeg.label("photo_thumb_jpeg"),
            Photo.large_webp.label("photo_large_webp"),
            Photo.large_jpeg.label("photo_large_jpeg"),
            Photo.thumb_width.label("photo_thumb_width"),
            Photo.thumb_height.label("photo_thumb_height"),
            Photo.width.label("photo_width"),
            Photo.height.label("photo_height"),
        )
        .join(Photo, Photo.id == ProductPhoto.photo_id)
        .where(ProductPhoto.product_id == product_id)
        .order_by(ProductPhoto.position, ProductPhoto.id)
        .limit(1)
        .lateral("main_photo")
    )


def main_photo_of_row(row: Any) -> PhotoView | None:
    """The photo read through `main_photo_lateral`'s columns, or None without a photo."""
    if row.photo_link_id is None:
        return None
    return PhotoView(
        id=row.photo_link_id,
        thumb_webp=media_url(row.photo_thumb_webp, "image/webp"),
        thumb_jpeg=media_url(row.photo_thumb_jpeg, "image/jpeg"),
        large_webp=media_url(row.photo_large_webp, "image/webp"),
        large_jpeg=media_url(row.photo_large_jpeg, "image/jpeg"),
        thumb_width=row.photo_thumb_width,
        thumb_height=row.photo_thumb_height,
        width=row.photo_width,
        height=row.photo_height,
    )


def store_photo(db: Session, clean: CleanPhoto) -> Photo:
    """Keep a cleaned photo's files and its row; the same picture twice is stored once."""
    existing = db.scalar(select(Photo).where(Photo.source_key == clean.large_jpeg.key))
    if existing is not None:
        return existing
    for rendition in clean.renditions:
        storage.save(db, rendition)
    photo = Photo(
        source_key=clean.large_jpeg.key,
        width=clean.large_jpeg.width,
        height=clean.large_jpeg.height,
        thumb_width=clean.thumb_jpeg.width,
        thumb_height=clean.thumb_jpeg.height,
        thumb_webp=clean.thumb_webp.key,
        thumb_jpeg=clean.thumb_jpeg.key,
        large_webp=clean.large_webp.key,
        large_jpeg=clean.large_jpeg.key,
    )
    db.add(photo)
    db.flush()
    return photo


def attach_photos(db: Session, product_id: int, photos: Sequence[Photo]) -> None:
    """Add photos after a product's current ones (no ownership check: callers make it)."""
    limit = get_settings().max_photos_per_product
    count = db.scalar(
        select(func.count()).select_from(ProductPhoto).where(ProductPhoto.product_id == product_id)
    ) or 0
    if count + len(photos) > limit:
        raise Unprocessable(
            f"Un produit a {limit} photos au plus (il en a {count}, vous en ajoutez "
            f"{len(photos)}).",
            code="too_many_photos",
        )
    next_position = db.scalar(
        select(func.coalesce(func.max(ProductPhoto.position) + 1, 0)).where(
            ProductPhoto.product_id == product_id
        )
    ) or 0
    for offset, photo in enumerate(photos):
        db.add(ProductPhoto(product_id=product_id, photo_id=photo.id, position=next_position + offset))
    db.flush()


def add_product_photos(
    db: Session, shop: Shop, product_id: int, uploads: Iterable[tuple[str, bytes]]
) -> int:
    """Check every uploaded (file name, bytes) and add them all to the shop's product, or none."""
    product = products.get_product(db, shop, product_id)
    cleaned = [clean_photo(data, name) for name, data in uploads]
    if not cleaned:
        raise Unprocessable("Choisissez au moins une photo.", code="no_photo")
    attach_photos(db, product.id, [store_photo(db, clean) for clean in cleaned])
    return len(cleaned)


def remove_product_photo(db: Session, shop: Shop, product_id: int, product_photo_id: int) -> None:
    """Take a photo off one of the shop's products (its files stay: other products may share them)."""
    product = products.get_product(db, shop, product_id)
    removed = db.execute(
        delete(ProductPhoto).where(
            ProductPhoto.id == product_photo_id, ProductPhoto.product_id == product.id
        )
    )
    if removed.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound("Cette photo n'existe pas.")


def photos_of_products(db: Session, product_ids: Iterable[int]) -> dict[int, list[PhotoView]]:
    """Each product's photos in order (one query for any number of products)."""
    ids = sorted(set(product_ids))
    found: dict[int, list[PhotoView]] = defaultdict(list)
    if not ids:
        return found
    rows = db.execute(
        select(ProductPhoto.product_id, ProductPhoto.id, Photo)
        .join(Photo, Photo.id == ProductPhoto.photo_id)
        .where(ProductPhoto.product_id.in_(ids))
        .order_by(ProductPhoto.product_id, ProductPhoto.position, ProductPhoto.id)
    )
    for product_id, link_id, photo in rows:
        found[product_id].append(_view(photo, link_id))
    return found


def photo_views(db: Session, photo_ids: Iterable[int | None]) -> dict[int, PhotoView]:
    """Several photos by id in one query (the shops' banners of a list), keyed by id."""
    wanted = {photo_id for photo_id in photo_ids if photo_id is not None}
    if not wanted:
        return {}
    photos = db.scalars(select(Photo).where(Photo.id.in_(wanted)))
    return {photo.id: _view(photo, photo.id) for photo in photos}


def photo_view(db: Session, photo_id: int | None) -> PhotoView | None:
    """One photo by id (a shop's banner), or None."""
    if photo_id is None:
        return None
    photo = db.get(Photo, photo_id)
    return _view(photo, photo.id) if photo is not None else None
