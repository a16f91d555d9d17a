"""Image checks at upload: the upload's facts are read from its header in the request (no pixel decode), the
image is stored by the catalog service, and a task decodes the stored JPEG once (reduced size) to run every
check, read colours and hashes, and compute the search vector. Duplicates are looked up within the store.

A failed check never blocks saving; :func:`publish_blockers` tells callers whether the store chose to keep a
product with a failed representative image from going on sale.
"""

from __future__ import annotations

import dataclasses
import logging

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from kkot.accounts.models import User
from kkot.assist import vision
from kkot.assist.models import AssistSettings, ImageAnalysis, ImageCheck
from kkot.catalog.models import Product, ProductImage
from kkot.catalog.services import product_image_add
from kkot.core.errors import ValidationError
from kkot.ml.vision.checks import ANALYSIS_SIDE, CheckResult
from kkot.ml.vision.io import ImageLoadError, load_image
from kkot.stores.models import Store

logger = logging.getLogger("kkot.assist")

MAX_DUPLICATE_DISTANCE = 8
MAX_COLOUR_DIFF = 16.0


def upload_facts(upload) -> dict:
    """Format, mode, frames, alpha and EXIF rotation of an uploaded file, read from its header only."""
    facts: dict = {}
    try:
        if hasattr(upload, "seek"):
            upload.seek(0)
        with Image.open(upload) as im:
            facts = {
                "format": (im.format or "").upper(),
                "mode": im.mode,
                "frames": int(getattr(im, "n_frames", 1) or 1),
                "alpha": im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info,
                "exif_rotated": int(im.getexif().get(0x0112, 1) or 1) != 1,
            }
    except Exception:  # noqa: BLE001 - the catalog's validation reports a bad file; facts are optional
        facts = {}
    finally:
        if hasattr(upload, "seek"):
            upload.seek(0)
    return facts


def image_add_checked(*, product: Product, actor: User, upload) -> ProductImage:
    """Store an uploaded image (validated by the catalog service) and schedule its checks after commit."""
    facts = upload_facts(upload)
    image = product_image_add(product=product, actor=actor, upload=upload)
    analysis_schedule(image=image, facts=facts)
    return image


def analysis_schedule(*, image: ProductImage, facts: dict | None = None) -> ImageAnalysis:
    """A pending analysis row now; the work runs in :func:`kkot.assist.tasks.image_analyse_task`."""
    from kkot.assist.tasks import image_analyse_task

    a, created = ImageAnalysis.objects.get_or_create(
        image=image,
        defaults={"product_id": image.product_id, "store_id": image.product.store_id, "upload": facts or {}},
    )
    if not created:
        ImageAnalysis.objects.filter(pk=a.pk).update(
            state=ImageAnalysis.State.PENDING, **({"upload": facts} if facts else {})
        )
    image_analyse_task.enqueue(image_id=image.pk)
    return a


def _loaded_with_facts(image: ProductImage, facts: dict):
    with image.image.open("rb") as fh:
        data = fh.read()
    img = load_image(data, max_side=ANALYSIS_SIDE)
    repl = {}
    if facts.get("format"):
        repl["format"] = facts["format"]
    if facts.get("mode"):
        repl["original_mode"] = facts["mode"]
    if facts.get("frames"):
        repl["n_frames"] = int(facts["frames"])
    if facts.get("alpha"):
        repl["had_alpha"] = True
    if facts.get("exif_rotated"):
        repl["exif_rotated"] = True
    return dataclasses.replace(img, **repl) if repl else img


def _value(v) -> tuple[float | None, str]:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v), ""
    return None, "" if v is None else str(v)[:60]


def check_rows(analysis: ImageAnalysis, results: list[CheckResult]) -> list[ImageCheck]:
    """Unsaved ImageCheck rows for one image's check results, in their order (also used by the batch path)."""
    rows = []
    for pos, r in enumerate(results):
        num, text = _value(r.value)
        rows.append(
            ImageCheck(
                analysis=analysis,
                store_id=analysis.store_id,
                code=r.code,
                status=r.status,
                value=num,
                value_text=text,
                message=r.message[:300],
                fix=r.fix[:300],
                position=pos,
            )
        )
    return rows


def _write_checks(analysis: ImageAnalysis, results: list[CheckResult]) -> None:
    ImageCheck.objects.filter(analysis=analysis).exclude(code="duplicate").delete()
    ImageCheck.objects.bulk_create(check_rows(analysis, results))


def _overall(analysis: ImageAnalysis) -> str:
    statuses = set(ImageCheck.objects.filter(analysis=analysis).values_list("status", flat=True))
    return "fail" if "fail" in statuses else "warn" if "warn" in statuses else "pass"


def image_analyse(*, image_id: int) -> ImageAnalysis | None:
    """Run every check on one stored image (idempotent). Returns None when the image is gone."""
    image = ProductImage.objects.select_related("product").filter(pk=image_id).first()
    if image is None:
        return None
    analysis, _c = ImageAnalysis.objects.get_or_create(
        image=image, defaults={"product_id": image.product_id, "store_id": image.product.store_id}
    )
    try:
        img = _loaded_with_facts(image, analysis.upload or {})
    except (ImageLoadError, OSError, ValueError) as exc:
        msg = exc.message if isinstance(exc, ImageLoadError) else _("저장된 이미지 파일을 읽을 수 없습니다.")
        with transaction.atomic():
            _write_checks(
                analysis,
                [
                    CheckResult(
                        "file",
                        "fail",
                        getattr(exc, "code", "unreadable"),
                        msg,
                        _("이미지를 다시 올려 주세요."),
                    )
                ],
            )
            ImageAnalysis.objects.filter(pk=analysis.pk).update(
                state=ImageAnalysis.State.ERROR,
                overall="fail",
                error=str(exc)[:300],
                analysed_at=timezone.now(),
            )
        return ImageAnalysis.objects.get(pk=analysis.pk)
    representative = not ProductImage.objects.filter(
        product_id=image.product_id, position__lt=image.position
    ).exists()
    report, vec = vision.analyse(img, representative=representative, detector=vision.adult_detector())
    with transaction.atomic():
        analysis = ImageAnalysis.objects.select_for_update().get(pk=analysis.pk)
        if report.hashes is not None:
            analysis.phash, analysis.dhash = (vision.to_signed(h) for h in report.hashes)
        analysis.signature = (
            bytes(report.signature.astype(np.uint8)) if report.signature is not None else None
        )
        analysis.colours = [
            {"name": c.name, "share": round(c.share, 3), "hex": c.hex} for c in report.colours
        ]
        analysis.embedding = vec.astype(np.float32).tobytes()
        analysis.model_version = vision.model_version()
        analysis.state = ImageAnalysis.State.DONE
        analysis.error = ""
        analysis.analysed_at = timezone.now()
        analysis.save()
        _write_checks(analysis, report.results)
        touched = duplicates_refresh(analysis=analysis)
        for a in {analysis.pk, *touched}:
            ImageAnalysis.objects.filter(pk=a).update(overall=_overall(ImageAnalysis(pk=a)))
    return ImageAnalysis.objects.get(pk=analysis.pk)


# ---------------------------------------------------------------- duplicates within the store
def _hamming(a: np.ndarray, b: int) -> np.ndarray:
    x = a ^ np.uint64(b)
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(x).astype(np.int64)
    return np.array([int(v).bit_count() for v in x.tolist()], dtype=np.int64)


def _matches(analysis: ImageAnalysis, others: list[tuple]) -> list[tuple[int, int, int, str]]:
    """(analysis id, product id, distance, product name) of the store's near-duplicates of ``analysis``."""
    if analysis.phash is None or not others:
        return []
    ph = np.array([vision.to_unsigned(o[2]) for o in others], dtype=np.uint64)
    dh = np.array([vision.to_unsigned(o[3]) for o in others], dtype=np.uint64)
    d = np.maximum(
        _hamming(ph, vision.to_unsigned(analysis.phash)), _hamming(dh, vision.to_unsigned(analysis.dhash))
    )
    sig = np.frombuffer(bytes(analysis.signature), np.uint8).astype(np.int16) if analysis.signature else None
    out = []
    for k in np.flatnonzero(d <= MAX_DUPLICATE_DISTANCE).tolist():
        o = others[k]
        if sig is not None and o[4]:
            other = np.frombuffer(bytes(o[4]), np.uint8).astype(np.int16)
            if other.shape == sig.shape and float(np.abs(sig - other).mean()) > MAX_COLOUR_DIFF:
                continue  # the same design photographed in another colour
        out.append((o[0], o[1], int(d[k]), o[5]))
    return out


def _duplicate_result(analysis: ImageAnalysis, matches: list[tuple[int, int, int, str]]) -> CheckResult:
    if not matches:
        return CheckResult("duplicate", "pass", 0.0, _("스토어 안에 중복된 사진이 없습니다."))
    other_products = sorted({(pid, name) for _a, pid, _d, name in matches if pid != analysis.product_id})
    if other_products:
        names = ", ".join(n for _p, n in other_products[:3])
        return CheckResult(
            "duplicate",
            "warn",
            float(len(other_products)),
            _("다른 상품에도 같은 사진이 쓰였습니다(%(names)s).") % {"names": names},
            _("상품마다 그 상품을 직접 찍은 사진을 써 주세요."),
        )
    return CheckResult(
        "duplicate",
        "warn",
        float(len(matches)),
        _("이 상품에 거의 같은 사진이 %(n)d장 더 있습니다.") % {"n": len(matches)},
        _("중복 사진은 하나만 남기고 지워 주세요."),
    )


def _store_hashes(store_id: int, exclude: int | None = None) -> list[tuple]:
    qs = ImageAnalysis.objects.filter(store_id=store_id, phash__isnull=False).values_list(
        "pk", "product_id", "phash", "dhash", "signature", "product__name"
    )
    return [r for r in qs if r[0] != exclude]


def _put_duplicate(analysis: ImageAnalysis, result: CheckResult) -> None:
    num, _t = _value(result.value)
    ImageCheck.objects.update_or_create(
        analysis=analysis,
        code="duplicate",
        defaults={
            "store_id": analysis.store_id,
            "status": result.status,
            "value": num,
            "value_text": "",
            "message": result.message[:300],
            "fix": result.fix[:300],
            "position": 50,
        },
    )


def duplicates_refresh(*, analysis: ImageAnalysis) -> set[int]:
    """Write the ``duplicate`` check of ``analysis`` and of the store's images it duplicates; returns the ids of
    the other analyses whose check changed."""
    others = _store_hashes(analysis.store_id, exclude=analysis.pk)
    matches = _matches(analysis, others)
    _put_duplicate(analysis, _duplicate_result(analysis, matches))
    touched = set()
    if not matches:
        return touched
    everyone = _store_hashes(analysis.store_id)
    for other in ImageAnalysis.objects.filter(pk__in=[m[0] for m in matches]):
        mine = [r for r in everyone if r[0] != other.pk]
        _put_duplicate(other, _duplicate_result(other, _matches(other, mine)))
        touched.add(other.pk)
    return touched


# ---------------------------------------------------------------- publishing
def settings_for(store: Store) -> AssistSettings:
    return AssistSettings.objects.filter(store=store).first() or AssistSettings(store=store)


def settings_update(*, store: Store, actor: User, block_publish_on_failed_checks: bool) -> AssistSettings:
    from kkot.stores.models import StoreMembership
    from kkot.stores.services import require_role

    require_role(store=store, user=actor, role=StoreMembership.Role.MANAGER)
    obj, _c = AssistSettings.objects.update_or_create(
        store=store, defaults={"block_publish_on_failed_checks": bool(block_publish_on_failed_checks)}
    )
    return obj


def representative_failures(*, store: Store, product_ids: list[int]) -> dict[int, list[str]]:
    """Product id -> messages of the failed checks of its representative (first) image (this store only)."""
    first: dict[int, int] = {}
    for pid, img_id in (
        ProductImage.objects.filter(product_id__in=product_ids, product__store=store)
        .order_by("product_id", "position", "id")
        .values_list("product_id", "pk")
    ):
        first.setdefault(pid, img_id)
    out: dict[int, list[str]] = {}
    rows = ImageCheck.objects.filter(analysis__image_id__in=list(first.values()), status="fail").values_list(
        "analysis__product_id", "message"
    )
    for pid, msg in rows:
        out.setdefault(pid, []).append(msg)
    return out


def publish_blockers(*, store: Store, product_ids: list[int], status: str) -> dict[int, list[str]]:
    """Products that may not go on sale now because the store blocks publishing on failed image checks."""
    if (
        status != Product.Status.ON_SALE
        or not product_ids
        or not settings_for(store).block_publish_on_failed_checks
    ):
        return {}
    return representative_failures(store=store, product_ids=product_ids)


def publish_guard(*, store: Store, product_ids: list[int], status: str) -> None:
    """Raise (code ``image_checks_failed``) when :func:`publish_blockers` finds any product."""
    blocked = publish_blockers(store=store, product_ids=product_ids, status=status)
    if blocked:
        msgs = sorted({m for ms in blocked.values() for m in ms})
        raise ValidationError(
            _("대표 이미지 검사에 실패한 상품은 판매중으로 바꿀 수 없습니다(스토어 설정): %(m)s")
            % {"m": " / ".join(msgs[:3])},
            code="image_checks_failed",
            details={"product_ids": sorted(blocked)},
        )
