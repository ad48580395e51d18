"""Product photos through the merchant's real forms, the ZIP import and the shop pages."""

from __future__ import annotations

import html
import io
import re
import zipfile

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comptoir.models import MediaFile, Product, ProductPhoto, Role, Shop, User
from tests.factories import create_product, create_shop, create_user
from tests.media.imagefiles import picture, png_bomb, with_gps
from tests.storefront.formtools import browser_login, page_csrf

_MEDIA = re.compile(r'(/media/[0-9a-f]{64}\.(?:webp|jpg))')


def _half(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _merchant(db: Session) -> tuple[User, Shop]:
    merchant = create_user(db, Role.merchant)
    return merchant, create_shop(db, merchant, name="Fromagerie des Halles")


def _fields(product: Product) -> dict[str, str]:
    return {
        "name": product.name, "price": "4,50", "vat_rate": "5,5", "stock": "10", "active": "on",
    }  # fmt: skip


def _send_photos(
    client: TestClient, product: Product, files: list[tuple[str, bytes, str]]
) -> object:
    page = f"/vendeur/produits/{product.id}"
    return client.post(
        page,
        # The session's token, read where any visitor can (the product form is the owner's).
        data={"csrf_token": page_csrf(client, "/cookies"), **_fields(product)},
        files=[("photos", f) for f in files],
        follow_redirects=False,
    )


def _photo_count(db: Session, product: Product) -> int:
    db.expire_all()
    return db.scalar(
        select(func.count()).select_from(ProductPhoto).where(ProductPhoto.product_id == product.id)
    ) or 0


def test_a_merchant_adds_photos_through_the_product_form(client: TestClient, db: Session) -> None:
    merchant, shop = _merchant(db)
    product = create_product(db, shop, name="Crottin de Chavignol")
    db.commit()
    browser_login(client, merchant)
    sent = _send_photos(
        client,
        product,
        [
            ("face.jpg", picture("JPEG", (1600, 1200)), "image/jpeg"),
            ("dessus.png", with_gps("PNG"), "image/png"),
            ("profil.webp", picture("WEBP", (900, 900)), "image/webp"),
        ],
    )
    assert sent.status_code == 303, sent.text[:800]  # type: ignore[attr-defined]
    assert _photo_count(db, product) == 3
    # The public product page shows them in <picture> with WebP, a JPEG fallback and srcset.
    page = client.get(f"/produits/{product.id}").text
    assert page.count("<picture") == 3 and 'type="image/webp"' in page
    assert 'alt="Crottin de Chavignol"' in page and "srcset=" in page
    assert 'alt="Crottin de Chavignol, photo 2"' in page
    # Cards (search, shop page) show the first photo.
    search = client.get("/recherche", params={"q": "crottin"}).text
    assert "<picture" in search and 'alt="Crottin de Chavignol"' in search
    # The merchant's form lists them with a button to take each off.
    form = client.get(f"/vendeur/produits/{product.id}").text
    assert form.count("/supprimer") >= 3 and 'enctype="multipart/form-data"' in form


def test_served_photos_are_immutable_and_stripped(client: TestClient, db: Session) -> None:
    merchant, shop = _merchant(db)
    product = create_product(db, shop, name="Tomme")
    db.commit()
    browser_login(client, merchant)
    assert _send_photos(client, product, [("gps.png", with_gps("PNG"), "image/png")]).status_code == 303  # type: ignore[attr-defined]
    client.cookies.clear()
    urls = sorted(set(_MEDIA.findall(client.get(f"/produits/{product.id}").text)))
    assert len(urls) == 4  # thumbnail and large, WebP and JPEG
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["content-type"] == (
            "image/webp" if url.endswith(".webp") else "image/jpeg"
        )
        assert b"Appareil" not in response.content
        assert not Image.open(io.BytesIO(response.content)).getexif()
        etag = response.headers["etag"]
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and not again.content
    key = urls[0].split("/")[-1].split(".")[0]
    assert client.get(f"/media/{key}.png").status_code == 404
    assert client.get(f"/media/{'0' * 64}.jpg").status_code == 404
    assert client.get("/media/../../etc/passwd").status_code == 404
    assert db.scalar(select(func.count()).select_from(MediaFile)) == 4


def test_hostile_files_are_refused_with_a_french_message(client: TestClient, db: Session) -> None:
    merchant, shop = _merchant(db)
    product = create_product(db, shop, name="Brie")
    db.commit()
    browser_login(client, merchant)
    cases = [
        (("photo.jpg", b"pas une image\n" * 50, "image/jpeg"), "n'est pas une image lisible"),
        (("bombe.png", png_bomb(30_000, 30_000), "image/png"), "trop grande"),
        (("coupee.jpg", _half(picture("JPEG", (1200, 900), quality=95)), "image/jpeg"),
         "abîmée ou incomplète"),
    ]  # fmt: skip
    for file, message in cases:
        # A good photo sent with the bad one is not kept either: all or nothing.
        good = ("bonne.jpg", picture("JPEG"), "image/jpeg")
        refused = _send_photos(client, product, [good, file])
        assert refused.status_code == 422, file[0]  # type: ignore[attr-defined]
        text = html.unescape(refused.text)  # type: ignore[attr-defined]
        assert message in text and f"« {file[0]} »" in text
        assert _photo_count(db, product) == 0


def test_photos_of_another_shops_product_are_refused(client: TestClient, db: Session) -> None:
    _, shop = _merchant(db)
    product = create_product(db, shop, name="Comté")
    intruder = create_user(db, Role.merchant)
    create_shop(db, intruder)
    shopper = create_user(db)
    db.commit()
    browser_login(client, intruder)
    response = _send_photos(client, product, [("x.jpg", picture("JPEG"), "image/jpeg")])
    assert response.status_code == 404  # type: ignore[attr-defined]
    removal = client.post(
        f"/vendeur/produits/{product.id}/photos/1/supprimer",
        data={"csrf_token": page_csrf(client, "/cookies")},
        follow_redirects=False,
    )
    assert removal.status_code == 404
    client.cookies.clear()
    browser_login(client, shopper)
    assert _send_photos(client, product, [("x.jpg", picture("JPEG"), "image/jpeg")]).status_code == 403  # type: ignore[attr-defined]
    assert _photo_count(db, product) == 0


def test_a_merchant_removes_a_photo(client: TestClient, db: Session) -> None:
    merchant, shop = _merchant(db)
    product = create_product(db, shop, name="Morbier")
    db.commit()
    browser_login(client, merchant)
    _send_photos(client, product, [("a.jpg", picture("JPEG"), "image/jpeg")])
    link_id = db.scalar(select(ProductPhoto.id).where(ProductPhoto.product_id == product.id))
    removal = client.post(
        f"/vendeur/produits/{product.id}/photos/{link_id}/supprimer",
        data={"csrf_token": page_csrf(client, "/vendeur/produits")},
        follow_redirects=False,
    )
    assert removal.status_code == 303 and _photo_count(db, product) == 0


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _import(client: TestClient, data: bytes, name: str = "produits.zip") -> str:
    response = client.post(
        "/vendeur/produits-import",
        data={"csrf_token": page_csrf(client, "/vendeur/produits")},
        files={"file": (name, data, "application/zip")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return html.unescape(client.get("/vendeur/produits").text)


def test_zip_import_brings_the_photos_its_csv_names(client: TestClient, db: Session) -> None:
    merchant, shop = _merchant(db)
    db.commit()
    browser_login(client, merchant)
    sheet = "sku;name;price;stock;photos\nB1;Beurre;3,90;12;beurre.jpg|images/beurre-2.png\nB2;Crème;2,50;4;\n"
    missing = _import(client, _zip({"produits.csv": sheet.encode()}))
    assert "photo « beurre.jpg » absente du ZIP" in missing
    assert db.scalars(select(Product).where(Product.shop_id == shop.id)).all() == []
    bad = _import(
        client,
        _zip({"produits.csv": sheet.encode(), "beurre.jpg": b"texte", "beurre-2.png": picture("PNG")}),
    )
    assert "photo « beurre.jpg » (ligne 2) refusée" in bad and "pas une image lisible" in bad
    assert db.scalars(select(Product).where(Product.shop_id == shop.id)).all() == []
    done = _import(
        client,
        _zip(
            {
                "export/produits.csv": sheet.encode(),
                "photos/beurre.jpg": picture("JPEG"),
                "photos/beurre-2.png": picture("PNG", (500, 500)),
            }
        ),
    )
    assert "2 produits créés" in done
    beurre = db.scalars(select(Product).where(Product.sku == "B1")).one()
    assert _photo_count(db, beurre) == 2
    plain_csv = _import(client, sheet.encode(), "produits.csv")
    assert "envoyez un ZIP contenant le CSV" in plain_csv


def _zip_bomb(unpacked: int) -> bytes:
    """A ZIP of a few hundred kilobytes holding one file of zeros `unpacked` bytes long."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        sheet = "sku;name;price;stock;photos\nB1;Beurre;3,90;12;zeros.jpg\n"
        archive.writestr("produits.csv", sheet)
        with archive.open("zeros.jpg", "w", force_zip64=True) as entry:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(unpacked // len(chunk)):
                entry.write(chunk)
    return buffer.getvalue()


def _damaged(archive: bytes, name: str) -> bytes:
    """The ZIP with one byte of `name`'s compressed data flipped (its CRC no longer matches)."""
    info = zipfile.ZipFile(io.BytesIO(archive)).getinfo(name)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    middle = start + info.compress_size // 2
    return archive[:middle] + bytes([archive[middle] ^ 0xFF]) + archive[middle + 1 :]


def _patched(archive: bytes, name: str, *, encrypted: bool = False, method: int = -1) -> bytes:
    """The ZIP with `name` marked password-protected, or compressed by another `method`, in
    both its local header and its central directory entry (what other zip tools produce)."""
    data = bytearray(archive)
    info = zipfile.ZipFile(io.BytesIO(archive)).getinfo(name)
    local = info.header_offset
    central = data.index(b"PK\x01\x02")
    while data[central + 46 : central + 46 + len(info.filename)] != info.filename.encode():
        central = data.index(b"PK\x01\x02", central + 1)
    for flags_at, method_at in ((local + 6, local + 8), (central + 8, central + 10)):
        if encrypted:
            data[flags_at] |= 0x01
        if method >= 0:
            data[method_at : method_at + 2] = method.to_bytes(2, "little")
    return bytes(data)


def test_hostile_zip_imports_are_refused_in_french(client: TestClient, db: Session) -> None:
    merchant, shop = _merchant(db)
    db.commit()
    browser_login(client, merchant)
    sheet = b"sku;name;price;stock;photos\nB1;Beurre;3,90;12;beurre.png\n"
    cases = [
        # A picture claiming 900 million pixels, inside the ZIP: stopped at its header.
        ({"produits.csv": sheet, "beurre.png": png_bomb(30_000, 30_000)}, "trop grande"),
        # A photo heavier than the form's limit, refused before it is decoded.
        (
            {"produits.csv": sheet.replace(b"beurre.png", b"lourde.jpg"),
             "lourde.jpg": b"\xff\xd8" + b"\0" * (9 * 1024 * 1024)},
            "photo « lourde.jpg » (ligne 2) refusée. trop lourde (8 Mo au plus)",
        ),
    ]  # fmt: skip
    for entries, message in cases:
        assert message in _import(client, _zip(entries))
    # A small ZIP that would inflate to 300 MB: refused from its directory, nothing unpacked.
    bomb = _zip_bomb(300 * 1024 * 1024)
    assert len(bomb) < 2 * 1024 * 1024
    assert "Le ZIP décompressé dépasse 256 Mo" in _import(client, bomb)
    # A damaged archive (a flipped byte in a photo or in the CSV) is a French error, not a 500.
    whole = _zip({"produits.csv": sheet, "beurre.png": picture("PNG", (600, 600))})
    for name in ("beurre.png", "produits.csv"):
        assert "Le fichier ZIP est illisible ou abîmé" in _import(client, _damaged(whole, name))
    assert "Le fichier ZIP est illisible ou abîmé" in _import(client, b"PK\x03\x04" + b"\0" * 64)
    # A password-protected photo, and a CSV compressed by a method Python cannot inflate
    # (99: WinZip's AES): the merchant's error too.
    locked = _patched(whole, "beurre.png", encrypted=True)
    assert "Le fichier ZIP est illisible ou abîmé" in _import(client, locked)
    unknown = _patched(whole, "produits.csv", method=99)
    assert "Le fichier ZIP est illisible ou abîmé" in _import(client, unknown)
    assert db.scalars(select(Product).where(Product.shop_id == shop.id)).all() == []
