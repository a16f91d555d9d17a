"""Seller-center forms: parsing and first-line checks. The services stay the authority: their
``ValidationError.details`` are mapped back onto the form fields by :func:`apply_service_errors`."""

from __future__ import annotations

import json
import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from kkot.catalog.models import MAX_TAGS, Product
from kkot.catalog.services import OptionInput, ProductInput, VariantInput
from kkot.core.errors import KkotError
from kkot.core.uploads import clean_image
from kkot.core.validators import validate_brn, validate_mail_order_no, validate_postcode
from kkot.stores.models import SLUG_VALIDATOR, Store, StoreMembership

PHONE_RE = re.compile(r"^0\d{1,2}-?\d{3,4}-?\d{4}$|^1\d{3}-?\d{4}$")
MAX_UPLOAD_IMAGES = 20


def validate_phone(value: str) -> None:
    if not PHONE_RE.match((value or "").strip()):
        raise forms.ValidationError(_("전화번호 형식이 올바르지 않습니다. 예: 02-123-4567, 010-1234-5678, 1588-1234"))


def apply_service_errors(form: forms.Form, exc: KkotError) -> None:
    """Put every message of a service error next to its field (or on top when the field is not in the form)."""
    details = exc.details if isinstance(exc.details, dict) else None
    if not details:
        form.add_error(None, exc.message)
        return
    for key, msgs in details.items():
        msgs = msgs if isinstance(msgs, list) else [msgs]
        target = key if key in form.fields else None
        for msg in msgs:
            text = str(msg)
            if key == "slug" and text == str(msgs[0]) and exc.code in ("slug_taken", "slug_reserved"):
                text = exc.message
            form.add_error(target, text)


def _money_field(label, *, required=True, initial=None, help_text=""):
    return forms.IntegerField(label=label, min_value=0, max_value=100_000_000, required=required, initial=initial,
                              help_text=help_text, widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 100}))


class StoreFieldsMixin(forms.Form):
    name = forms.CharField(label=gettext_lazy("스토어 이름"), max_length=60)
    description = forms.CharField(label=gettext_lazy("소개"), max_length=2000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    logo = forms.FileField(label=gettext_lazy("로고"), required=False,
                           widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))
    business_name = forms.CharField(label=gettext_lazy("상호"), max_length=80)
    representative = forms.CharField(label=gettext_lazy("대표자"), max_length=40)
    business_reg_no = forms.CharField(label=gettext_lazy("사업자등록번호"), max_length=12, validators=[validate_brn],
                                      widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "123-45-67890"}))
    mail_order_no = forms.CharField(label=gettext_lazy("통신판매업 신고번호"), max_length=40, required=False,
                                    validators=[validate_mail_order_no],
                                    widget=forms.TextInput(attrs={"placeholder": "2024-서울강남-01234"}))
    contact_phone = forms.CharField(label=gettext_lazy("고객센터 전화"), max_length=20, validators=[validate_phone],
                                    widget=forms.TextInput(attrs={"inputmode": "tel", "placeholder": "02-123-4567"}))
    contact_email = forms.EmailField(label=gettext_lazy("고객센터 이메일"))
    return_postcode = forms.CharField(label=gettext_lazy("반품 우편번호"), max_length=5, validators=[validate_postcode],
                                      widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "04001"}))
    return_address = forms.CharField(label=gettext_lazy("반품 주소"), max_length=200)
    return_address_detail = forms.CharField(label=gettext_lazy("반품 상세주소"), max_length=100, required=False)
    shipping_base_fee = _money_field(gettext_lazy("기본 배송비"), initial=3000)
    shipping_free_over = _money_field(gettext_lazy("무료배송 기준금액"), required=False, initial=50000,
                                      help_text=gettext_lazy("이 금액 이상 구매 시 무료배송. 비우면 항상 배송비를 받습니다."))
    shipping_jeju_surcharge = _money_field(gettext_lazy("제주 추가배송비"), initial=3000)
    shipping_island_surcharge = _money_field(gettext_lazy("도서산간 추가배송비"), initial=5000)

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo:
            try:
                clean_image(logo)
            except KkotError as exc:
                raise forms.ValidationError(exc.message) from exc
            logo.seek(0)
        return logo

    def store_fields(self) -> dict[str, Any]:
        skip = {"logo", "slug", "name"}
        return {k: v for k, v in self.cleaned_data.items() if k not in skip}


class StoreOpenForm(StoreFieldsMixin):
    slug = forms.CharField(label=gettext_lazy("스토어 주소"), min_length=3, max_length=40, validators=[SLUG_VALIDATOR],
                           help_text=gettext_lazy("영문 소문자, 숫자, 하이픈(-) 3~40자. 예: kkot-flower"),
                           widget=forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "off",
                                                         "spellcheck": "false"}))
    field_order = ["name", "slug", "description", "logo"]

    def clean_slug(self):
        return (self.cleaned_data.get("slug") or "").strip().lower()


class StoreSettingsForm(StoreFieldsMixin):
    status = forms.ChoiceField(label=gettext_lazy("운영 상태"), choices=Store.Status.choices)
    same_day_cutoff = forms.TimeField(label=gettext_lazy("오늘출발 마감시각"), required=False,
                                      widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    FIELDS = ["name", "description", "business_name", "representative", "business_reg_no", "mail_order_no",
              "contact_phone", "contact_email", "return_postcode", "return_address", "return_address_detail",
              "shipping_base_fee", "shipping_free_over", "shipping_jeju_surcharge", "shipping_island_surcharge",
              "same_day_cutoff", "status", "webhook_url"]
    webhook_url = forms.URLField(label=gettext_lazy("주문 웹훅 URL"), required=False, max_length=200,
                                 assume_scheme="https",
                                 help_text=gettext_lazy("주문 상태가 바뀔 때마다 서명된 JSON을 이 주소로 POST합니다. "
                                                        "비우면 보내지 않습니다."),
                                 widget=forms.URLInput(attrs={"placeholder": "https://example.com/kkot/webhook"}))

    @classmethod
    def initial_for(cls, store: Store) -> dict[str, Any]:
        out = {f: getattr(store, f) for f in cls.FIELDS}
        for f in ("shipping_base_fee", "shipping_free_over", "shipping_jeju_surcharge", "shipping_island_surcharge"):
            out[f] = int(out[f]) if out[f] is not None else None
        return out

    def store_fields(self) -> dict[str, Any]:
        return {k: self.cleaned_data.get(k) for k in self.FIELDS}


class BannerForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("제목"), max_length=60)
    subtitle = forms.CharField(label=gettext_lazy("부제"), max_length=120, required=False)
    color = forms.RegexField(label=gettext_lazy("배경색"), regex=r"^#[0-9a-fA-F]{6}$", initial="#f7d6e0",
                             error_messages={"invalid": gettext_lazy("색상은 #RRGGBB 형식입니다.")},
                             widget=forms.TextInput(attrs={"type": "color"}))
    link_url = forms.CharField(label=gettext_lazy("링크"), max_length=300, required=False)
    position = forms.IntegerField(label=gettext_lazy("순서"), min_value=0, max_value=999, initial=0)
    is_active = forms.BooleanField(label=pgettext_lazy("banner", "노출"), required=False, initial=True)

    def clean_link_url(self):
        url = (self.cleaned_data.get("link_url") or "").strip()
        if url and not (url.startswith("/") and not url.startswith("//")) and not re.match(r"^https?://", url):
            raise forms.ValidationError(_("링크는 /로 시작하는 주소나 http(s):// 주소여야 합니다."))
        return url


ROLE_CHOICES = StoreMembership.Role.choices


class StaffAddForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("이메일"))
    role = forms.ChoiceField(label=gettext_lazy("역할"), choices=ROLE_CHOICES, initial="manager")


class StaffRoleForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("역할"), choices=ROLE_CHOICES)


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("토큰 이름"), max_length=60, initial="API")


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("엑셀(.xlsx) 또는 CSV 파일"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))

    def clean_file(self):
        from django.conf import settings

        f = self.cleaned_data["file"]
        name = (f.name or "").lower()
        if not (name.endswith(".xlsx") or name.endswith(".csv")):
            raise forms.ValidationError(_("엑셀(.xlsx) 또는 CSV 파일만 올릴 수 있습니다."))
        if f.size == 0:
            raise forms.ValidationError(_("빈 파일입니다."))
        limit = settings.KKOT_MAX_SHEET_BYTES
        if f.size > limit:
            raise forms.ValidationError(_("파일이 너무 큽니다(최대 %(mb)dMB).") % {"mb": limit // (1024 * 1024)})
        return f


# ---------------------------------------------------------------------------------------------------------
# Product editor: the form is dynamic (attributes and notices per category, an option grid built in the
# browser), so it is parsed by hand into a ProductInput. ``values`` is what the template re-renders.


def _dt_to_input(value) -> str:
    if not value:
        return ""
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def product_values_from_input(data: ProductInput) -> dict[str, Any]:
    """Template values for an existing product (the edit page's GET)."""
    return {
        "name": data.name, "code": data.code, "category_id": data.category_id,
        "price": "" if data.price is None else int(data.price),
        "sale_price": "" if data.sale_price is None else int(data.sale_price),
        "sale_starts_at": _dt_to_input(data.sale_starts_at), "sale_ends_at": _dt_to_input(data.sale_ends_at),
        "status": data.status, "brand": data.brand, "description_html": data.description_html,
        "attributes": dict(data.attributes), "notice": dict(data.notice), "tags": ", ".join(data.tags),
        "shipping_fee": "" if data.shipping_fee is None else int(data.shipping_fee),
        "bundle_shipping": data.bundle_shipping, "dispatch_days": data.dispatch_days,
        "made_to_order": data.made_to_order, "cold_chain": data.cold_chain,
        "options_json": json.dumps({
            "options": [{"name": o.name, "values": o.values} for o in data.options],
            "variants": [{"option_values": v.option_values, "sku": v.sku, "price_delta": int(v.price_delta or 0),
                          "stock": v.stock, "is_active": v.is_active} for v in data.variants],
        }, ensure_ascii=False),
    }


def product_values_blank() -> dict[str, Any]:
    return {
        "name": "", "code": "", "category_id": None, "price": "", "sale_price": "", "sale_starts_at": "",
        "sale_ends_at": "", "status": Product.Status.ON_SALE, "brand": "", "description_html": "",
        "attributes": {}, "notice": {}, "tags": "", "shipping_fee": "", "bundle_shipping": True, "dispatch_days": 2,
        "made_to_order": False, "cold_chain": False,
        "options_json": json.dumps({"options": [], "variants": [{"option_values": {}, "sku": "", "price_delta": 0,
                                                                  "stock": 10, "is_active": True}]}),
    }


def _parse_dt(raw: str, name: str, errors: dict[str, list[str]]):
    raw = (raw or "").strip()
    if not raw:
        return None
    value = parse_datetime(raw)
    if value is None:
        errors.setdefault(name, []).append(_("날짜와 시각을 YYYY-MM-DD HH:MM 형식으로 입력해 주세요."))
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_current_timezone())
    return value


def parse_product_post(post, files) -> tuple[ProductInput | None, dict[str, list[str]], dict[str, Any], list]:
    """(input or None, parse errors by field, values to re-render, uploaded image files)."""
    from kkot.core.html import sanitize_html

    errors: dict[str, list[str]] = {}
    attrs: dict[str, Any] = {}
    notice: dict[str, str] = {}
    for key in post:
        if key.startswith("attr:"):
            vals = [v.strip() for v in post.getlist(key) if v.strip()]
            code = key[5:]
            if post.get(f"attrkind:{code}") == "multi":
                attrs[code] = vals
            elif vals:
                attrs[code] = vals[0]
        elif key.startswith("notice:"):
            notice[key[7:]] = post.get(key, "").strip()
    tags_raw = post.get("tags", "")
    tags = [t for t in (x.strip() for x in re.split(r"[,\n]", tags_raw)) if t]
    if len(tags) > MAX_TAGS:
        errors.setdefault("tags", []).append(_("태그는 최대 %(n)d개까지 입력할 수 있습니다.") % {"n": MAX_TAGS})

    options_json = post.get("options_json", "") or '{"options": [], "variants": []}'
    options: list[OptionInput] = []
    variants: list[VariantInput] = []
    try:
        grid = json.loads(options_json)
        if not isinstance(grid, dict):
            raise ValueError
        for o in grid.get("options") or []:
            options.append(OptionInput(str(o.get("name", "")), [str(v) for v in (o.get("values") or [])]))
        for v in grid.get("variants") or []:
            ov = v.get("option_values") or {}
            if not isinstance(ov, dict):
                raise ValueError
            variants.append(VariantInput(option_values={str(k): str(x) for k, x in ov.items()},
                                         stock=v.get("stock", 0), sku=str(v.get("sku") or ""),
                                         price_delta=v.get("price_delta") or 0, is_active=bool(v.get("is_active", True))))
    except (ValueError, TypeError, AttributeError):
        errors.setdefault("options", []).append(_("옵션 정보를 읽을 수 없습니다. 옵션을 다시 입력해 주세요."))
    if len(options) > 3:
        errors.setdefault("options", []).append(_("옵션은 최대 3개까지 만들 수 있습니다."))

    try:
        category_id = int(post.get("category_id") or 0) or None
    except ValueError:
        category_id = None
    try:
        dispatch_days = int(post.get("dispatch_days") or 2)
    except ValueError:
        dispatch_days = -1  # the service reports it

    sale_starts_at = _parse_dt(post.get("sale_starts_at"), "sale_starts_at", errors)
    sale_ends_at = _parse_dt(post.get("sale_ends_at"), "sale_ends_at", errors)

    images = files.getlist("images") if files else []
    if len(images) > MAX_UPLOAD_IMAGES:
        errors.setdefault("images", []).append(_("이미지는 최대 %(n)d장까지 올릴 수 있습니다.") % {"n": MAX_UPLOAD_IMAGES})
    else:
        for f in images:
            try:
                clean_image(f)
                f.seek(0)
            except KkotError as exc:
                errors.setdefault("images", []).append(f"{f.name}: {exc.message}")

    data = ProductInput(
        name=post.get("name", ""), category_id=category_id or 0, price=post.get("price", ""),
        code=post.get("code", ""), description_html=post.get("description_html", ""),
        sale_price=post.get("sale_price") or None, sale_starts_at=sale_starts_at, sale_ends_at=sale_ends_at,
        status=post.get("status", Product.Status.ON_SALE), brand=post.get("brand", ""), attributes=attrs,
        notice=notice, tags=tags, shipping_fee=post.get("shipping_fee") or None,
        bundle_shipping=post.get("bundle_shipping") == "on", dispatch_days=dispatch_days,
        made_to_order=post.get("made_to_order") == "on", cold_chain=post.get("cold_chain") == "on",
        options=options, variants=variants,
    )
    values = {
        "name": data.name, "code": data.code, "category_id": category_id, "price": post.get("price", ""),
        "sale_price": post.get("sale_price", ""), "sale_starts_at": post.get("sale_starts_at", ""),
        "sale_ends_at": post.get("sale_ends_at", ""), "status": data.status, "brand": data.brand,
        # Never echo raw HTML back into the editor: what comes back is the sanitised version.
        "description_html": sanitize_html(data.description_html), "attributes": attrs, "notice": notice,
        "tags": tags_raw, "shipping_fee": post.get("shipping_fee", ""), "bundle_shipping": data.bundle_shipping,
        "dispatch_days": post.get("dispatch_days", ""), "made_to_order": data.made_to_order,
        "cold_chain": data.cold_chain, "options_json": options_json,
    }
    return data, errors, values, images
