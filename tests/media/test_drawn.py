"""The demo's drawn photos: one picture per category, given to the products without one."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comptoir.media.drawn import give_drawn_photos
from comptoir.models import Photo, ProductPhoto
from tests.factories import create_category, create_product, create_shop


def test_products_without_photos_get_their_categorys_picture(db: Session) -> None:
    shop = create_shop(db)
    cheese = create_category(db, "fromages", "Fromages")
    bread = create_category(db, "pain-viennoiseries", "Pain & viennoiseries")
    products = [create_product(db, shop, category_id=c.id) for c in (cheese, cheese, bread)]
    create_product(db, shop)  # no category: keeps its placeholder
    assert give_drawn_photos(db) == 3
    assert db.scalar(select(func.count()).select_from(Photo)) == 2  # one per category
    links = db.execute(select(ProductPhoto.product_id, ProductPhoto.photo_id)).all()
    photo_of = {product_id: photo_id for product_id, photo_id in links}
    assert photo_of[products[0].id] == photo_of[products[1].id] != photo_of[products[2].id]
    assert give_drawn_photos(db) == 0  # a second load adds nothing
