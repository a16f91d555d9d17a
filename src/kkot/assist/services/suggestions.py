"""Suggestions in the product editor (colours, category top-3, attributes from text, tags) and the seller's
decisions. Accepting applies the value through the catalog services; both answers are kept (with the model
version) so the models can learn from them. A rejected value is never suggested again for that product."""

from __future__ import annotations

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kkot.accounts.models import User
from kkot.assist import vision
from kkot.assist.models import ImageAnalysis, Suggestion
from kkot.assist.services import learn
from kkot.assist.textrules import extract_attributes, product_features, tag_ok
from kkot.catalog.models import MAX_TAGS, Category, Product
from kkot.catalog.selectors import category_attribute_defs, category_label
from kkot.catalog.services import normalize_tag, product_input_from_instance, product_update
from kkot.core.errors import Conflict, NotFound, ValidationError
from kkot.stores.models import Store

Kind = Suggestion.Kind
ATTR_KINDS = {"material": Kind.MATERIAL, "season": Kind.SEASON, "fit": Kind.FIT, "pattern": Kind.PATTERN}
RULES_VERSION = "textrules:1"
COLOUR_MIN_SHARE = 0.15  # rules: a colour covering less of the product is not offered
COLOUR_MIN_PROB = 0.2  # learnt colour model: a less likely name is not offered
# Another category is suggested only when the model is fairly sure of it and prefers it to the seller's choice:
# a 3% runner-up is noise, not advice.
CATEGORY_MIN_PROB = 0.3


def _current_values(product: Product) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for code, v in (product.attributes or {}).items():
        out[code] = {str(x) for x in (v if isinstance(v, list) else [v]) if x not in (None, "")}
    return out


def _representative(product: Product) -> ImageAnalysis | None:
    return (
        ImageAnalysis.objects.filter(product=product, state=ImageAnalysis.State.DONE)
        .order_by("image__position", "image_id")
        .first()
    )


def _colour_suggestions(rep: ImageAnalysis, choices, have: set[str]) -> list[dict]:
    """Colour names for the representative photo: from the colour model learnt on this platform's catalog when
    there is one (probabilities), else the shipped rules (the colour's share of the product)."""
    learned = None
    model = learn.colour_model()
    if model is not None and rep.embedding and rep.model_version == vision.model_version():
        vec = np.frombuffer(bytes(rep.embedding), np.float32)[None]
        if vec.shape[1] == model.dim_:
            learned = model.predict_top(vec, k=3)[0]
    if learned is not None:
        version = "catalog-" + learn.model_version_of("colour/catalog_colour.json")
        found = [(name, p) for name, p in learned if p >= COLOUR_MIN_PROB]
    else:
        version = "colour:" + vision.model_version()
        found = [(c["name"], c["share"]) for c in rep.colours[:3] if c["share"] >= COLOUR_MIN_SHARE]
    return [
        {
            "kind": Kind.COLOUR,
            "value": name,
            "score": round(float(p), 4),
            "label": f"{name} {round(p * 100)}%",
            "source": "image",
            "model_version": version,
        }
        for name, p in found
        if name in choices and name not in have
    ]


def compute_suggestions(product: Product) -> list[dict]:
    """Fresh candidate suggestions for a product (nothing written)."""
    defs = {d.code: d for d in category_attribute_defs(product.category)}
    have = _current_values(product)
    out: list[dict] = []
    rep = _representative(product)
    if rep is not None and "color" in defs:
        out += _colour_suggestions(rep, defs["color"].choices, have.get("color", set()))
    model = learn.category_model()
    if model is not None:
        vec = None
        if rep is not None and rep.embedding and rep.model_version == vision.model_version():
            vec = np.frombuffer(bytes(rep.embedding), np.float32)[None]
        dims_ok = vec is not None and model.img_mu_ is not None and vec.shape[1] == len(model.img_mu_)
        # an empty title uses the image alone; with neither there is nothing to predict from
        has_input = dims_ok or bool((product.name or "").strip())
        top = model.predict_top([product.name or ""], vec if dims_ok else None, k=3)[0] if has_input else []
        cats = {str(c.pk): c for c in Category.objects.filter(pk__in=[int(c) for c, _p in top])}
        current_p = max((p for cid, p in top if int(cid) == product.category_id), default=0.0)
        for cid, p in top:
            if cid in cats and int(cid) != product.category_id and p >= max(CATEGORY_MIN_PROB, current_p):
                out.append(
                    {
                        "kind": Kind.CATEGORY,
                        "value": cid,
                        "score": round(float(p), 4),
                        "label": f"{category_label(cats[cid])} {round(p * 100)}%",
                        "source": "title+image" if dims_ok else "title",
                        "model_version": learn.model_version_of("category/category.json"),
                    }
                )
    options = [v for o in product.options.all() for v in [o.name, *o.values]]
    for g in extract_attributes(
        title=product.name,
        description=product.description_html,
        options=options,
        codes=[c for c in ATTR_KINDS if c in defs],
    ):
        if g.value in defs[g.code].choices and g.value not in have.get(g.code, set()):
            out.append(
                {
                    "kind": ATTR_KINDS[g.code],
                    "value": g.value,
                    "score": g.score,
                    "label": f"{defs[g.code].name}: {g.value}",
                    "source": g.source,
                    "model_version": RULES_VERSION,
                }
            )
    tags_now = [t.name for t in product.tags.all()]
    tm = learn.tag_model()
    if tm is not None and len(tags_now) < MAX_TAGS:
        feats = product_features(
            title=product.name,
            category_ids=product.category.ancestor_ids or [product.category_id],
            attributes=product.attributes,
        )
        for g in tm.suggest(feats, title=product.name, k=MAX_TAGS, exclude=[*tags_now, product.brand or ""]):
            t = normalize_tag(g.tag)
            if tag_ok(t):
                out.append(
                    {
                        "kind": Kind.TAG,
                        "value": t,
                        "score": g.score,
                        "label": f"#{t}",
                        "source": g.source,
                        "model_version": learn.model_version_of("tags.json") or "tags",
                    }
                )
    return out


@transaction.atomic
def suggestions_refresh(*, product_id: int) -> int:
    """Recompute the pending suggestions of a product; decided ones are kept as they are. Returns pending count."""
    product = Product.objects.select_related("category").filter(pk=product_id).first()
    if product is None:
        return 0
    fresh = {(s["kind"], s["value"][:100]): s for s in compute_suggestions(product)}
    existing = {(s.kind, s.value): s for s in Suggestion.objects.select_for_update().filter(product=product)}
    stale = [
        s.pk for k, s in existing.items() if s.decision == Suggestion.Decision.PENDING and k not in fresh
    ]
    Suggestion.objects.filter(pk__in=stale).delete()
    for key, s in fresh.items():
        row = existing.get(key)
        if row is None:
            Suggestion.objects.create(
                store_id=product.store_id,
                product=product,
                kind=s["kind"],
                value=key[1],
                label=s["label"][:200],
                score=s["score"],
                source=s["source"],
                model_version=s["model_version"][:60],
            )
        elif row.decision == Suggestion.Decision.PENDING:
            row.label, row.score, row.source, row.model_version = (
                s["label"][:200],
                s["score"],
                s["source"],
                s["model_version"][:60],
            )
            row.save(update_fields=["label", "score", "source", "model_version"])
    return Suggestion.objects.filter(product=product, decision=Suggestion.Decision.PENDING).count()


def _apply(product: Product, s: Suggestion, actor: User) -> None:
    data = product_input_from_instance(product)
    if s.kind == Kind.TAG:
        if s.value not in data.tags:
            if len(data.tags) >= MAX_TAGS:
                raise ValidationError(
                    _("태그는 최대 %(n)d개까지입니다. 다른 태그를 지운 뒤 다시 수락해 주세요.")
                    % {"n": MAX_TAGS},
                    code="too_many_tags",
                )
            data.tags.append(s.value)
    elif s.kind == Kind.CATEGORY:
        category = Category.objects.filter(pk=int(s.value), is_active=True).first()
        if category is None:
            raise ValidationError(_("추천한 카테고리를 더 이상 쓸 수 없습니다."), code="invalid_category")
        allowed = {d.code for d in category_attribute_defs(category)}
        data.category_id = category.pk
        data.attributes = {k: v for k, v in data.attributes.items() if k in allowed}
    else:
        code = "color" if s.kind == Kind.COLOUR else s.kind
        d = next((d for d in category_attribute_defs(product.category) if d.code == code), None)
        if d is None:
            raise ValidationError(
                _("이 카테고리에는 '%(a)s' 속성이 없습니다.") % {"a": s.get_kind_display()},
                code="invalid_attribute",
            )
        if d.kind == "multi":
            cur = data.attributes.get(code) or []
            cur = cur if isinstance(cur, list) else [cur]
            if s.value not in cur:
                data.attributes[code] = [*cur, s.value]
        else:
            data.attributes[code] = s.value
    product_update(product=product, actor=actor, data=data)


@transaction.atomic
def suggestion_decide(*, store: Store, suggestion_id: int, actor: User, accept: bool) -> Suggestion:
    """Accept (apply to the product) or reject one suggestion of this store. Bad input changes nothing."""
    s = (
        Suggestion.objects.select_for_update()
        .filter(store=store, pk=suggestion_id)
        .select_related("product")
        .first()
    )
    if s is None:
        raise NotFound(_("제안을 찾을 수 없습니다."))
    if s.decision != Suggestion.Decision.PENDING:
        raise Conflict(_("이미 처리한 제안입니다."), code="already_decided")
    if accept:
        _apply(s.product, s, actor)
    else:
        from kkot.stores.models import StoreMembership
        from kkot.stores.services import require_role

        require_role(store=store, user=actor, role=StoreMembership.Role.MANAGER)
    s.decision = Suggestion.Decision.ACCEPTED if accept else Suggestion.Decision.REJECTED
    s.decided_by, s.decided_at = actor, timezone.now()
    s.save(update_fields=["decision", "decided_by", "decided_at"])
    if accept:
        from kkot.assist.tasks import product_changed_task

        product_changed_task.enqueue(product_ids=[s.product_id])
    return s
