"""Picture files for tests, made with Pillow: valid ones and hostile ones."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def picture(fmt: str = "JPEG", size: tuple[int, int] = (800, 600), **save: object) -> bytes:
    """A picture with a left half red and a right half blue (so a rotation shows)."""
    image = Image.new("RGB", size, (200, 40, 40))
    image.paste((40, 40, 200), (size[0] // 2, 0, size[0], size[1]))
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save)
    return buffer.getvalue()


def with_gps(fmt: str = "PNG") -> bytes:
    """A picture whose EXIF carries a GPS position and a camera make."""
    exif = Image.Exif()
    exif[0x010F] = "Appareil de test"  # Make
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)})
    return picture(fmt, exif=exif.tobytes())


def rotated_jpeg() -> bytes:
    """A 800 × 600 JPEG whose EXIF says "turn 90° clockwise to view" (orientation 6)."""
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    return picture("JPEG", exif=exif.tobytes())


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A tiny PNG claiming 900 million pixels (a decompression bomb): its header is enough."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    rows = zlib.compress(b"\x00" * (1 + width // 8) * 16)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", rows) + _chunk(
        b"IEND", b""
    )
