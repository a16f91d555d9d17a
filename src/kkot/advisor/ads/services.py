"""Writes of the ads slice: campaigns and daily spend (a form, a CSV/Excel upload, the API). All or nothing:
every bad row is reported with its row and column and a Korean message, and nothing is stored."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from kkot.advisor.models import AdSpend, Campaign
from kkot.core.errors import Conflict, SheetErrors, ValidationError
from kkot.core.timeutil import seoul_today
from kkot.stores.models import Store

MAX_SPEND = Decimal(1_000_000_000)  # per row and day: a typo guard (10억 원)
MAX_REPORTED_ERRORS = 200
MAX_API_ROWS = 5_000


@dataclass
class SpendInput:
    campaign: str  # id or exact name
    day: Any
    amount: Any
    keyword: Any = ""
    product_id: Any = None
    impressions: Any = None
    clicks: Any = None


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip().replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(_("날짜는 2026-11-01 형식으로 입력해 주세요.")) from None


def _check_day(d: dt.date) -> dt.date:
    if d.year < 2000 or d > seoul_today():
        raise ValueError(_("2000년 이후 오늘까지의 날짜만 입력할 수 있습니다."))
    return d


def _money(value: Any) -> Decimal:
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(_("광고비를 입력해 주세요."))
    try:
        amount = Decimal(str(value).replace(",", "").replace("원", "").strip())
    except ArithmeticError:
        raise ValueError(_("광고비는 숫자로 입력해 주세요.")) from None
    if not amount.is_finite() or amount != amount.to_integral_value():
        raise ValueError(_("광고비는 원 단위 정수로 입력해 주세요."))
    if amount < 0 or amount > MAX_SPEND:
        raise ValueError(_("광고비는 0원 이상 10억 원 이하여야 합니다."))
    return amount


def _opt_int(value: Any, *, hi: int = 2**31 - 1) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(_("0 이상의 정수로 입력해 주세요."))
    try:
        n = int(str(value).replace(",", "").strip()) if not isinstance(value, float) else int(value)
    except ValueError:
        raise ValueError(_("0 이상의 정수로 입력해 주세요.")) from None
    if isinstance(value, float) and not value.is_integer() or not 0 <= n <= hi:
        raise ValueError(_("0 이상의 정수로 입력해 주세요."))
    return n


def _fail(errors: SheetErrors, what: str) -> None:
    items = sorted(errors.errors, key=lambda e: e.row)
    first = items[0]
    raise ValidationError(
        _("%(n)s곳에 오류가 있어 %(what)s 하나도 저장하지 않았습니다. 첫 오류: %(r)d행 [%(c)s] %(m)s")
        % {"n": f"{len(items):,}", "what": what, "r": first.row, "c": first.column, "m": first.message},
        code="spend_invalid",
        details=[e.as_dict() for e in items[:MAX_REPORTED_ERRORS]],
    )


# -- campaigns -------------------------------------------------------------------------------------------------
def campaign_create(
    *,
    store: Store,
    name: str,
    start_date: dt.date,
    channel: str = Campaign.Channel.NAVER_SA,
    target_roas: int = 300,
    keyword: str = "",
    product_id: int | None = None,
    daily_budget: Decimal | None = None,
    end_date: dt.date | None = None,
) -> Campaign:
    from kkot.catalog.models import Product

    fields: dict[str, str] = {}
    name = (name or "").strip()
    if not name or len(name) > 80:
        fields["name"] = _("캠페인 이름을 1~80자로 입력해 주세요.")
    elif Campaign.objects.filter(store=store, name=name).exists():
        fields["name"] = _("같은 이름의 캠페인이 이미 있습니다.")
    if channel not in Campaign.Channel.values:
        fields["channel"] = _("광고 매체를 목록에서 골라 주세요.")
    if isinstance(target_roas, bool) or not isinstance(target_roas, int) or not 1 <= target_roas <= 100_000:
        fields["target_roas"] = _("목표 ROAS는 1~100,000(%) 사이의 정수로 입력해 주세요.")
    if len(keyword or "") > 100:
        fields["keyword"] = _("키워드는 100자까지 입력할 수 있습니다.")
    if product_id is not None and not Product.objects.filter(pk=product_id, store=store).exists():
        fields["product_id"] = _("이 스토어의 상품이 아닙니다.")
    if daily_budget is not None and not (0 < daily_budget <= MAX_SPEND):
        fields["daily_budget"] = _("일 예산은 1원 이상 10억 원 이하여야 합니다.")
    if start_date.year < 2000 or start_date > seoul_today() + dt.timedelta(days=366):
        fields["start_date"] = _("시작일이 올바르지 않습니다.")
    if end_date is not None and end_date < start_date:
        fields["end_date"] = _("종료일이 시작일보다 빠릅니다.")
    if fields:
        raise ValidationError(next(iter(fields.values())), code="campaign_invalid", details=fields)
    try:
        with transaction.atomic():
            return Campaign.objects.create(
                store=store,
                name=name,
                channel=channel,
                target_roas=target_roas,
                keyword=(keyword or "").strip(),
                product_id=product_id,
                daily_budget=daily_budget,
                start_date=start_date,
                end_date=end_date,
            )
    except IntegrityError as exc:
        raise Conflict(_("같은 이름의 캠페인이 이미 있습니다."), code="campaign_conflict") from exc


# -- spend -----------------------------------------------------------------------------------------------------
COLUMNS = {  # header (Korean, as in the template) -> field; English aliases for exports of ad platforms
    "날짜": "day",
    "일자": "day",
    "date": "day",
    "캠페인": "campaign",
    "캠페인id": "campaign",
    "캠페인 id": "campaign",
    "캠페인번호": "campaign",
    "campaign": "campaign",
    "광고비": "amount",
    "비용": "amount",
    "총비용": "amount",
    "cost": "amount",
    "spend": "amount",
    "키워드": "keyword",
    "keyword": "keyword",
    "상품번호": "product_id",
    "상품 번호": "product_id",
    "product_id": "product_id",
    "노출수": "impressions",
    "impressions": "impressions",
    "클릭수": "clicks",
    "clicks": "clicks",
}
LABELS = {
    "day": _l("날짜"),
    "campaign": _l("캠페인"),
    "amount": _l("광고비"),
    "keyword": _l("키워드"),
    "product_id": _l("상품번호"),
    "impressions": _l("노출수"),
    "clicks": _l("클릭수"),
}
TEMPLATE_HEADER = ["날짜", "캠페인", "광고비", "키워드", "상품번호", "노출수", "클릭수"]


def _clean_rows(*, store: Store, rows: list[tuple[int, SpendInput]], errors: SheetErrors) -> list[dict]:
    """Validate every row (collecting every error) and return AdSpend field dicts."""
    from kkot.catalog.models import Product

    own = {c.pk: c for c in Campaign.objects.filter(store=store)}
    by_name = {c.name: c for c in own.values()}
    pids = set()
    for _n, r in rows:
        try:
            p = _opt_int(r.product_id, hi=2**62)
        except ValueError:
            continue
        if p:
            pids.add(p)
    own_products = set(Product.objects.filter(store=store, pk__in=pids).values_list("pk", flat=True))
    clean: dict[tuple, dict] = {}
    for n, r in rows:
        out: dict[str, Any] = {}
        for fname, fn in (
            ("day", lambda v: _check_day(_date(v))),
            ("amount", _money),
            ("impressions", _opt_int),
            ("clicks", _opt_int),
        ):
            try:
                out[fname] = fn(getattr(r, fname))
            except ValueError as exc:
                errors.add(n, str(LABELS[fname]), str(exc))
        ref = str(r.campaign if r.campaign is not None else "").strip()
        if isinstance(r.campaign, float) and r.campaign.is_integer():
            ref = str(int(r.campaign))
        camp = own.get(int(ref)) if ref.isdigit() and len(ref) < 19 else by_name.get(ref)
        if not ref:
            errors.add(n, str(LABELS["campaign"]), _("캠페인 번호나 이름을 입력해 주세요."))
        elif camp is None:
            errors.add(
                n, str(LABELS["campaign"]), _("이 스토어의 캠페인이 아닙니다: {ref}").format(ref=ref[:40])
            )
        kw = "" if r.keyword is None else str(r.keyword).strip()
        if len(kw) > 100:
            errors.add(n, str(LABELS["keyword"]), _("키워드는 100자까지 입력할 수 있습니다."))
        try:
            pid = _opt_int(r.product_id, hi=2**62) or 0
        except ValueError as exc:
            errors.add(n, str(LABELS["product_id"]), str(exc))
            pid = 0
        if pid and pid not in own_products:
            errors.add(n, str(LABELS["product_id"]), _("이 스토어의 상품이 아닙니다."))
        if camp is None or len(out) < 4:
            continue
        key = (camp.pk, out["day"], kw, pid)
        if key in clean:
            errors.add(n, str(LABELS["day"]), _("같은 캠페인·날짜·키워드·상품의 행이 파일에 두 번 있습니다."))
            continue
        clean[key] = dict(
            campaign_id=camp.pk,
            store_id=store.pk,
            day=out["day"],
            keyword=kw,
            product_id=pid,
            amount=out["amount"],
            impressions=out["impressions"],
            clicks=out["clicks"],
        )
    return list(clean.values())


def _write(rows: list[dict]) -> dict:
    created = updated = 0
    for r in rows:
        obj, made = AdSpend.objects.update_or_create(
            campaign_id=r["campaign_id"],
            day=r["day"],
            keyword=r["keyword"],
            product_id=r["product_id"],
            defaults={k: r[k] for k in ("store_id", "amount", "impressions", "clicks")},
        )
        created += made
        updated += not made
    return {"rows": len(rows), "created": created, "updated": updated}


def adspend_record(*, store: Store, rows: list[SpendInput]) -> dict:
    """Record spend rows (form / API): every row valid or nothing stored; a row with the same (campaign, day,
    keyword, product) as a stored one replaces it. Row numbers in errors are 1-based positions."""
    if not rows:
        raise ValidationError(_("저장할 광고비가 없습니다."), code="spend_empty")
    if len(rows) > MAX_API_ROWS:
        raise ValidationError(
            _("한 번에 {n:,}행까지 보낼 수 있습니다.").format(n=MAX_API_ROWS), code="spend_too_many_rows"
        )
    errors = SheetErrors()
    clean = _clean_rows(store=store, rows=list(enumerate(rows, start=1)), errors=errors)
    if errors:
        _fail(errors, _("광고비를"))
    try:
        with transaction.atomic():
            return _write(clean)
    except IntegrityError as exc:
        raise Conflict(
            _("다른 작업과 동시에 저장되어 저장하지 못했습니다. 다시 시도해 주세요."), code="spend_conflict"
        ) from exc


def adspend_import(*, store: Store, data: bytes, filename: str = "") -> dict:
    """Spend rows from an uploaded .xlsx/CSV (columns: 날짜, 캠페인 (번호 또는 이름), 광고비, and optionally 키워드,
    상품번호, 노출수, 클릭수). Strict: unknown or missing columns and every bad cell are reported; all or nothing."""
    from kkot.catalog.bulk.reader import data_rows, open_sheet

    sheet = open_sheet(data, filename)
    errors = SheetErrors()
    try:
        cols: dict[int, str] = {}
        for i, h in enumerate(sheet.header):
            key = COLUMNS.get((h or "").strip().lower())
            if key is None:
                if (h or "").strip():
                    errors.add(1, str(h)[:40], _("알 수 없는 열입니다. 양식의 머리글을 사용해 주세요."))
                continue
            if key in cols.values():
                errors.add(1, str(h)[:40], _("같은 열이 두 번 있습니다."))
            cols[i] = key
        for need in ("day", "campaign", "amount"):
            if need not in cols.values():
                errors.add(1, str(LABELS[need]), _("필수 열이 없습니다."))
        if errors:
            _fail(errors, _("광고비를"))
        rows = []
        for n, values in data_rows(sheet):
            kw = {cols[i]: v for i, v in enumerate(values) if i in cols}
            rows.append(
                (
                    n,
                    SpendInput(
                        **{k: kw.get(k) for k in ("campaign", "day", "amount")},
                        **{k: kw[k] for k in ("keyword", "product_id", "impressions", "clicks") if k in kw},
                    ),
                )
            )
    finally:
        if sheet.close:
            sheet.close()
    if not rows:
        raise ValidationError(_("등록할 광고비 행이 없습니다."), code="sheet_empty")
    clean = _clean_rows(store=store, rows=rows, errors=errors)
    if errors:
        _fail(errors, _("광고비를"))
    result = {}
    try:
        with transaction.atomic():
            result = _write(clean)
    except IntegrityError as exc:
        raise Conflict(
            _("다른 작업과 동시에 저장되어 저장하지 못했습니다. 다시 올려 주세요."), code="spend_conflict"
        ) from exc
    result["format"] = sheet.kind
    return result
