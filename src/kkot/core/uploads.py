"""Validation of uploaded images before anything is stored (ARCHITECTURE rule 12).

Decoding is :func:`kkot.ml.vision.io.load_image` (byte limit, pixel limit checked before decoding so
decompression bombs are refused, full decode so truncated files fail, EXIF rotation, sRGB RGB with transparency
flattened on white); this module maps its refusals to the platform's error codes and re-encodes: what kkot
stores is always a clean JPEG it wrote itself, with its thumbnail.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from kkot.core.errors import ValidationError
from kkot.ml.vision.io import ImageLoadError, load_image

THUMB_SIZE = (400, 400)
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}
# load_image's refusal codes -> the platform's stable upload error codes
_CODES = {
    "empty_file": "image_empty", "file_too_large": "image_too_large", "too_many_pixels": "image_pixels",
    "bad_dimensions": "image_pixels", "unsupported_format": "image_type", "not_an_image": "image_invalid",
    "truncated": "image_invalid", "corrupt": "image_invalid",
}


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    thumbnail: bytes
    width: int
    height: int
    ext: str
    sha256: str


def _message(code: str, max_bytes: int, max_pixels: int) -> str:
    return {
        "image_empty": _("빈 파일입니다. 이미지 파일을 다시 선택해 주세요."),
        "image_too_large": _("이미지 파일이 너무 큽니다(최대 %(mb)dMB).") % {"mb": max_bytes // (1024 * 1024)},
        "image_pixels": _("이미지 해상도가 너무 큽니다(최대 %(mp)d백만 화소).") % {"mp": max_pixels // 1_000_000},
        "image_type": _("지원하지 않는 이미지 형식입니다. JPG, PNG, WEBP, GIF 파일을 올려 주세요."),
    }.get(code, _("이미지 파일을 읽을 수 없습니다. 손상되었거나 이미지가 아닌 파일입니다."))


def clean_image(upload, *, max_bytes: int | None = None, max_pixels: int | None = None) -> CleanImage:
    """Validate and normalise an uploaded image; raise ``ValidationError`` with a Korean message."""
    max_bytes = max_bytes or settings.KKOT_MAX_IMAGE_BYTES
    max_pixels = max_pixels or settings.KKOT_MAX_IMAGE_PIXELS
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:  # refused before a byte is read
        raise ValidationError(_message("image_too_large", max_bytes, max_pixels), code="image_too_large")
    if hasattr(upload, "seek"):
        upload.seek(0)
    src = upload if hasattr(upload, "read") else bytes(upload)
    try:
        loaded = load_image(src, max_bytes=max_bytes, max_pixels=max_pixels)
    except ImageLoadError as exc:
        code = _CODES.get(exc.code, "image_invalid")
        raise ValidationError(_message(code, max_bytes, max_pixels), code=code) from None
    if loaded.format not in ALLOWED_FORMATS:
        raise ValidationError(_message("image_type", max_bytes, max_pixels), code="image_type")
    img = loaded.image
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=90, optimize=True)
    content = out.getvalue()
    thumb = img.copy()
    thumb.thumbnail(THUMB_SIZE)
    tout = io.BytesIO()
    thumb.save(tout, format="JPEG", quality=85)
    return CleanImage(
        content=content,
        thumbnail=tout.getvalue(),
        width=img.width,
        height=img.height,
        ext="jpg",
        sha256=hashlib.sha256(content).hexdigest(),
    )
