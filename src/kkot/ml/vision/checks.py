"""Product image checks: each gives pass/warn/fail (or unavailable), a number and a Korean message with the fix.

A failed check never blocks saving a draft; the platform decides whether it blocks publishing.

>>> report = check_image(path_or_bytes, representative=True)
>>> [(r.code, r.status, r.value) for r in report.results]
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO, Literal

import numpy as np
from PIL import Image
from scipy import ndimage as ndi

from kkot.ml.vision.colour import ColourShare, dominant_colours
from kkot.ml.vision.hashing import colour_signature, dhash, find_duplicates, phash
from kkot.ml.vision.io import DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS, ImageLoadError, LoadedImage, load_image
from kkot.ml.vision.segment import Foreground, resize_max_side, segment_foreground
from kkot.ml.vision.text_overlay import TextBox, TextDetector
from kkot.ml.vision.text_overlay import heuristic_text_regions as text_regions

__all__ = [
    "ANALYSIS_SIDE",
    "AdultDetector",
    "TextDetector",
    "text_regions",
    "CheckResult",
    "ImageReport",
    "Status",
    "check_image",
    "check_images",
]

Status = Literal["pass", "warn", "fail", "unavailable"]
ANALYSIS_SIDE = 256
MIN_SIDE_REPRESENTATIVE = 500
#: An optional adult-content detector: RGB uint8 array -> probability of adult content (0..1).
AdultDetector = Callable[[np.ndarray], float]


@dataclass(frozen=True)
class CheckResult:
    code: str
    status: Status
    value: float | str | None
    message: str  # Korean: what was found
    fix: str = ""  # Korean: how to fix it ("" when nothing to fix)

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "status": self.status, "value": self.value, "message": self.message,
                "fix": self.fix}


@dataclass
class ImageReport:
    name: str
    results: list[CheckResult]
    colours: list[ColourShare] = field(default_factory=list)
    size: tuple[int, int] | None = None
    hashes: tuple[int, int] | None = None  # (phash, dhash)
    signature: np.ndarray | None = None  # colour_signature
    thumbnail: Image.Image | None = None

    @property
    def status(self) -> Status:
        for s in ("fail", "warn"):
            if any(r.status == s for r in self.results):
                return s  # type: ignore[return-value]
        return "pass"

    def result(self, code: str) -> CheckResult | None:
        return next((r for r in self.results if r.code == code), None)


# ---------------------------------------------------------------- individual checks (pure functions)
def check_file(img: LoadedImage) -> CheckResult:
    notes = []
    if img.animated:
        notes.append(f"움직이는 이미지({img.n_frames}프레임)는 첫 프레임만 사용됩니다")
    if img.original_mode == "CMYK":
        notes.append("인쇄용 CMYK 색상을 화면용 sRGB로 변환했습니다")
    if img.exif_rotated:
        notes.append("촬영 방향(EXIF)에 맞게 회전했습니다")
    if img.had_alpha:
        notes.append("투명 배경을 흰색으로 채웠습니다")
    if img.animated:
        return CheckResult("file", "warn", img.format, "; ".join(notes) + ".",
                           "움직이지 않는 JPG 또는 PNG로 저장해서 올려 주세요.")
    msg = f"{img.format} 이미지, 정상입니다." + (" " + "; ".join(notes) + "." if notes else "")
    return CheckResult("file", "pass", img.format, msg)


def check_resolution(size: tuple[int, int], *, representative: bool) -> CheckResult:
    w, h = size
    short = min(w, h)
    if short >= MIN_SIDE_REPRESENTATIVE:
        return CheckResult("resolution", "pass", float(short), f"해상도 {w}x{h}, 충분합니다.")
    status: Status = "fail" if representative else "warn"
    return CheckResult(
        "resolution", status, float(short), f"해상도가 낮습니다({w}x{h}).",
        f"가로·세로 모두 {MIN_SIDE_REPRESENTATIVE}픽셀 이상(권장 1000x1000)인 원본 이미지를 올려 주세요.",
    )


def check_aspect(size: tuple[int, int]) -> CheckResult:
    w, h = size
    ratio = w / h
    r = max(ratio, 1 / ratio)
    if r <= 1.34:
        return CheckResult("aspect", "pass", round(ratio, 3), f"가로:세로 비율 {ratio:.2f}, 적절합니다.")
    status: Status = "warn" if r <= 2.0 else "fail"
    return CheckResult(
        "aspect", status, round(ratio, 3), f"가로:세로 비율이 {ratio:.2f}로 치우쳐 있어 목록에서 잘려 보입니다.",
        "정사각형(1:1) 또는 3:4 비율로 잘라 주세요.",
    )


def check_product(fg: Foreground, grey: np.ndarray) -> CheckResult:
    t, l_, b, r = fg.bbox
    h, w = fg.mask.shape
    bbox_frac = (b - t) * (r - l_) / float(h * w)
    if float(grey.std()) < 4.0 or (fg.method == "flood" and fg.fraction < 0.01):
        return CheckResult("product", "fail", round(fg.fraction, 3), "사진에서 상품을 찾을 수 없습니다.",
                           "상품이 화면 가운데에 크게 나오도록 다시 촬영해 주세요.")
    if fg.method == "flood" and bbox_frac < 0.15:
        return CheckResult("product", "warn", round(bbox_frac, 3),
                           f"상품이 사진의 {bbox_frac:.0%}만 차지해 작게 보입니다.",
                           "상품이 사진의 60~90%를 차지하도록 잘라 주세요.")
    return CheckResult("product", "pass", round(max(bbox_frac, fg.fraction), 3), "상품이 잘 보입니다.")


def sharpness_value(grey: np.ndarray, fg: Foreground) -> float:
    """Variance of the Laplacian over the product's bounding box (grey 0-255, analysis size)."""
    lap = ndi.laplace(grey.astype(np.float32))
    t, l_, b, r = fg.bbox
    region = lap[t:b, l_:r] if (b - t) >= 8 and (r - l_) >= 8 else lap
    mask = fg.mask[t:b, l_:r] if region is not lap else fg.mask
    vals = region[ndi.binary_erosion(mask, iterations=1)] if mask.sum() > 64 else region.ravel()
    return float(vals.var())


SHARP_FAIL = 40.0
SHARP_WARN = 100.0


def check_sharpness(grey: np.ndarray, fg: Foreground) -> CheckResult:
    v = sharpness_value(grey, fg)
    if v >= SHARP_WARN:
        return CheckResult("sharpness", "pass", round(v, 1), "초점이 선명합니다.")
    status: Status = "fail" if v < SHARP_FAIL else "warn"
    return CheckResult("sharpness", status, round(v, 1), "사진이 흐릿합니다(초점이 맞지 않거나 흔들림).",
                       "삼각대를 쓰거나 밝은 곳에서 초점을 맞춰 다시 촬영해 주세요.")


def check_exposure(grey: np.ndarray, fg: Foreground) -> CheckResult:
    px = grey[fg.mask] if fg.mask.sum() > 64 else grey.ravel()
    med = float(np.median(grey))
    p5, p95 = np.percentile(grey, [5, 95])
    clipped = float((px >= 250).mean())
    if med < 50 and p95 < 150:
        return CheckResult("exposure", "fail", round(med, 1), "사진이 너무 어둡습니다.",
                           "조명을 더하거나 노출을 올려 다시 촬영해 주세요.")
    if med < 80 and p95 < 180:
        return CheckResult("exposure", "warn", round(med, 1), "사진이 어둡습니다.",
                           "조명을 더하거나 노출을 올려 다시 촬영해 주세요.")
    if p5 > 200 and (p95 - p5) < 40:
        return CheckResult("exposure", "warn", round(med, 1), "사진이 너무 밝아 색이 날아갔습니다.",
                           "노출을 낮추거나 직사광을 피해 다시 촬영해 주세요.")
    if clipped > 0.5 and fg.method == "flood" and float(np.percentile(px, 10)) > 200:
        return CheckResult("exposure", "warn", round(med, 1), "상품 부분이 하얗게 날아갔습니다(과다 노출).",
                           "노출을 낮춰 다시 촬영해 주세요.")
    return CheckResult("exposure", "pass", round(med, 1), "밝기가 적절합니다.")


def check_background(fg: Foreground, *, representative: bool) -> CheckResult:
    L, a, b = (float(v) for v in fg.bg_lab)
    chroma = float(np.hypot(a, b))
    u = fg.border_uniformity
    if u >= 0.8 and L >= 85 and chroma < 10:
        return CheckResult("background", "pass", round(u, 3), "깨끗하고 밝은 배경입니다.")
    if u >= 0.8:
        msg = "배경이 단색이지만 밝지 않습니다." if L < 85 else "배경에 색이 있습니다."
        return CheckResult("background", "warn" if representative else "pass", round(u, 3), msg,
                           "대표 이미지는 흰색 또는 밝은 단색 배경에서 촬영해 주세요.")
    return CheckResult("background", "warn" if representative else "pass", round(u, 3),
                       "배경이 복잡합니다(다른 물건이나 무늬가 보임).",
                       "대표 이미지는 흰색 또는 밝은 단색 배경에서 상품만 보이게 촬영해 주세요.")


def _uniform_run(lines: np.ndarray, tol: float) -> int:
    """How many leading lines (rows of (n, len, 3)) are one flat colour."""
    n = 0
    for line in lines:
        if float(line.std(axis=0).max()) > tol:
            break
        n += 1
    return n


def check_border(rgb: np.ndarray, fg: Foreground) -> CheckResult:
    """Coloured frames (a flat band different from the inside background) and too much padding."""
    a = rgb.astype(np.float32)
    h, w = a.shape[:2]
    sides = {"top": a, "bottom": a[::-1], "left": a.transpose(1, 0, 2), "right": a.transpose(1, 0, 2)[::-1]}
    framed = []
    for name, arr in sides.items():
        run = _uniform_run(arr[: max(2, arr.shape[0] // 4)], 6.0)
        if 2 <= run < arr.shape[0] // 4:
            band = arr[:run].reshape(-1, 3).mean(0)
            inside = arr[run : run + 2].reshape(-1, 3).mean(0)
            if float(np.abs(band - inside).max()) > 40:
                framed.append(name)
    if len(framed) >= 2:
        return CheckResult("border", "warn", float(len(framed)), "사진에 테두리(프레임)가 있습니다.",
                           "테두리 없이 상품 사진만 올려 주세요.")
    t, l_, b, r = fg.bbox
    if fg.method == "flood" and b > t and r > l_:
        margin = min(t, l_, h - b, w - r) / float(min(h, w))
        fill = max((b - t) / h, (r - l_) / w)
        if fill < 0.5:
            return CheckResult("border", "warn", round(fill, 3), f"여백이 너무 많습니다(상품이 {fill:.0%} 크기).",
                               "상품 주변 여백을 줄여 상품이 크게 보이도록 잘라 주세요.")
        return CheckResult("border", "pass", round(margin, 3), "테두리나 과도한 여백이 없습니다.")
    return CheckResult("border", "pass", 0.0, "테두리나 과도한 여백이 없습니다.")


def check_text(grey: np.ndarray, fg: Foreground, *, representative: bool,
               regions: list[TextBox] | None = None) -> CheckResult:
    """Text outside the product; ``regions`` from a :mod:`~kkot.ml.vision.text_overlay` detector (the
    heuristic on ``grey`` when not given)."""
    if regions is None:
        regions = text_regions(grey)
    h, w = grey.shape
    main = np.zeros_like(fg.mask)
    if fg.method == "flood" and fg.mask.any():
        labels, n = ndi.label(fg.mask)
        sizes = ndi.sum(fg.mask, labels, index=np.arange(1, n + 1))
        main = ndi.binary_fill_holes(labels == (int(np.argmax(sizes)) + 1))
    outside = []
    for t, l_, b, r in regions:
        on_product = float(main[t:b, l_:r].mean())
        if on_product < 0.5:
            outside.append((t, l_, b, r))
    area = sum((b - t) * (r - l_) for t, l_, b, r in outside) / float(h * w)
    if outside:
        status: Status = "warn" if representative else "pass"
        return CheckResult("text_overlay", status, round(area, 4),
                           f"사진 위에 글자나 워터마크로 보이는 부분이 있습니다({len(outside)}곳).",
                           "대표 이미지에는 글자, 로고, 워터마크를 넣지 말아 주세요.")
    return CheckResult("text_overlay", "pass", 0.0, "글자나 워터마크가 보이지 않습니다.")


def check_adult(rgb: np.ndarray, detector: AdultDetector | None) -> CheckResult:
    if detector is None:
        return CheckResult("adult", "unavailable", None,
                           "성인 콘텐츠 검사기가 설치되지 않아 검사하지 않았습니다.",
                           "관리자가 선택 설치 항목(성인 콘텐츠 검사기)을 설치하면 검사합니다.")
    p = float(detector(rgb))
    if p >= 0.8:
        return CheckResult("adult", "fail", round(p, 3), "성인 콘텐츠로 보이는 이미지입니다.",
                           "노출이 있는 이미지는 대표 이미지로 쓸 수 없습니다.")
    if p >= 0.5:
        return CheckResult("adult", "warn", round(p, 3), "성인 콘텐츠일 수 있는 이미지입니다.",
                           "노출이 적은 이미지로 바꿔 주세요.")
    return CheckResult("adult", "pass", round(p, 3), "성인 콘텐츠가 아닙니다.")


# ---------------------------------------------------------------- running all checks
def check_image(
    src: bytes | str | os.PathLike[str] | BinaryIO,
    *,
    name: str = "",
    representative: bool = True,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    adult_detector: AdultDetector | None = None,
    text_detector: TextDetector | None = None,
    thumbnail_side: int = 0,
) -> ImageReport:
    """Run the default checks on one image. Never raises for a bad image: the ``file`` check fails instead."""
    try:
        img = load_image(src, max_bytes=max_bytes, max_pixels=max_pixels, max_side=ANALYSIS_SIDE)
    except ImageLoadError as exc:
        fix = "다른 이미지 파일을 올려 주세요." if exc.code != "file_too_large" else "파일 크기를 줄여 주세요."
        return ImageReport(name=name, results=[CheckResult("file", "fail", exc.code, exc.message, fix)])
    except OSError as exc:  # missing path, permission
        return ImageReport(name=name, results=[CheckResult("file", "fail", "unreadable",
                                                           "파일을 읽을 수 없습니다.", str(exc))])
    return analyse_loaded(img, name=name, representative=representative, adult_detector=adult_detector,
                          text_detector=text_detector, thumbnail_side=thumbnail_side)


def analyse_loaded(
    img: LoadedImage,
    *,
    name: str = "",
    representative: bool = True,
    adult_detector: AdultDetector | None = None,
    text_detector: TextDetector | None = None,
    thumbnail_side: int = 0,
) -> ImageReport:
    rgb = resize_max_side(img.array(), ANALYSIS_SIDE)
    grey = np.asarray(Image.fromarray(rgb).convert("L"), dtype=np.float32)
    small = resize_max_side(rgb, 96)
    fg_small = segment_foreground(small)
    fg = _upscale_fg(fg_small, rgb.shape[:2])
    results = [
        check_file(img),
        check_resolution(img.size, representative=representative),
        check_aspect(img.size),
        check_product(fg, grey),
    ]
    no_product = results[-1].status == "fail"
    if not no_product:
        results += [
            check_sharpness(grey, fg),
            check_exposure(grey, fg),
            check_background(fg, representative=representative),
            check_border(rgb, fg),
            check_text(grey, fg, representative=representative,
                       regions=text_detector(rgb) if text_detector is not None and representative else None),
        ]
    results.append(check_adult(rgb, adult_detector))
    colours = [] if no_product else dominant_colours(small, fg=fg_small)
    thumb = None
    if thumbnail_side:
        thumb = img.image.copy()
        thumb.thumbnail((thumbnail_side, thumbnail_side))
    return ImageReport(name=name, results=results, colours=colours, size=img.size,
                       hashes=(phash(rgb), dhash(rgb)), signature=colour_signature(rgb),
                       thumbnail=thumb)


def _upscale_fg(fg: Foreground, shape: tuple[int, int]) -> Foreground:
    h0, w0 = fg.mask.shape
    h, w = shape
    ys = np.minimum((np.arange(h) * h0 / h).astype(int), h0 - 1)
    xs = np.minimum((np.arange(w) * w0 / w).astype(int), w0 - 1)
    mask = fg.mask[ys][:, xs]
    sy, sx = h / h0, w / w0
    t, l_, b, r = fg.bbox
    bbox = (int(t * sy), int(l_ * sx), min(h, int(np.ceil(b * sy))), min(w, int(np.ceil(r * sx))))
    return Foreground(mask=mask, lab=fg.lab, bg_lab=fg.bg_lab, border_uniformity=fg.border_uniformity,
                      fraction=fg.fraction, bbox=bbox, method=fg.method)


def check_images(
    sources: Sequence[bytes | str | os.PathLike[str]],
    *,
    names: Sequence[str] | None = None,
    product_ids: Sequence[object] | None = None,
    representative: bool | Sequence[bool] = True,
    max_duplicate_distance: int = 8,
    progress: bool = False,
    **kw: object,
) -> list[ImageReport]:
    """Check many images and add the ``duplicate`` check across them (a store's photos, a folder)."""
    names = list(names) if names is not None else [str(s) if not isinstance(s, bytes) else f"#{i}"
                                                   for i, s in enumerate(sources)]
    reps = [representative] * len(sources) if isinstance(representative, bool) else list(representative)
    it = range(len(sources))
    if progress:
        from tqdm import tqdm

        it = tqdm(it, desc="이미지 검사", unit="장")
    reports = [check_image(sources[i], name=names[i], representative=reps[i], **kw) for i in it]  # type: ignore[arg-type]
    have = [i for i, r in enumerate(reports) if r.hashes is not None]
    pids = [product_ids[i] for i in have] if product_ids is not None else None
    pairs = find_duplicates([reports[i].hashes for i in have], product_ids=pids,  # type: ignore[misc]
                            signatures=[reports[i].signature for i in have],  # type: ignore[misc]
                            max_distance=max_duplicate_distance)
    dup_of: dict[int, list[tuple[int, bool | None, int]]] = {}
    for p in pairs:
        a, b = have[p.i], have[p.j]
        dup_of.setdefault(a, []).append((b, p.same_product, p.distance))
        dup_of.setdefault(b, []).append((a, p.same_product, p.distance))
    for i in have:
        others = dup_of.get(i, [])
        if not others:
            reports[i].results.append(CheckResult("duplicate", "pass", 0.0, "중복된 사진이 없습니다."))
            continue
        cross = [o for o in others if o[1] is False]
        listed = ", ".join(names[o[0]] for o in others[:3])
        if cross:
            reports[i].results.append(CheckResult(
                "duplicate", "warn", float(len(others)),
                f"다른 상품에도 같은 사진이 쓰였습니다({listed}).",
                "상품마다 그 상품을 직접 찍은 사진을 써 주세요."))
        else:
            reports[i].results.append(CheckResult(
                "duplicate", "warn", float(len(others)), f"거의 같은 사진이 있습니다({listed}).",
                "중복 사진은 하나만 남기고 지워 주세요."))
    return reports
