"""Safe image loading: the one entry point every uploaded or local image goes through.

``load_image`` verifies the real type (Pillow's parser, not the file name), refuses empty, oversized,
decompression-bomb and truncated files, applies the EXIF orientation, converts colour profiles to sRGB and
every mode (CMYK, P, LA, RGBA, I;16, animated GIF/WebP first frame) to 8-bit RGB. Failures raise
:class:`ImageLoadError` with a stable ``code`` (for the API) and a Korean ``message`` (for the seller).

Codes: ``empty_file``, ``file_too_large``, ``not_an_image``, ``unsupported_format``, ``too_many_pixels``,
``bad_dimensions``, ``truncated``, ``corrupt``.
"""

from __future__ import annotations

import io
import os
import re
import struct
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

__all__ = [
    "ALLOWED_FORMATS",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_PIXELS",
    "ImageLoadError",
    "LoadedImage",
    "load_image",
]

#: Formats accepted for product photos (MPO: multi-picture JPEG written by many phones).
ALLOWED_FORMATS: tuple[str, ...] = ("JPEG", "MPO", "PNG", "WEBP", "GIF", "BMP")
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_PIXELS = 50_000_000
#: Largest side accepted even when the pixel count is small (a 1 x 60000 strip is not a photo).
MAX_SIDE = 20_000

_MESSAGES: dict[str, str] = {
    "empty_file": "빈 파일입니다. 이미지 파일을 다시 선택해 주세요.",
    "file_too_large": "파일이 너무 큽니다({size}). {limit} 이하로 줄여서 올려 주세요.",
    "not_an_image": "이미지 파일이 아닙니다. JPG, PNG, WEBP, GIF 파일을 올려 주세요.",
    "unsupported_format": "지원하지 않는 이미지 형식({fmt})입니다. JPG, PNG, WEBP로 저장해서 올려 주세요.",
    "too_many_pixels": "이미지 크기가 너무 큽니다({w}x{h}). 한 변 4000픽셀 정도로 줄여서 올려 주세요.",
    "bad_dimensions": "이미지 가로·세로 크기가 올바르지 않습니다({w}x{h}). 다른 이미지를 올려 주세요.",
    "truncated": "이미지 파일이 중간에 잘려 있습니다(전송 중 손상). 원본 파일을 다시 올려 주세요.",
    "corrupt": "이미지 파일이 손상되어 열 수 없습니다. 원본 파일을 다시 저장해서 올려 주세요.",
}

_SRGB = ImageCms.createProfile("sRGB")


class ImageLoadError(ValueError):
    """An image that kkot refuses. ``code`` is stable (API), ``message`` is Korean (seller UI)."""

    def __init__(self, code: str, detail: str = "", **fmt: object) -> None:
        self.code = code
        try:
            self.message = _MESSAGES[code].format(**fmt)
        except (KeyError, IndexError):  # a template field not supplied: drop the "(...)" detail
            self.message = re.sub(r"\(\{[^)]*\}\)", "", _MESSAGES[code]).replace("{limit}", "제한")
        self.detail = detail
        super().__init__(f"{code}: {detail or self.message}")


@dataclass(frozen=True)
class LoadedImage:
    """A decoded image, always 8-bit sRGB ``RGB``.

    ``size`` is the size after EXIF rotation at full resolution (what the seller uploaded), even when
    ``image`` was decoded smaller because ``max_side`` was given.
    """

    image: Image.Image
    format: str
    size: tuple[int, int]
    original_mode: str
    n_frames: int = 1
    byte_size: int = 0
    exif_rotated: bool = False
    icc_converted: bool = False
    had_alpha: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def animated(self) -> bool:
        return self.n_frames > 1

    def array(self) -> np.ndarray:
        """The pixels as a ``(H, W, 3) uint8`` array."""
        return np.asarray(self.image, dtype=np.uint8)


def _human(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}MB" if n >= 1024 * 1024 else f"{n / 1024:.0f}KB"


def _read_source(src: bytes | bytearray | str | os.PathLike[str] | BinaryIO, max_bytes: int) -> bytes:
    if isinstance(src, (bytes, bytearray, memoryview)):
        data = bytes(src)
    elif isinstance(src, (str, os.PathLike)):
        path = Path(src)
        size = path.stat().st_size
        if size > max_bytes:
            raise ImageLoadError("file_too_large", f"{size} bytes", size=_human(size), limit=_human(max_bytes))
        data = path.read_bytes()
    else:
        data = src.read(max_bytes + 1)
    if len(data) == 0:
        raise ImageLoadError("empty_file", "0 bytes")
    if len(data) > max_bytes:
        raise ImageLoadError(
            "file_too_large", f"{len(data)} bytes", size=_human(len(data)), limit=_human(max_bytes)
        )
    return data


def _to_srgb_rgb(im: Image.Image) -> tuple[Image.Image, bool, bool]:
    """Convert any mode to RGB in sRGB; returns (image, icc_converted, had_alpha)."""
    icc = im.info.get("icc_profile")
    icc_converted = False
    had_alpha = False
    if icc and im.mode in ("RGB", "CMYK", "L"):
        try:
            src_profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            desc = ImageCms.getProfileDescription(src_profile).strip().lower()
            if "srgb" not in desc or im.mode != "RGB":
                im = ImageCms.profileToProfile(im, src_profile, _SRGB, outputMode="RGB")
                icc_converted = True
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile is ignored: plain conversion below
    if im.mode == "P":
        im = im.convert("RGBA") if "transparency" in im.info else im.convert("RGB")
    if im.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        had_alpha = True
        rgba = im.convert("RGBA")
        bg = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        im = Image.alpha_composite(bg, rgba).convert("RGB")
    elif im.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(im, dtype=np.float64)
        hi = float(arr.max()) or 1.0
        im = Image.fromarray(np.clip(arr / (65535.0 if hi > 255 else 255.0) * 255.0, 0, 255).astype(np.uint8))
        im = im.convert("RGB")
    elif im.mode == "F":
        arr = np.asarray(im, dtype=np.float64)
        im = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).convert("RGB")
    elif im.mode != "RGB":
        im = im.convert("RGB")
    return im, icc_converted, had_alpha


def load_image(
    src: bytes | bytearray | str | os.PathLike[str] | BinaryIO,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_side: int | None = None,
) -> LoadedImage:
    """Load an image safely, or raise :class:`ImageLoadError`.

    ``src``: raw bytes, a path or a binary file object. ``max_bytes``/``max_pixels`` are hard limits
    (checked before decoding). ``max_side``: decode at reduced size (fast JPEG DCT scaling) so the
    longest side is at most this; the full-resolution size is still reported in ``LoadedImage.size``.
    """
    data = _read_source(src, max_bytes)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            im = Image.open(io.BytesIO(data), formats=None)
        except UnidentifiedImageError as exc:
            raise ImageLoadError("not_an_image", str(exc)) from exc
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageLoadError("too_many_pixels", str(exc), w="?", h="?") from exc
        except (OSError, SyntaxError, ValueError) as exc:
            raise ImageLoadError("corrupt", str(exc)) from exc
        fmt = (im.format or "").upper()
        if fmt not in ALLOWED_FORMATS:
            raise ImageLoadError("unsupported_format", fmt, fmt=fmt or "?")
        w, h = im.size
        if w <= 0 or h <= 0 or max(w, h) > MAX_SIDE:
            raise ImageLoadError("bad_dimensions", f"{w}x{h}", w=w, h=h)
        if w * h > max_pixels:
            raise ImageLoadError("too_many_pixels", f"{w}x{h} > {max_pixels}", w=w, h=h)
        n_frames = int(getattr(im, "n_frames", 1) or 1)
        original_mode = im.mode
        notes: list[str] = []
        try:
            if n_frames > 1:
                im.seek(0)
                notes.append(f"animated:{n_frames}")
            if max_side is not None and fmt in ("JPEG", "MPO") and max(w, h) > max_side:
                im.draft("RGB" if im.mode in ("RGB", "YCbCr") else im.mode, (max_side, max_side))
            # ImageFile.LOAD_TRUNCATED_IMAGES stays False (Pillow's default): a truncated file fails here.
            im.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageLoadError("too_many_pixels", str(exc), w=w, h=h) from exc
        except OSError as exc:
            code = "truncated" if "truncated" in str(exc).lower() or "broken data" in str(exc).lower() else "corrupt"
            raise ImageLoadError(code, str(exc)) from exc
        except (SyntaxError, ValueError, EOFError, IndexError, struct.error) as exc:
            raise ImageLoadError("corrupt", str(exc)) from exc
    exif_rotated = False
    orientation = 1
    try:
        orientation = im.getexif().get(0x0112, 1)
        if orientation and orientation != 1:
            im = ImageOps.exif_transpose(im)
            exif_rotated = True
            notes.append(f"exif_orientation:{orientation}")
    except Exception:  # noqa: BLE001 - a broken EXIF block must not refuse an otherwise good image
        notes.append("exif_unreadable")
    size = (h, w) if exif_rotated and orientation in (5, 6, 7, 8) else (w, h)
    info_icc = im.info.get("icc_profile")
    im, icc_converted, had_alpha = _to_srgb_rgb(im)
    if info_icc and icc_converted:
        notes.append("icc_to_srgb")
    if original_mode not in ("RGB", "L"):
        notes.append(f"mode:{original_mode}")
    if max_side is not None and max(im.size) > max_side:
        im = im.copy()
        im.thumbnail((max_side, max_side), Image.Resampling.BILINEAR)
    return LoadedImage(
        image=im,
        format=fmt,
        size=size,
        original_mode=original_mode,
        n_frames=n_frames,
        byte_size=len(data),
        exif_rotated=exif_rotated,
        icc_converted=icc_converted,
        had_alpha=had_alpha,
        notes=tuple(notes),
    )
