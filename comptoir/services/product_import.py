"""The merchant's product import: a CSV file, or a ZIP holding the CSV and the photos its
`photos` column names (all or nothing: one bad line or picture refuses the whole file)."""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import PurePosixPath

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from comptoir.media.images import MAX_UPLOAD_BYTES, ImageRefused, clean_photo
from comptoir.models import Product, ProductPhoto, Shop
from comptoir.services import product_photos, products
from comptoir.services.products import CsvImportError, CsvProblem, FileTooLarge, ImportResult

MAX_ARCHIVE_BYTES = 64 * 1024 * 1024
MAX_ARCHIVE_FILES = 2000
# What the archive may unpack to: a small ZIP that inflates to gigabytes is refused unread.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
_ZIP_MAGIC = b"PK\x03\x04"


def is_archive(data: bytes) -> bool:
    """Whether the upload is a ZIP file (by its first bytes, not its name)."""
    return data.startswith(_ZIP_MAGIC)


def _unpack(data: bytes) -> tuple[bytes, dict[str, zipfile.ZipInfo], zipfile.ZipFile]:
    """The CSV's bytes and the archive's other files by their name (folders ignored)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = [e for e in archive.infolist() if not e.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise CsvImportError("Le fichier ZIP est illisible ou abîmé.") from exc
    if len(entries) > MAX_ARCHIVE_FILES:
        raise CsvImportError(f"Le ZIP contient plus de {MAX_ARCHIVE_FILES} fichiers.")
    if sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
        raise FileTooLarge(
            f"Le ZIP décompressé dépasse {MAX_UNPACKED_BYTES // (1024 * 1024)} Mo : "
            "découpez-le en plusieurs fichiers."
        )
    # Only the file's own name counts: "photos/pain.jpg" is named "pain.jpg" in the CSV.
    files = {
        PurePosixPath(e.filename).name: e
        for e in entries
        if not PurePosixPath(e.filename).name.startswith(".")
        and not e.filename.startswith("__MACOSX/")
    }
    sheets = [name for name in files if name.lower().endswith(".csv")]
    if len(sheets) != 1:
        raise CsvImportError(
            "Le ZIP doit contenir exactement un fichier CSV (il en contient "
            f"{len(sheets)}), avec les photos qu'il nomme."
        )
    sheet = files.pop(sheets[0])
    if sheet.file_size > products.MAX_IMPORT_BYTES:
        raise FileTooLarge("Le fichier CSV dépasse 2 Mo ; découpez-le en plusieurs fichiers.")
    return _read(archive, sheet), files, archive


def _read(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> bytes:
    """One file of the archive; a damaged or encrypted one is the merchant's error, not a 500."""
    try:
        return archive.read(entry)
    # What zipfile raises for a damaged entry: a flipped byte fails the CRC (BadZipFile) or
    # the inflating (zlib.error); a password-protected entry gives RuntimeError, and a
    # compression method it does not support NotImplementedError (tested, not a stub).
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        RuntimeError,
        NotImplementedError,
    ) as exc:
        raise CsvImportError("Le fichier ZIP est illisible ou abîmé.") from exc


def import_products(db: Session, shop: Shop, data: bytes) -> ImportResult:
    """Import a CSV, or a ZIP of a CSV and its photos; the caller rolls back on an error."""
    if len(data) > MAX_ARCHIVE_BYTES:
        raise FileTooLarge(f"Le fichier dépasse {MAX_ARCHIVE_BYTES // (1024 * 1024)} Mo.")
    if not is_archive(data):
        result = products.import_products_csv(db, shop, data)
        if result.photos:
            raise CsvImportError(
                "La colonne « photos » nomme des fichiers : envoyez un ZIP contenant le CSV "
                "et ces photos.",
                [CsvProblem(line, "photos sans ZIP") for line in result.photo_lines.values()],
            )
        return result
    sheet, files, archive = _unpack(data)
    result = products.import_products_csv(db, shop, sheet)
    # The CSV may name a photo with its folder ("photos/pain.jpg"): only its own name counts.
    result.photos = {
        sku: [PurePosixPath(name.replace("\\", "/")).name for name in names]
        for sku, names in result.photos.items()
    }
    missing = [
        CsvProblem(result.photo_lines[sku], f"photo « {name} » absente du ZIP")
        for sku, names in result.photos.items()
        for name in names
        if name not in files
    ]
    if missing:
        raise CsvImportError(
            "Import refusé, aucun produit n'a été modifié : des photos nommées dans le CSV "
            "manquent dans le ZIP.",
            missing,
        )
    rows = db.execute(
        select(Product.sku, Product.id).where(
            Product.shop_id == shop.id, Product.sku.in_(list(result.photos))
        )
    )
    ids = {sku: product_id for sku, product_id in rows}
    for sku, names in result.photos.items():
        stored = []
        for name in names:
            entry = files[name]
            if entry.file_size > MAX_UPLOAD_BYTES:
                raise _photo_refused(result.photo_lines[sku], name, "trop lourde (8 Mo au plus)")
            try:
                stored.append(
                    product_photos.store_photo(db, clean_photo(_read(archive, entry), name))
                )
            except ImageRefused as exc:
                raise _photo_refused(result.photo_lines[sku], name, exc.message) from exc
        # The column gives the product's photos: a new import replaces the previous ones.
        db.execute(delete(ProductPhoto).where(ProductPhoto.product_id == ids[sku]))
        product_photos.attach_photos(db, ids[sku], stored)
    return result


def _photo_refused(line: int, name: str, reason: str) -> CsvImportError:
    return CsvImportError(
        f"Import refusé, aucun produit n'a été modifié : photo « {name} » (ligne {line}) "
        f"refusée. {reason}",
        [CsvProblem(line, reason)],
    )
