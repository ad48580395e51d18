"""The picture checks and cleaning (pure Pillow, no database): valid and hostile files."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageFile

from comptoir.media.images import (
    LARGE_SIDE,
    MAX_PIXELS,
    MAX_UPLOAD_BYTES,
    THUMB_SIDE,
    ImageRefused,
    clean_photo,
    content_key,
)
from tests.media.imagefiles import GPS_IFD, picture, png_bomb, rotated_jpeg, with_gps


@pytest.fixture(params=[False, True], ids=["strict", "weasyprint-lenient"], autouse=True)
def truncated_images_flag(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every check twice: WeasyPrint makes Pillow accept truncated files process-wide."""
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", request.param)


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_valid_pictures_give_two_sizes_in_webp_and_jpeg(fmt: str) -> None:
    clean = clean_photo(picture(fmt, (2000, 1500)), "pain.x")
    assert [_open(r.data).format for r in clean.renditions] == ["WEBP", "JPEG", "WEBP", "JPEG"]
    assert (clean.thumb_webp.width, clean.thumb_webp.height) == (THUMB_SIDE, THUMB_SIDE * 3 // 4)
    assert (clean.large_jpeg.width, clean.large_jpeg.height) == (LARGE_SIDE, LARGE_SIDE * 3 // 4)
    assert [r.content_type for r in clean.renditions] == ["image/webp", "image/jpeg"] * 2
    for rendition in clean.renditions:
        assert rendition.key == content_key(rendition.data) and len(rendition.key) == 64


def test_a_small_picture_is_not_enlarged() -> None:
    clean = clean_photo(picture("PNG", (300, 200)))
    assert (clean.large_webp.width, clean.large_webp.height) == (300, 200)


def test_transparent_png_is_flattened_on_white() -> None:
    image = Image.new("RGBA", (200, 200), (0, 0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    clean = clean_photo(buffer.getvalue())
    assert _open(clean.thumb_jpeg.data).convert("RGB").getpixel((100, 100)) >= (250, 250, 250)


def test_exif_gps_and_every_other_metadata_are_stripped() -> None:
    source = with_gps("PNG")
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(GPS_IFD)  # the input has a position
    for rendition in clean_photo(source).renditions:
        cleaned = _open(rendition.data)
        assert not cleaned.getexif() and "exif" not in cleaned.info
        assert "icc_profile" not in cleaned.info and b"Appareil" not in rendition.data
    jpeg_clean = clean_photo(with_gps("JPEG"))
    assert all(b"Appareil" not in r.data for r in jpeg_clean.renditions)


def test_exif_orientation_is_applied() -> None:
    clean = clean_photo(rotated_jpeg())
    upright = _open(clean.large_jpeg.data).convert("RGB")
    assert (upright.width, upright.height) == (600, 800)  # turned a quarter
    # The red left half is now on top.
    red, green, blue = upright.getpixel((300, 100))
    assert red > 150 and blue < 100


def test_a_text_file_named_jpg_is_refused() -> None:
    with pytest.raises(ImageRefused, match="n'est pas une image lisible") as refused:
        clean_photo(b"Bonjour, je ne suis pas une photo.\n" * 20, "photo.jpg")
    assert "« photo.jpg »" in refused.value.message and refused.value.status_code == 422


def test_a_truncated_file_is_refused() -> None:
    whole = picture("JPEG", (1200, 900), quality=95)
    with pytest.raises(ImageRefused, match="abîmée ou incomplète"):
        clean_photo(whole[: len(whole) // 2], "coupée.jpg")
    png = picture("PNG", (1200, 900))
    with pytest.raises(ImageRefused, match="abîmée ou incomplète|pas une image lisible"):
        clean_photo(png[: len(png) - 200], "coupée.png")


def test_huge_dimensions_are_refused_before_decoding() -> None:
    with pytest.raises(ImageRefused, match="trop grande") as refused:
        clean_photo(png_bomb(8_000, 6_000), "énorme.png")
    assert "8000 × 6000" in refused.value.message
    assert f"{MAX_PIXELS // 1_000_000} millions de pixels" in refused.value.message


def test_a_decompression_bomb_is_refused() -> None:
    bomb = png_bomb(30_000, 30_000)
    assert len(bomb) < 50_000  # a few kilobytes that would decode to 900 million pixels
    with pytest.raises(ImageRefused, match="trop grande"):
        clean_photo(bomb, "bombe.png")
    # Beyond twice Pillow's own limit, opening alone raises DecompressionBombError: caught too.
    with pytest.raises(ImageRefused, match="trop grande"):
        clean_photo(png_bomb(60_000, 60_000), "bombe.png")


def test_too_heavy_empty_tiny_and_other_formats_are_refused() -> None:
    with pytest.raises(ImageRefused, match="8 Mo au plus"):
        clean_photo(b"\xff\xd8" + b"\0" * MAX_UPLOAD_BYTES)
    with pytest.raises(ImageRefused, match="est vide"):
        clean_photo(b"")
    with pytest.raises(ImageRefused, match="trop petite"):
        clean_photo(picture("PNG", (40, 40)))
    with pytest.raises(ImageRefused, match="format GIF"):
        clean_photo(picture("GIF", (200, 200)))
