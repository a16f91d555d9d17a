import io
import struct
import zlib

import pytest
from PIL import Image

from kkot.core.errors import ValidationError
from kkot.core.testing import image_bytes, upload
from kkot.core.uploads import clean_image


def _png_header_bomb(width=100_000, height=100_000) -> bytes:
    """A tiny PNG whose header claims 10 gigapixels (a decompression bomb)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_clean_image_normalises_to_jpeg_with_thumbnail():
    img = clean_image(upload(image_bytes((1200, 800), fmt="PNG"), "a.png", "image/png"))
    assert (img.width, img.height) == (1200, 800)
    assert Image.open(io.BytesIO(img.thumbnail)).size == (400, 267)
    assert img.content[:2] == b"\xff\xd8"


@pytest.mark.parametrize(
    "data,code",
    [
        (b"", "image_empty"),
        (b"this is not an image at all" * 10, "image_invalid"),
        (image_bytes()[:200], "image_invalid"),  # truncated JPEG
        (_png_header_bomb(), "image_pixels"),
    ],
)
def test_bad_images_are_refused_with_a_code(data, code):
    with pytest.raises(ValidationError) as exc:
        clean_image(upload(data, "x.jpg"))
    assert exc.value.code == code
    assert exc.value.message  # Korean message for the seller


def test_oversized_upload_is_refused_before_decoding(settings):
    settings.KKOT_MAX_IMAGE_BYTES = 1024
    with pytest.raises(ValidationError) as exc:
        clean_image(upload(image_bytes((800, 800)), "big.jpg"))
    assert exc.value.code == "image_too_large"


def test_a_60mb_request_is_refused_before_it_is_read(client):
    body = b"x" * 1024  # the declared length is what counts: Django never reads the body
    resp = client.generic("POST", "/seller/open/", body, content_type="multipart/form-data; boundary=x",
                          CONTENT_LENGTH=str(60 * 1024 * 1024))
    assert resp.status_code == 413
    assert "요청이 너무 큽니다" in resp.content.decode()
    api = client.generic("POST", "/api/v1/seller/stores/x/products", body, content_type="application/json",
                         CONTENT_LENGTH=str(60 * 1024 * 1024))
    assert api.status_code == 413 and api.json()["code"] == "payload_too_large"
