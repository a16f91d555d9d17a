"""The "search exposure" checklist of a product and the expected gain of fixing each item.

How the gain is estimated (shown to the seller): for each listing property (3+ images, a representative image
that passes the checks, the category's key attributes filled, 5+ tags, a clean title, a description) kkot
compares the platform's own products WITH the property against those WITHOUT it, in the narrowest scope that
has enough data (this store, else the same top-level category, else the whole platform): sales per product,
split into views per product (exposure) and sales per view (conversion). The ratio minus one is the gain. It is
an observed difference, not a controlled experiment; with fewer than ``MIN_PRODUCTS`` products on either side or
fewer than ``MIN_VIEWS`` views the checklist says the data is too thin instead of printing a number.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kkot.assist.models import ExposureStat, ImageAnalysis
from kkot.assist.textrules import plain_text, title_problems
from kkot.catalog.models import Category, Product
from kkot.catalog.selectors import category_attribute_defs
from kkot.stores.models import Store

KEY_ATTRIBUTES = ("material", "color", "season", "fit", "pattern")
MIN_PRODUCTS = 10
MIN_VIEWS = 200
MAX_GAIN = 3.0
UNKNOWN_GAIN = 0.05  # ranking weight of an item whose gain cannot be estimated
PROPS = {
    "images3": gettext_lazy("이미지 3장 이상"),
    "image_ok": gettext_lazy("대표 이미지 검사 통과"),
    "attrs": gettext_lazy("주요 속성 입력"),
    "tags5": gettext_lazy("태그 5개 이상"),
    "title_clean": gettext_lazy("깔끔한 상품명"),
    "description": gettext_lazy("상세설명 작성"),
}


@dataclass
class Facts:
    product_id: int
    store_id: int
    root_id: int
    images: int
    rep_fail: list[str]
    rep_state: str
    missing_attrs: list[str]
    tags: int
    title: list[str]
    desc_len: int
    views: int
    sales: int

    def has(self, prop: str) -> bool:
        return {
            "images3": self.images >= 3,
            "image_ok": self.images > 0 and not self.rep_fail,
            "attrs": not self.missing_attrs,
            "tags5": self.tags >= 5,
            "title_clean": not self.title,
            "description": self.desc_len >= 50,
        }[prop]


def product_facts(qs) -> list[Facts]:
    rows = list(
        qs.values_list(
            "pk",
            "store_id",
            "category_id",
            "name",
            "brand",
            "attributes",
            "description_html",
            "view_count",
            "sales_count",
        )
    )
    ids = [r[0] for r in rows]
    n_images = dict(Product.objects.filter(pk__in=ids).annotate(n=Count("images")).values_list("pk", "n"))
    n_tags = dict(Product.objects.filter(pk__in=ids).annotate(n=Count("tags")).values_list("pk", "n"))
    rep: dict[int, tuple[str, list[str]]] = {}
    for pid, state, aid in (
        ImageAnalysis.objects.filter(product_id__in=ids)
        .order_by("product_id", "image__position", "image_id")
        .values_list("product_id", "state", "pk")
    ):
        rep.setdefault(pid, (state, [aid]))
    fails: dict[int, list[str]] = defaultdict(list)
    from kkot.assist.models import ImageCheck

    rep_ids = {v[1][0]: pid for pid, v in rep.items()}
    for aid, msg in ImageCheck.objects.filter(analysis_id__in=rep_ids, status="fail").values_list(
        "analysis_id", "message"
    ):
        fails[rep_ids[aid]].append(msg)
    cats = {}
    roots = {c.pk: (c.ancestor_ids or [c.pk])[0] for c in Category.objects.only("pk", "path")}
    out = []
    for pid, store_id, cat_id, name, brand, attrs, desc, views, sales in rows:
        if cat_id not in cats:
            cats[cat_id] = [
                (d.code, d.name)
                for d in category_attribute_defs(Category.objects.get(pk=cat_id))
                if d.code in KEY_ATTRIBUTES
            ]
        attrs = attrs or {}
        missing = [nm for code, nm in cats[cat_id] if attrs.get(code) in (None, "", [])]
        out.append(
            Facts(
                pid,
                store_id,
                roots.get(cat_id, cat_id),
                n_images.get(pid, 0),
                fails.get(pid, []),
                rep.get(pid, ("", []))[0],
                missing,
                n_tags.get(pid, 0),
                title_problems(name, brand),
                len(plain_text(desc).strip()),
                views or 0,
                sales or 0,
            )
        )
    return out


@transaction.atomic
def exposure_stats_refresh() -> int:
    """Recompute the with/without statistics of every scope (a task; the demo runs it once)."""
    acc: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    qs = Product.objects.filter(status__in=(Product.Status.ON_SALE, Product.Status.SOLD_OUT))
    for f in product_facts(qs):
        for scope in ("platform", f"store:{f.store_id}", f"root:{f.root_id}"):
            for prop in PROPS:
                a = acc[(scope, prop)]
                k = 0 if f.has(prop) else 1
                a[k] += 1
                a[2 + k] += f.views
                a[4 + k] += f.sales
    ExposureStat.objects.all().delete()
    now = timezone.now()
    ExposureStat.objects.bulk_create(
        [
            ExposureStat(
                scope=s,
                prop=p,
                n_with=a[0],
                n_without=a[1],
                views_with=a[2],
                views_without=a[3],
                sales_with=a[4],
                sales_without=a[5],
                computed_at=now,
            )
            for (s, p), a in acc.items()
        ]
    )
    return len(acc)


@dataclass
class Gain:
    value: float | None  # relative gain in sales per product (0.25 = +25%); None when the data is too thin
    text: str
    basis: str


def _enough(s: ExposureStat) -> bool:
    return (
        s.n_with >= MIN_PRODUCTS
        and s.n_without >= MIN_PRODUCTS
        and s.views_with + s.views_without >= MIN_VIEWS
    )


def _scope_label(scope: str) -> str:
    if scope.startswith("store:"):
        return _("이 스토어")
    if scope.startswith("root:"):
        return _("같은 대분류")
    return _("플랫폼 전체")


def gain_for(stats: dict[tuple[str, str], ExposureStat], prop: str, *, store_id: int, root_id: int) -> Gain:
    for scope in (f"store:{store_id}", f"root:{root_id}", "platform"):
        s = stats.get((scope, prop))
        if s is None or not _enough(s):
            continue
        spp_w, spp_o = s.sales_with / s.n_with, s.sales_without / s.n_without
        basis = _("%(scope)s 상품 %(a)d개(갖춤) vs %(b)d개(없음) 비교, 관찰값") % {
            "scope": _scope_label(scope),
            "a": s.n_with,
            "b": s.n_without,
        }
        if spp_o <= 0:
            if spp_w > 0:
                return Gain(MAX_GAIN, _("갖춘 상품만 판매가 있었습니다"), basis)
            continue
        g = min(spp_w / spp_o - 1.0, MAX_GAIN)
        vw = (s.views_with / s.n_with) / max(s.views_without / s.n_without, 1e-9) - 1.0
        cw = (
            (s.sales_with / max(s.views_with, 1)) / max(s.sales_without / max(s.views_without, 1), 1e-9)
        ) - 1.0
        if g <= 0.02:
            return Gain(0.0, _("이 데이터에서는 뚜렷한 판매 차이가 보이지 않았습니다"), basis)
        return Gain(
            round(g, 3),
            _("판매 +%(g)d%% 기대 (조회 %(v)+d%%, 구매전환 %(c)+d%%)")
            % {"g": round(g * 100), "v": round(vw * 100), "c": round(cw * 100)},
            basis,
        )
    return Gain(None, _("비교할 데이터가 아직 부족해 효과를 숫자로 추정하지 않았습니다"), "")


@dataclass
class Item:
    code: str
    label: str
    ok: bool
    detail: str
    gain: Gain | None


def _detail(f: Facts, prop: str) -> str:
    if prop == "images3":
        return _("이미지 %(n)d장") % {"n": f.images}
    if prop == "image_ok":
        if f.images == 0:
            return _("이미지가 없습니다")
        if f.rep_state in ("", ImageAnalysis.State.PENDING):
            return _("검사 중입니다")
        return " / ".join(f.rep_fail) if f.rep_fail else _("문제 없음")
    if prop == "attrs":
        return (
            (_("빠진 속성: %(a)s") % {"a": ", ".join(f.missing_attrs)})
            if f.missing_attrs
            else _("모두 입력됨")
        )
    if prop == "tags5":
        return _("태그 %(n)d개") % {"n": f.tags}
    if prop == "title_clean":
        return " ".join(f.title) if f.title else _("문제 없음")
    return _("상세설명 %(n)d자") % {"n": f.desc_len}


def stats_map() -> dict[tuple[str, str], ExposureStat]:
    return {(s.scope, s.prop): s for s in ExposureStat.objects.all()}


def checklist_for(facts: Facts, stats: dict) -> list[Item]:
    items = []
    for prop, label in PROPS.items():
        ok = facts.has(prop)
        gain = None if ok else gain_for(stats, prop, store_id=facts.store_id, root_id=facts.root_id)
        items.append(Item(prop, str(label), ok, _detail(facts, prop), gain))
    return items


def product_checklist(*, product: Product) -> list[Item]:
    facts = product_facts(Product.objects.filter(pk=product.pk))
    return checklist_for(facts[0], stats_map()) if facts else []


@dataclass
class Opportunity:
    product: Product
    score: float
    items: list[Item]


def store_opportunities(*, store: Store, limit: int = 50) -> list[Opportunity]:
    """The store's products with the most to gain from fixing their checklist, best first."""
    stats = stats_map()
    facts = product_facts(Product.objects.filter(store=store).exclude(status=Product.Status.SUSPENDED))
    scored = []
    for f in facts:
        items = [i for i in checklist_for(f, stats) if not i.ok]
        if not items:
            continue
        score = sum((i.gain.value if i.gain and i.gain.value is not None else UNKNOWN_GAIN) for i in items)
        scored.append((score, f.product_id, items))
    scored.sort(key=lambda t: (-t[0], t[1]))
    top = scored[:limit]
    products = {p.pk: p for p in Product.objects.filter(pk__in=[t[1] for t in top])}
    return [
        Opportunity(products[pid], round(score, 3), items) for score, pid, items in top if pid in products
    ]
