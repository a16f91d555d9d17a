"""Text and watermark regions on a product photo, for the ``text_overlay`` image check.

Two detectors answer the same question (RGB uint8 array -> boxes ``(top, left, bottom, right)`` in its pixels):

- ``heuristic``: dense short vertical strokes merged into horizontal line blobs (scipy only, always there);
- ``ocr``: the text-detection network of PaddleOCR (PP-OCRv4 det, Apache-2.0) as packaged with its ONNX model by
  ``rapidocr-onnxruntime`` (Apache-2.0), installed with the optional extra ``pip install "kkot[ocr]"``. It finds
  Hangul, Latin and digits of any font, including thin watermarks the heuristic misses. Only the detector runs
  (no recognition): the check needs where text is, not what it says.

``text_detector("auto")`` gives the OCR detector when the extra is installed and the heuristic otherwise.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from scipy import ndimage as ndi

__all__ = ["OCR_SIDE", "OcrTextDetector", "TextBox", "heuristic_text_regions", "ocr_available", "text_detector"]

TextBox = tuple[int, int, int, int]
TextDetector = Callable[[np.ndarray], list[TextBox]]
#: The OCR detector reads the photo at this longest side: text lines of ~8 px and up are found at 320.
OCR_SIDE = 320


def heuristic_text_regions(rgb_or_grey: np.ndarray) -> list[TextBox]:
    """Text-line-like regions: dense short vertical strokes in a horizontal band."""
    g = rgb_or_grey.astype(np.float32)
    if g.ndim == 3:
        g = g @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    gx = np.abs(ndi.sobel(g, axis=1))
    gy = np.abs(ndi.sobel(g, axis=0))
    strokes = gx > 120
    # text: many vertical edges close together along a row; merge them into line blobs
    blob = ndi.binary_closing(strokes, structure=np.ones((1, 7), bool))
    blob = ndi.binary_opening(blob, structure=np.ones((2, 1), bool))
    labels, _ = ndi.label(blob)
    out = []
    for sl in ndi.find_objects(labels):
        if sl is None:
            continue
        hh = sl[0].stop - sl[0].start
        ww = sl[1].stop - sl[1].start
        if not (4 <= hh <= 40 and ww >= 14 and ww >= 2.0 * hh):
            continue
        sub = strokes[sl]
        mid = sub[hh // 2]
        transitions = int(np.count_nonzero(mid[1:] != mid[:-1]))
        density = float(sub.mean())
        horiz = float((gy[sl] > 120).mean())
        if transitions >= max(6, ww // 6) and 0.15 <= density <= 0.7 and horiz > 0.05:
            out.append((sl[0].start, sl[1].start, sl[0].stop, sl[1].stop))
    return out


@functools.cache  # asked for every analysed image; a failed import is not cached by Python itself
def ocr_available() -> bool:
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


class OcrTextDetector:
    """PP-OCRv4 text detection through onnxruntime; one session per process, loaded on first use, one thread."""

    name = "ocr"

    def __init__(self, side: int = OCR_SIDE, box_threshold: float = 0.5) -> None:
        self.side = int(side)
        self.box_threshold = float(box_threshold)
        self._det: Any = None
        self._lock = threading.Lock()

    def _detector(self) -> Any:
        with self._lock:
            if self._det is None:
                import rapidocr_onnxruntime
                from rapidocr_onnxruntime.ch_ppocr_det import TextDetector as _RapidDetector

                model = Path(rapidocr_onnxruntime.__file__).parent / "models" / "ch_PP-OCRv4_det_infer.onnx"
                self._det = _RapidDetector({
                    "model_path": str(model), "use_cuda": False, "use_dml": False,
                    "intra_op_num_threads": 1, "inter_op_num_threads": 1,
                    # "min" with a tiny limit: never upscale; we hand it the photo already at OCR_SIDE
                    "limit_side_len": 32, "limit_type": "min", "mean": [0.5] * 3, "std": [0.5] * 3,
                    "thresh": 0.3, "box_thresh": self.box_threshold, "max_candidates": 200,
                    "unclip_ratio": 1.6, "use_dilation": True, "score_mode": "fast",
                })
            return self._det

    def __call__(self, rgb: np.ndarray) -> list[TextBox]:
        if rgb.ndim != 3:
            rgb = np.repeat(rgb[:, :, None], 3, axis=2)
        h, w = rgb.shape[:2]
        scale = min(1.0, self.side / float(max(h, w)))
        small = rgb if scale == 1.0 else np.asarray(
            Image.fromarray(rgb.astype(np.uint8)).resize((max(1, round(w * scale)), max(1, round(h * scale))),
                                                         Image.Resampling.BILINEAR))
        bgr = np.ascontiguousarray(small[:, :, ::-1].astype(np.uint8))
        boxes, _ = self._detector()(bgr)
        out: list[TextBox] = []
        for quad in [] if boxes is None else boxes:
            q = np.asarray(quad, dtype=np.float32) / scale
            top, left = int(max(0, q[:, 1].min())), int(max(0, q[:, 0].min()))
            bottom, right = int(min(h, np.ceil(q[:, 1].max()))), int(min(w, np.ceil(q[:, 0].max())))
            if bottom > top and right > left and _line_like(bottom - top, right - left, h):
                out.append((top, left, bottom, right))
        return out


def _line_like(height: int, width: int, image_height: int) -> bool:
    """A text line is wide, or short: a tall near-square box is a textured object (knit, print), not a caption."""
    return width >= 2 * height or height <= 0.15 * image_height


_OCR: OcrTextDetector | None = None


def text_detector(kind: str = "auto") -> TextDetector:
    """``auto``: the OCR detector when ``kkot[ocr]`` is installed, else the heuristic; ``ocr`` raises
    ``RuntimeError`` when the extra is missing; ``heuristic`` always gives the heuristic."""
    global _OCR
    kind = (kind or "auto").lower()
    if kind not in {"auto", "ocr", "heuristic"}:
        raise ValueError(f"unknown text detector {kind!r}: use auto, ocr or heuristic")
    if kind == "heuristic" or (kind == "auto" and not ocr_available()):
        return heuristic_text_regions
    if not ocr_available():
        raise RuntimeError('the OCR text detector needs the optional extra: pip install "kkot[ocr]"')
    if _OCR is None:
        _OCR = OcrTextDetector()
    return _OCR
