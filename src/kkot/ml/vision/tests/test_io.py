"""Bad input for load_image: every case named in issue 7, with exact codes."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from kkot.ml.vision.io import ImageLoadError, load_image


def _png_bytes(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def _jpeg_bytes(im: Image.Image, **kw: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90, **kw)
    return buf.getvalue()


def _png_with_header_size(width: int, height: int) -> bytes:
    """A tiny real PNG whose IHDR claims width x height (a decompression bomb header)."""
    data = bytearray(_png_bytes(Image.new("L", (8, 8), 128)))
    ihdr_start = 8 + 4 + 4  # signature, length, type
    data[ihdr_start : ihdr_start + 8] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[12 : ihdr_start + 13]))
    data[ihdr_start + 13 : ihdr_start + 17] = struct.pack(">I", crc)
    return bytes(data)


def _code(src: bytes, **kw: object) -> str:
    with pytest.raises(ImageLoadError) as exc:
        load_image(src, **kw)
    assert exc.value.message  # always a Korean message
    return exc.value.code


def test_empty_file() -> None:
    assert _code(b"") == "empty_file"


def test_not_an_image() -> None:
    assert _code(b"this is not an image at all") == "not_an_image"


def test_file_too_large() -> None:
    data = _png_bytes(Image.new("RGB", (50, 50), "red"))
    assert _code(data, max_bytes=100) == "file_too_large"


def test_truncated_jpeg() -> None:
    rng = np.random.default_rng(0)
    data = _jpeg_bytes(Image.fromarray(rng.integers(0, 255, (256, 256, 3), dtype=np.uint8)))
    assert _code(data[: len(data) // 2]) == "truncated"


def test_corrupt_png_body() -> None:
    data = bytearray(_png_bytes(Image.new("RGB", (64, 64), "blue")))
    data[60:80] = b"\x00" * 20  # inside IDAT
    assert _code(bytes(data)) in {"corrupt", "truncated"}


def test_giant_dimensions_rejected_before_decoding() -> None:
    assert _code(_png_with_header_size(19_000, 19_000)) == "too_many_pixels"
    assert _code(_png_with_header_size(8_000, 8_000)) == "too_many_pixels"  # 64 MP > 50 MP default


def test_pixel_limit_is_configurable() -> None:
    data = _png_bytes(Image.new("RGB", (100, 100), "red"))
    assert _code(data, max_pixels=5_000) == "too_many_pixels"
    assert load_image(data, max_pixels=10_000).size == (100, 100)


def test_absurd_side() -> None:
    assert _code(_png_with_header_size(25_000, 10)) == "bad_dimensions"


def test_unsupported_format() -> None:
    buf = io.BytesIO()
    Image.new("RGB", (10, 10), "red").save(buf, "TIFF")
    assert _code(buf.getvalue()) == "unsupported_format"


def test_animated_gif_uses_first_frame() -> None:
    frames = [Image.new("RGB", (40, 30), c) for c in ((255, 0, 0), (0, 0, 255))]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    img = load_image(buf.getvalue())
    assert img.animated and img.n_frames == 2
    assert img.image.mode == "RGB" and img.size == (40, 30)
    assert tuple(img.array()[10, 10]) == (255, 0, 0)


def test_cmyk_jpeg_converted_to_rgb() -> None:
    data = _jpeg_bytes(Image.new("CMYK", (64, 64), (0, 255, 255, 0)))  # pure red ink
    img = load_image(data)
    assert img.original_mode == "CMYK" and img.image.mode == "RGB"
    r, g, b = (int(v) for v in img.array()[32, 32])
    assert r > 200 and g < 60 and b < 60
    assert "mode:CMYK" in img.notes


def test_palette_with_transparency_on_white() -> None:
    im = Image.new("P", (20, 20), 0)
    im.putpalette([0, 0, 0, 0, 128, 0] + [0, 0, 0] * 254)
    im.paste(1, (5, 5, 15, 15))
    buf = io.BytesIO()
    im.save(buf, "PNG", transparency=0)  # palette index 0 (black) is transparent
    img = load_image(buf.getvalue())
    assert img.original_mode == "P"
    assert img.had_alpha
    assert tuple(img.array()[0, 0]) == (255, 255, 255)
    assert tuple(img.array()[10, 10]) == (0, 128, 0)


def test_rgba_on_white() -> None:
    im = Image.new("RGBA", (20, 20), (0, 0, 0, 0))
    im.paste((0, 128, 0, 255), (5, 5, 15, 15))
    img = load_image(_png_bytes(im))
    assert img.had_alpha and tuple(img.array()[0, 0]) == (255, 255, 255)
    assert tuple(img.array()[10, 10]) == (0, 128, 0)


def test_la_mode() -> None:
    im = Image.new("LA", (10, 10), (100, 255))
    img = load_image(_png_bytes(im))
    assert img.image.mode == "RGB" and tuple(img.array()[0, 0]) == (100, 100, 100)


def test_exif_orientation_applied() -> None:
    im = Image.new("RGB", (40, 20), "white")
    im.paste((255, 0, 0), (0, 0, 10, 20))  # red stripe on the left
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 CW when displayed
    img = load_image(_jpeg_bytes(im, exif=exif.tobytes()))
    assert img.exif_rotated and img.size == (20, 40) and img.image.size == (20, 40)
    assert img.array()[2, 10, 0] > 200 and img.array()[2, 10, 1] < 80  # stripe now on top


def test_max_side_decodes_small_but_reports_full_size() -> None:
    data = _jpeg_bytes(Image.new("RGB", (1200, 800), "gray"))
    img = load_image(data, max_side=256)
    assert img.size == (1200, 800)
    assert max(img.image.size) == 256


def test_path_and_file_object(tmp_path) -> None:  # noqa: ANN001
    p = tmp_path / "a.png"
    p.write_bytes(_png_bytes(Image.new("RGB", (12, 7), "red")))
    assert load_image(p).size == (12, 7)
    with open(p, "rb") as fh:
        assert load_image(fh).format == "PNG"
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    with pytest.raises(ImageLoadError) as exc:
        load_image(empty)
    assert exc.value.code == "empty_file"
