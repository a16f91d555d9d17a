"""Many images at once (demo, re-analysis after a model change): the same checks as the per-image task with
one decode per image, batched embedding, bulk writes and one duplicate pass per store."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable

import numpy as np
from django.db import transaction
from django.utils import timezone

from kkot.assist import vision
from kkot.assist.models import ImageAnalysis, ImageCheck
from kkot.assist.services.checks import _duplicate_result, _matches, _value, check_rows
from kkot.catalog.models import ProductImage
from kkot.ml.vision.checks import ANALYSIS_SIDE, analyse_loaded
from kkot.ml.vision.io import ImageLoadError, load_image

CHUNK = 64


def _decode(image: ProductImage, side: int):
    """Decode the stored image (or its 400 px thumbnail when ``side`` is small) at reduced size; the reported
    size stays the stored full size so the resolution checks judge what the seller uploaded."""
    field = image.thumbnail if side <= 200 and image.thumbnail else image.image
    with field.open("rb") as fh:
        img = load_image(fh.read(), max_side=side)
    return dataclasses.replace(img, size=(image.width, image.height))


def images_analyse_batch(
    image_ids: list[int],
    *,
    side: int = ANALYSIS_SIDE,
    reuse_from: dict[int, int] | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Analyse these images (replacing earlier results). ``reuse_from`` maps an image to another image of the
    same picture whose checks, colours and vector it takes (its own hashes are still computed)."""
    reuse_from = reuse_from or {}
    images = list(ProductImage.objects.filter(pk__in=image_ids).select_related("product").order_by("pk"))
    first_pos = {}
    for pid, pos in ProductImage.objects.filter(product_id__in={i.product_id for i in images}).values_list(
        "product_id", "position"
    ):
        first_pos[pid] = min(pos, first_pos.get(pid, pos))
    detector = vision.adult_detector()
    find_text = vision.text_detector()
    done: dict[int, tuple] = {}  # image id -> (report, vec)
    hashes: dict[int, tuple] = {}
    errors: dict[int, str] = {}
    from kkot.ml.vision.hashing import colour_signature, dhash, phash
    from kkot.ml.vision.segment import resize_max_side

    for start in range(0, len(images), CHUNK):
        chunk = images[start : start + CHUNK]
        todo = []
        for im in chunk:
            try:
                loaded = _decode(im, side)
            except (ImageLoadError, OSError, ValueError) as exc:
                errors[im.pk] = str(exc)[:300]
                continue
            rgb = resize_max_side(loaded.array(), ANALYSIS_SIDE)
            hashes[im.pk] = (phash(rgb), dhash(rgb), colour_signature(rgb))
            src = reuse_from.get(im.pk)
            if src is not None and src != im.pk:
                continue  # takes the checks and vector of the same picture (filled in below)
            with vision.single_thread():
                rep = analyse_loaded(
                    loaded,
                    representative=im.position == first_pos.get(im.product_id, 0),
                    adult_detector=detector,
                    text_detector=find_text,
                )
            todo.append((im.pk, rep, loaded.array()))
        if todo:
            vecs = vision.encode_many([a for _i, _r, a in todo])
            for (pk, rep, _a), v in zip(todo, vecs, strict=True):
                done[pk] = (rep, v)
        if progress:
            progress(len(chunk))
    for pk, src in reuse_from.items():
        if pk not in done and src in done:
            done[pk] = done[src]
    return _write(images, done, hashes, errors)


@transaction.atomic
def _write(images, done, hashes, errors) -> int:
    ImageAnalysis.objects.filter(image_id__in=[i.pk for i in images]).delete()
    now, mv = timezone.now(), vision.model_version()
    rows = []
    for im in images:
        a = ImageAnalysis(
            image=im,
            product_id=im.product_id,
            store_id=im.product.store_id,
            analysed_at=now,
            model_version=mv,
        )
        if im.pk in done and im.pk in hashes:
            rep, vec = done[im.pk]
            ph, dh, sig = hashes[im.pk]
            a.state, a.phash, a.dhash = ImageAnalysis.State.DONE, vision.to_signed(ph), vision.to_signed(dh)
            a.signature = bytes(sig.astype(np.uint8))
            a.colours = [{"name": c.name, "share": round(c.share, 3), "hex": c.hex} for c in rep.colours]
            a.embedding = np.asarray(vec, np.float32).tobytes()
        else:
            a.state, a.error, a.overall = ImageAnalysis.State.ERROR, errors.get(im.pk, "not analysed"), "fail"
        rows.append(a)
    ImageAnalysis.objects.bulk_create(rows, batch_size=500)
    by_image = {a.image_id: a for a in ImageAnalysis.objects.filter(image_id__in=[i.pk for i in images])}
    checks = []
    for im in images:
        a = by_image[im.pk]
        if im.pk not in done:
            continue
        checks.extend(check_rows(a, done[im.pk][0].results))
    # duplicates: one pass per store over all of the store's analysed images
    stores = defaultdict(list)
    for a in by_image.values():
        if a.phash is not None:
            stores[a.store_id].append(a)
    from kkot.assist.services.checks import _store_hashes

    for store_id, mine in stores.items():
        everyone = _store_hashes(store_id)
        for a in mine:
            r = _duplicate_result(a, _matches(a, [o for o in everyone if o[0] != a.pk]))
            num, _t = _value(r.value)
            checks.append(
                ImageCheck(
                    analysis=a,
                    store_id=a.store_id,
                    code="duplicate",
                    status=r.status,
                    value=num,
                    message=r.message[:300],
                    fix=r.fix[:300],
                    position=50,
                )
            )
    ImageCheck.objects.bulk_create(checks, batch_size=2000)
    status_of: dict[int, set[str]] = defaultdict(set)
    for c in checks:
        status_of[c.analysis_id].add(c.status)
    for overall in ("fail", "warn", "pass"):
        ids = [
            a.pk
            for a in by_image.values()
            if a.state == ImageAnalysis.State.DONE
            and (overall in status_of[a.pk] if overall != "pass" else not status_of[a.pk] & {"fail", "warn"})
            and not (overall == "warn" and "fail" in status_of[a.pk])
        ]
        ImageAnalysis.objects.filter(pk__in=ids).update(overall=overall)
    return len(done)
