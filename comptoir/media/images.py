"""Checking and cleaning an uploaded picture (pure: bytes in, encoded renditions out).

The picture is decoded for real (its extension and declared type mean nothing), refused
when it is too heavy, too big or a decompression bomb, turned upright from its EXIF
orientation, and re-encoded without any metadata (EXIF, GPS, comments, ICC) in two sizes,
each in WebP with a JPEG fallback.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from comptoir.errors import Unprocessable

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
# 40 megapixels (a 7 700 × 5 200 photo): far above any phone camera, far below what would
# take the server's memory (an RGB picture of this size takes 120 MB decoded).
MAX_PIXELS = 40_000_000
MIN_SIDE = 64
ACCEPTED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "MPO": "JPEG"}
THUMB_SIDE = 480
LARGE_SIDE = 1400
WEBP_QUALITY = 80
JPEG_QUALITY = 84
BACKGROUND = (255, 255, 255)


class ImageRefused(Unprocessable):
    """A picture that cannot be accepted; the message says why, in French."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="invalid_image")


@dataclass(frozen=True)
class Rendition:
    """One encoded size and format of a picture, named by the SHA-256 of its bytes."""

    key: str
    content_type: str
    width: int
    height: int
    data: bytes


@dataclass(frozen=True)
class CleanPhoto:
    thumb_webp: Rendition
    thumb_jpeg: Rendition
    large_webp: Rendition
    large_jpeg: Rendition

    @property
    def renditions(self) -> tuple[Rendition, ...]:
        return (self.thumb_webp, self.thumb_jpeg, self.large_webp, self.large_jpeg)


class _Source(io.BytesIO):
    """The upload's bytes, noting when a decoder asks for more than there is.

    Pillow stops silently at a truncated file when `ImageFile.LOAD_TRUNCATED_IMAGES` is set,
    and WeasyPrint sets it for the whole process: this is how a cut file is still caught."""

    ran_dry = False

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        if size != 0 and not chunk:
            self.ran_dry = True
        return chunk


def content_key(data: bytes) -> str:
    """The name a file is stored under: the SHA-256 of its bytes, in hexadecimal."""
    return hashlib.sha256(data).hexdigest()


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}".replace(".", ",")


def decode(data: bytes, name: str = "") -> Image.Image:
    """The picture in `data`, fully decoded and checked; ImageRefused with a French reason."""
    label = f"« {name} »" if name else "L'image"
    if not data:
        raise ImageRefused(f"{label} est vide.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageRefused(
            f"{label} pèse {_megabytes(len(data))} Mo : {_megabytes(MAX_UPLOAD_BYTES)} Mo au "
            "plus. Réduisez-la avant de l'envoyer."
        )
    source = _Source(data)
    try:
        picture = Image.open(source)
    except Image.DecompressionBombError as exc:
        raise _too_big(label) from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ImageRefused(
            f"{label} n'est pas une image lisible : envoyez une photo JPEG, PNG ou WebP."
        ) from exc
    if picture.format not in ACCEPTED_FORMATS:
        raise ImageRefused(
            f"{label} est au format {picture.format or 'inconnu'} : envoyez une photo JPEG, "
            "PNG ou WebP."
        )
    width, height = picture.size
    # The header gives the size before anything is decoded: a bomb stops here.
    if width * height > MAX_PIXELS:
        raise _too_big(label, width, height)
    if min(width, height) < MIN_SIDE:
        raise ImageRefused(
            f"{label} est trop petite ({width} × {height} pixels) : {MIN_SIDE} pixels de côté "
            "au moins."
        )
    source.ran_dry = False
    try:
        picture.load()
    except Image.DecompressionBombError as exc:
        raise _too_big(label, width, height) from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise _damaged(label) from exc
    if source.ran_dry:
        raise _damaged(label)
    return picture


def _damaged(label: str) -> ImageRefused:
    return ImageRefused(
        f"{label} est abîmée ou incomplète (fichier tronqué ?) : envoyez-la de nouveau."
    )


def _too_big(label: str, width: int = 0, height: int = 0) -> ImageRefused:
    size = f" ({width} × {height} pixels)" if width else ""
    return ImageRefused(
        f"{label} est trop grande{size} : {MAX_PIXELS // 1_000_000} millions de pixels au plus."
    )


def upright_rgb(picture: Image.Image) -> Image.Image:
    """The picture turned as its EXIF orientation says, in RGB on white (no transparency)."""
    picture = ImageOps.exif_transpose(picture)
    if picture.mode in ("RGBA", "LA") or (picture.mode == "P" and "transparency" in picture.info):
        rgba = picture.convert("RGBA")
        flat = Image.new("RGB", rgba.size, BACKGROUND)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return picture.convert("RGB")


def _fit(picture: Image.Image, side: int) -> Image.Image:
    copy = picture.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    return copy


def _encode(picture: Image.Image, fmt: str) -> Rendition:
    buffer = io.BytesIO()
    # No `exif=`, `icc_profile=` nor text chunks are passed: the new file carries none.
    if fmt == "WEBP":
        picture.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
        content_type = "image/webp"
    else:
        picture.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        content_type = "image/jpeg"
    data = buffer.getvalue()
    return Rendition(content_key(data), content_type, picture.width, picture.height, data)


def clean_photo(data: bytes, name: str = "") -> CleanPhoto:
    """Check an uploaded picture and make its renditions (thumbnail and large, WebP and JPEG)."""
    return renditions_of(upright_rgb(decode(data, name)))


def renditions_of(picture: Image.Image) -> CleanPhoto:
    """The four renditions of an upright RGB picture."""
    thumb = _fit(picture, THUMB_SIDE)
    large = _fit(picture, LARGE_SIDE)
    return CleanPhoto(
        thumb_webp=_encode(thumb, "WEBP"),
        thumb_jpeg=_encode(thumb, "JPEG"),
        large_webp=_encode(large, "WEBP"),
        large_jpeg=_encode(large, "JPEG"),
    )
