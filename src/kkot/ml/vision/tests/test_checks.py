"""Image checks on small synthetic photos drawn with Pillow."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from kkot.ml.vision.checks import check_image, check_images, text_regions


def _jpeg(im: Image.Image, quality: int = 92) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def product_photo(size: int = 600, colour=(28, 36, 84), bg=(250, 250, 250), seed: int = 0) -> Image.Image:
    """A 'T-shirt' (body + sleeves) with fabric texture, centred on a plain background."""
    rng = np.random.default_rng(seed)
    im = Image.new("RGB", (size, size), bg)
    d = ImageDraw.Draw(im)
    s = size / 600
    d.polygon([(180 * s, 120 * s), (420 * s, 120 * s), (520 * s, 220 * s), (460 * s, 280 * s),
               (420 * s, 250 * s), (420 * s, 500 * s), (180 * s, 500 * s), (180 * s, 250 * s),
               (140 * s, 280 * s), (80 * s, 220 * s)], fill=colour)
    arr = np.asarray(im).astype(np.int16)
    mask = np.all(np.abs(arr - np.array(colour)) < 3, axis=-1)
    noise = rng.integers(-12, 13, arr.shape[:2])
    arr[mask] += noise[mask][:, None]
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def _status(rep, code: str) -> str:  # noqa: ANN001
    r = rep.result(code)
    assert r is not None, f"no {code} result"
    return r.status


def test_good_product_photo_passes() -> None:
    rep = check_image(_jpeg(product_photo()), name="good")
    for code in ("file", "resolution", "aspect", "product", "sharpness", "exposure", "background", "border",
                 "text_overlay"):
        assert _status(rep, code) == "pass", (code, rep.result(code))
    assert _status(rep, "adult") == "unavailable"
    assert rep.status == "pass"
    assert rep.colours[0].name == "네이비"
    assert all(r.message for r in rep.results)


def test_low_resolution_fails_for_representative_only() -> None:
    data = _jpeg(product_photo(size=300))
    rep = check_image(data)
    assert _status(rep, "resolution") == "fail" and rep.result("resolution").value == 300.0
    assert "500" in rep.result("resolution").fix
    assert _status(check_image(data, representative=False), "resolution") == "warn"


def test_aspect_ratio() -> None:
    wide = Image.new("RGB", (1800, 600), (250, 250, 250))
    wide.paste(product_photo(), (600, 0))
    assert _status(check_image(_jpeg(wide)), "aspect") == "fail"
    mid = wide.crop((300, 0, 1500, 600))  # 2:1
    assert _status(check_image(_jpeg(mid)), "aspect") == "warn"


def test_blurred_photo() -> None:
    blurred = product_photo().filter(ImageFilter.GaussianBlur(6))
    rep = check_image(_jpeg(blurred))
    assert _status(rep, "sharpness") == "fail"
    assert rep.result("sharpness").fix


def test_dark_photo() -> None:
    dark = Image.fromarray((np.asarray(product_photo(bg=(200, 200, 200))) * 0.15).astype(np.uint8))
    assert _status(check_image(_jpeg(dark)), "exposure") == "fail"


def test_cluttered_background_warns_for_representative() -> None:
    rng = np.random.default_rng(1)
    bg = Image.fromarray(rng.integers(0, 255, (40, 40, 3), dtype=np.uint8)).resize((600, 600))
    im = product_photo()
    mask = Image.fromarray((np.asarray(im).min(-1) < 200).astype(np.uint8) * 255)
    bg.paste(im, (0, 0), mask)
    rep = check_image(_jpeg(bg))
    assert _status(rep, "background") == "warn"
    assert _status(check_image(_jpeg(bg), representative=False), "background") == "pass"


def test_grey_background_warns() -> None:
    rep = check_image(_jpeg(product_photo(bg=(120, 120, 120), colour=(200, 30, 30))))
    assert _status(rep, "background") == "warn"
    assert rep.colours[0].name == "레드"


def test_coloured_frame_detected() -> None:
    im = product_photo(size=560)
    framed = Image.new("RGB", (600, 600), (200, 0, 0))
    framed.paste(im, (20, 20))
    assert _status(check_image(_jpeg(framed)), "border") == "warn"


def test_too_much_padding() -> None:
    small = product_photo(size=200)
    canvas = Image.new("RGB", (800, 800), (250, 250, 250))
    canvas.paste(small, (300, 300))
    rep = check_image(_jpeg(canvas))
    assert _status(rep, "border") == "warn" or _status(rep, "product") == "warn"


def test_text_overlay_detected_on_background() -> None:
    im = product_photo()
    d = ImageDraw.Draw(im)
    font = ImageFont.load_default(size=30)
    d.text((40, 530), "SALE 50% OFF www.myshop.kr", fill=(0, 0, 0), font=font)
    d.text((40, 30), "FREE SHIPPING TODAY ONLY", fill=(200, 0, 0), font=font)
    rep = check_image(_jpeg(im))
    assert _status(rep, "text_overlay") == "warn"
    assert rep.result("text_overlay").value > 0


def test_text_regions_empty_on_plain_product() -> None:
    grey = np.asarray(product_photo().convert("L").resize((256, 256)), dtype=np.float32)
    assert text_regions(grey) == []


def test_no_product_in_photo() -> None:
    rep = check_image(_jpeg(Image.new("RGB", (800, 800), (245, 245, 245))))
    assert _status(rep, "product") == "fail"
    assert rep.result("product").message == "사진에서 상품을 찾을 수 없습니다."
    assert rep.result("sharpness") is None  # nothing to judge
    assert rep.colours == []
    assert rep.status == "fail"


def test_corrupt_file_is_a_failed_check_not_an_exception() -> None:
    rep = check_image(b"\xff\xd8\xff garbage", name="bad.jpg")
    assert [(r.code, r.status, r.value) for r in rep.results] == [("file", "fail", "not_an_image")]
    assert rep.status == "fail"
    rep = check_image(b"")
    assert rep.results[0].value == "empty_file"


def test_duplicates_and_reuse_across_products() -> None:
    a = product_photo(seed=0)
    same_resized = a.resize((500, 500))
    other_colour = product_photo(colour=(200, 30, 30), seed=0)
    different = product_photo(colour=(30, 120, 40), seed=3).rotate(90)
    sources = [_jpeg(a), _jpeg(same_resized, quality=60), _jpeg(other_colour), _jpeg(different)]
    reps = check_images(sources, names=["a", "b", "c", "d"], product_ids=[1, 2, 3, 4])
    assert [_status(r, "duplicate") for r in reps] == ["warn", "warn", "pass", "pass"]
    assert "다른 상품" in reps[0].result("duplicate").message
    reps = check_images(sources[:2], names=["a", "b"], product_ids=[1, 1])
    assert reps[0].result("duplicate").message.startswith("거의 같은 사진")


def test_animated_gif_warns() -> None:
    frames = [product_photo(size=600), product_photo(size=600, colour=(200, 0, 0))]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=100)
    rep = check_image(buf.getvalue())
    assert _status(rep, "file") == "warn"
    assert "첫 프레임" in rep.result("file").message


def test_cmyk_product_photo_checked() -> None:
    data = _jpeg(product_photo(colour=(200, 30, 30)).convert("CMYK"))
    rep = check_image(data)
    assert _status(rep, "file") == "pass" and "CMYK" in rep.result("file").message
    assert rep.colours[0].name == "레드"


def test_adult_detector_hook() -> None:
    data = _jpeg(product_photo())
    assert _status(check_image(data, adult_detector=lambda a: 0.95), "adult") == "fail"
    assert _status(check_image(data, adult_detector=lambda a: 0.1), "adult") == "pass"
