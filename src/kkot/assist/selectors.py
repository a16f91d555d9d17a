"""Reads of the assistant, always scoped to one store's product (tenant isolation)."""

from __future__ import annotations

from dataclasses import dataclass, field

from kkot.assist.models import ImageAnalysis, ImageCheck, Suggestion
from kkot.catalog.models import Product

STATUS_LABELS = {
    "pass": "통과",
    "warn": "주의",
    "fail": "실패",
    "unavailable": "검사 불가",
    "pending": "검사 중",
}
CHECK_LABELS = {
    "file": "파일",
    "resolution": "해상도",
    "aspect": "비율",
    "product": "상품 인식",
    "sharpness": "선명도",
    "exposure": "밝기",
    "background": "배경",
    "border": "테두리·여백",
    "text_overlay": "글자·워터마크",
    "adult": "성인 콘텐츠",
    "duplicate": "중복 사진",
}


@dataclass
class ImageChecks:
    image_id: int
    state: str
    overall: str
    colours: list[dict] = field(default_factory=list)
    checks: list[ImageCheck] = field(default_factory=list)

    @property
    def label(self) -> str:
        return STATUS_LABELS.get(self.overall or self.state, self.overall)

    @property
    def problems(self) -> list[ImageCheck]:
        return [c for c in self.checks if c.status in ("warn", "fail")]


def image_checks_for(*, product: Product) -> dict[int, ImageChecks]:
    """Image id -> its checks, for one product (the product was already resolved within the store)."""
    out: dict[int, ImageChecks] = {}
    for a in ImageAnalysis.objects.filter(product=product, store_id=product.store_id):
        out[a.image_id] = ImageChecks(
            a.image_id, a.state, a.overall if a.state != "pending" else "pending", a.colours or []
        )
    by_analysis = {
        a.pk: a.image_id for a in ImageAnalysis.objects.filter(product=product).only("pk", "image_id")
    }
    for c in ImageCheck.objects.filter(analysis_id__in=by_analysis, store_id=product.store_id):
        c.label = CHECK_LABELS.get(c.code, c.code)
        c.status_label = STATUS_LABELS.get(c.status, c.status)
        out[by_analysis[c.analysis_id]].checks.append(c)
    return out


def suggestions_for(*, product: Product, pending_only: bool = False):
    qs = Suggestion.objects.filter(product=product, store_id=product.store_id)
    if pending_only:
        qs = qs.filter(decision=Suggestion.Decision.PENDING)
    return list(qs.order_by("kind", "-score", "id"))


def suggestion_groups(*, product: Product) -> list[tuple[str, list[Suggestion]]]:
    """Pending suggestions grouped by kind, in the editor's order."""
    order = [
        Suggestion.Kind.CATEGORY,
        Suggestion.Kind.COLOUR,
        Suggestion.Kind.MATERIAL,
        Suggestion.Kind.SEASON,
        Suggestion.Kind.FIT,
        Suggestion.Kind.PATTERN,
        Suggestion.Kind.TAG,
    ]
    groups: dict[str, list[Suggestion]] = {}
    for s in suggestions_for(product=product, pending_only=True):
        groups.setdefault(s.kind, []).append(s)
    return [
        (str(Suggestion.Kind(k).label), groups[k][: 10 if k == Suggestion.Kind.TAG else 3])
        for k in order
        if k in groups
    ]
