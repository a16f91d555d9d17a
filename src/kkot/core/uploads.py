"""Validation of uploaded images before anything is stored (ARCHITECTURE rule 12).

An upload is read with a hard byte limit, opened by Pillow with a pixel limit (decompression bombs are
refused, not just warned about), fully decoded (truncated files fail here), EXIF-rotated, converted to
sRGB RGB and re-encoded: what kkot stores is always a clean JPEG/PNG it wrote itself.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from kkot.core.errors import ValidationError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}
THUMB_SIZE = (400, 400)


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    thumbnail: bytes
    width: int
    height: int
    ext: str
    sha256: str


def _read_limited(upload, max_bytes: int) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            _("이미지 파일이 너무 큽니다(최대 %(mb)dMB).") % {"mb": max_bytes // (1024 * 1024)}, code="image_too_large"
        )
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(max_bytes + 1) if hasattr(upload, "read") else bytes(upload)
    if len(data) > max_bytes:
        raise ValidationError(
            _("이미지 파일이 너무 큽니다(최대 %(mb)dMB).") % {"mb": max_bytes // (1024 * 1024)}, code="image_too_large"
        )
    return data


def clean_image(upload, *, max_bytes: int | None = None, max_pixels: int | None = None) -> CleanImage:
    """Validate and normalise an uploaded image; raise ``ValidationError`` with a Korean message."""
    max_bytes = max_bytes or settings.KKOT_MAX_IMAGE_BYTES
    max_pixels = max_pixels or settings.KKOT_MAX_IMAGE_PIXELS
    data = _read_limited(upload, max_bytes)
    if not data:
        raise ValidationError(_("빈 파일입니다. 이미지 파일을 다시 선택해 주세요."), code="image_empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            fmt = img.format
            if fmt not in ALLOWED_FORMATS:
                raise ValidationError(
                    _("지원하지 않는 이미지 형식입니다. JPG, PNG, WEBP, GIF 파일을 올려 주세요."), code="image_type"
                )
            w, h = img.size
            if w * h > max_pixels or w <= 0 or h <= 0:
                raise ValidationError(
                    _("이미지 해상도가 너무 큽니다(최대 %(mp)d백만 화소).") % {"mp": max_pixels // 1_000_000},
                    code="image_pixels",
                )
            img.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(_("이미지 해상도가 비정상적으로 큽니다."), code="image_pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("이미지 파일을 읽을 수 없습니다. 손상되었거나 이미지가 아닌 파일입니다."), code="image_invalid"
        ) from None

    img = ImageOps.exif_transpose(img)
    has_alpha = img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info)
    if has_alpha:
        img = img.convert("RGBA")
        bg = Image.new("RGB", img.size, (255, 255, 255))
        bg.paste(img, mask=img.getchannel("A"))
        img = bg
    else:
        img = img.convert("RGB")

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
