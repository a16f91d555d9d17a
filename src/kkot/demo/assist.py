"""Demo step: image checks, colours and the visual index over the demo's drawn product pictures, and the models
the registration assistant learns from the catalog (tags, category), plus the exposure statistics.

Speed: every demo picture is a drawing of a shape (chosen by the category) in a colour, with a small seeded
jitter and background tint, so the step runs the checks and the embedding once per (shape, colour), on the
400 px thumbnail decoded at 128 px, and gives the result to the other pictures of the group; the perceptual
hashes (duplicates) are computed for every picture. Real uploads are analysed one by one, at full analysis size, by the image task.
"""

from __future__ import annotations

import time

from tqdm import tqdm

from kkot.assist.services import learn
from kkot.assist.services.batch import images_analyse_batch
from kkot.assist.services.exposure import exposure_stats_refresh
from kkot.assist.services.visual import visual_index_rebuild
from kkot.catalog.models import Category, ProductImage
from kkot.demo import vocab

DEMO_SIDE = 128


def _drawing(cat, p) -> tuple:
    """What the demo drew for a product: (shape, colour); products with the same key share one drawing."""
    if not hasattr(cat, "_assist_shapes"):
        slugs = dict(Category.objects.values_list("pk", "slug"))
        concept = {s.pk: getattr(s, "_concept", "") for s in cat.stores}
        cat._assist_shapes = {"slugs": slugs, "concept": concept}  # noqa: SLF001 - memo on the demo catalog
    memo = cat._assist_shapes  # noqa: SLF001
    items, _adjs = vocab.CONCEPTS.get(memo["concept"].get(p.store_id), ([], []))
    leaf = memo["slugs"].get(p.category_id)
    shape = next((it[3] for it in items if it[0] == leaf), None)
    return (shape, p.colour) if shape else (p.store_id, p.category_id, p.colour)


def build_assist(cat, *, quiet: bool = False) -> dict:
    t0 = time.perf_counter()
    spec = {p.id: _drawing(cat, p) for p in cat.products}
    images = list(
        ProductImage.objects.filter(product_id__in=spec).order_by("pk").values_list("pk", "product_id")
    )
    first_of: dict[tuple, int] = {}
    reuse = {}
    for img_id, pid in images:
        reuse[img_id] = first_of.setdefault(spec[pid], img_id)
    with tqdm(total=len(images), desc="이미지 검사", unit="장", disable=quiet) as bar:
        n = images_analyse_batch(
            [i for i, _p in images], side=DEMO_SIDE, reuse_from=reuse, progress=bar.update
        )
    t1 = time.perf_counter()
    learn.tag_model_train()
    photos = learn.catalog_photos()
    classes = learn.category_model_train(photos)
    colour_classes = learn.colour_model_train(photos)
    search_head = learn.search_head_train(photos)
    t2 = time.perf_counter()
    exposure_stats_refresh()
    indexed = visual_index_rebuild()
    return {
        "images": n,
        "analysed_groups": len(first_of),
        "indexed": indexed,
        "category_classes": classes,
        "colour_classes": colour_classes,
        "search_head": search_head,
        "checks_s": round(t1 - t0, 1),
        "models_s": round(t2 - t1, 1),
        "assist_s": round(time.perf_counter() - t0, 1),
    }
