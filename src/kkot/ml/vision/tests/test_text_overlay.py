"""Text/watermark detectors: the heuristic always, the OCR detector (``kkot[ocr]``) where installed.

CI installs the extra and sets ``KKOT_REQUIRE_OCR=1``, so there a missing OCR package fails instead of skipping.
"""

from __future__ import annotations

import io
import os

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from kkot.ml.vision.checks import check_image
from kkot.ml.vision.tests.test_checks import product_photo
from kkot.ml.vision.text_overlay import heuristic_text_regions, ocr_available, text_detector


def _need_ocr() -> None:
    if ocr_available():
        return
    if os.environ.get("KKOT_REQUIRE_OCR") == "1":
        pytest.fail('KKOT_REQUIRE_OCR=1 but the OCR extra is missing: pip install "kkot[ocr]"')
    pytest.skip('the OCR extra is not installed (pip install "kkot[ocr]")')


def _jpeg(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=92)
    return buf.getvalue()


def _with_text(im: Image.Image, text: str, xy: tuple[int, int], size: int, fill=(0, 0, 0)) -> Image.Image:
    im = im.copy()
    ImageDraw.Draw(im).text(xy, text, fill=fill, font=ImageFont.load_default(size=size))
    return im


def test_auto_and_heuristic_choices() -> None:
    assert text_detector("heuristic") is heuristic_text_regions
    with pytest.raises(ValueError, match="unknown text detector"):
        text_detector("tesseract")
    auto = text_detector("auto")
    assert (auto is not heuristic_text_regions) == ocr_available()


def test_ocr_finds_a_caption_and_nothing_on_a_plain_product() -> None:
    _need_ocr()
    find = text_detector("ocr")
    plain = np.asarray(product_photo().resize((256, 256)))
    assert find(plain) == []
    captioned = _with_text(product_photo(), "FREE SHIPPING 010-1234-5678", (30, 20), 40)
    boxes = find(np.asarray(captioned.resize((256, 256))))
    assert len(boxes) >= 1
    top, left, bottom, right = max(boxes, key=lambda b: (b[3] - b[1]) * (b[2] - b[0]))
    assert top < 40 and bottom <= 60 and (right - left) > 120  # the caption line at the top, not the shirt


def test_ocr_catches_a_faint_watermark_the_heuristic_misses() -> None:
    """A light-grey watermark line: low contrast strokes below the heuristic's edge threshold."""
    _need_ocr()
    marked = _with_text(product_photo(), "ⓒ myshop.kr   ⓒ myshop.kr", (40, 530), 34, fill=(215, 215, 215))
    rgb = np.asarray(marked.resize((256, 256)))
    grey = np.asarray(marked.convert("L").resize((256, 256)), dtype=np.float32)
    assert heuristic_text_regions(grey) == []
    assert text_detector("ocr")(rgb)
    rep = check_image(_jpeg(marked), text_detector=text_detector("ocr"))
    assert rep.result("text_overlay").status == "warn"
    assert check_image(_jpeg(marked), text_detector=heuristic_text_regions).result("text_overlay").status == "pass"


def test_ocr_runs_only_for_the_representative_image() -> None:
    calls: list[int] = []

    def spy(rgb: np.ndarray) -> list[tuple[int, int, int, int]]:
        calls.append(rgb.shape[0])
        return [(0, 0, 20, 200)]

    photo = _jpeg(product_photo())
    assert check_image(photo, representative=False, text_detector=spy).result("text_overlay").status == "pass"
    assert calls == []
    rep = check_image(photo, representative=True, text_detector=spy)
    assert calls and rep.result("text_overlay").status == "warn"
