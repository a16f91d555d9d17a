"""Event log writes: validate a storefront batch and append it with one ``bulk_create``.

Privacy (ARCHITECTURE rule 9, issue 2 point 11):
- no IP address and no user-agent string is stored; the user agent only yields a device class (m/d/t);
- the visitor id and the visit id are random first-party values stored only as keyed hashes
  (HMAC-SHA256 with ``SECRET_KEY``, 32 hex characters);
- shoppers who opted out, and browsers sending ``DNT: 1`` or ``Sec-GPC: 1``, are not tracked at all
  (see :func:`tracking_allowed`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from kkot.catalog.models import Product
from kkot.core.errors import ValidationError
from kkot.events.inflow import custom_channel_key, inflow_channel_ids_for, normalize_code
from kkot.events.models import Event, EventKind
from kkot.stores.models import Store

MAX_BATCH_EVENTS = 50
MAX_BATCH_BYTES = 32 * 1024
MAX_DB_ID = 2**63 - 1
VISITOR_COOKIE = "kk_vid"
VISIT_COOKIE = "kk_sid"
VISIT_IDLE_SECONDS = 30 * 60
CHANNELS = ("direct", "search", "social", "ad", "referral", "internal")
PAGE_TYPES = {"home", "store", "category", "product", "search", "me", "other"}
_RAW_ID_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_SECTION_RE = re.compile(r"^[a-z_]{1,20}(?::[A-Za-z0-9_-]{1,18})?$")
_HOST_RE = re.compile(r"^[a-z0-9.-]{1,100}$")

# Channel classification tables (lower-case; matched as host suffixes).
SEARCH_HOSTS = ("search.naver.com", "m.search.naver.com", "naver.com", "google.com", "google.co.kr", "daum.net",
                "search.daum.net", "bing.com", "zum.com", "yahoo.com", "duckduckgo.com", "nate.com")
SOCIAL_HOSTS = ("instagram.com", "facebook.com", "fb.com", "m.facebook.com", "kakao.com", "kakaocorp.com",
                "story.kakao.com", "pf.kakao.com", "youtube.com", "youtu.be", "twitter.com", "x.com", "t.co",
                "threads.net", "band.us", "tiktok.com", "pinterest.com", "blog.naver.com", "cafe.naver.com")
AD_MEDIUMS = {"cpc", "ppc", "cpm", "cpa", "paid", "ad", "ads", "display", "banner", "paidsearch", "paid_search",
              "paid_social", "paidsocial", "sa", "da", "affiliate"}
SOCIAL_MEDIUMS = {"social", "sns", "social_organic"}
SEARCH_MEDIUMS = {"organic", "search"}
SOCIAL_SOURCES = {"instagram", "facebook", "kakao", "kakaotalk", "youtube", "twitter", "x", "tiktok", "band",
                  "threads", "naverblog", "blog"}
SEARCH_SOURCES = {"naver", "google", "daum", "bing", "zum"}


# ---------------------------------------------------------------- identity and privacy


def keyed_hash(raw: str) -> str:
    """HMAC-SHA256 of a raw random id with the server secret, 32 hex characters (never the raw id)."""
    return hmac.new(settings.SECRET_KEY.encode(), (raw or "").encode(), hashlib.sha256).hexdigest()[:32]


def is_raw_id(value: str | None) -> bool:
    return bool(value and _RAW_ID_RE.match(value))


def device_class(user_agent: str | None) -> str:
    """``m`` (phone), ``t`` (tablet) or ``d`` (desktop) from a user agent; the string itself is never kept."""
    ua = (user_agent or "")[:512]
    if not ua:
        return ""
    if re.search(r"iPad|Tablet|Kindle|Silk|PlayBook|SM-T\d|Android(?!.*Mobile)", ua):
        return "t"
    if re.search(r"Mobi|iPhone|iPod|Android|Windows Phone|BlackBerry|Opera Mini", ua):
        return "m"
    return "d"


def tracking_allowed(*, user, dnt: str | None = None, gpc: str | None = None) -> bool:
    """False for shoppers who opted out and for browsers asking not to be tracked (DNT / Global Privacy Control)."""
    if (dnt or "").strip() == "1" or (gpc or "").strip() == "1":
        return False
    return not (user is not None and getattr(user, "is_authenticated", False) and user.tracking_opt_out)


def classify_channel(*, utm_source: str = "", utm_medium: str = "", referrer_host: str = "", own_host: str = "") -> str:
    """direct / search / social / ad / referral / internal, UTM first, then the referrer's host."""
    src, med, ref = utm_source.lower(), utm_medium.lower(), referrer_host.lower()
    if med in AD_MEDIUMS:
        return "ad"
    if med in SOCIAL_MEDIUMS or (not med and src in SOCIAL_SOURCES):
        return "social"
    if med in SEARCH_MEDIUMS or (not med and src in SEARCH_SOURCES):
        return "search"
    if src or med:
        return "referral"
    if not ref:
        return "direct"
    own = own_host.lower().split(":")[0]
    if own and (ref == own or ref.endswith("." + own)):
        return "internal"

    def matches(hosts):
        return any(ref == h or ref.endswith("." + h) for h in hosts)

    if matches(SOCIAL_HOSTS):  # before search: blog.naver.com is social, search.naver.com is search
        return "social"
    if matches(SEARCH_HOSTS):
        return "search"
    return "referral"


# ---------------------------------------------------------------- validation


@dataclass(frozen=True)
class Identity:
    """Who sent a batch, already privacy-reduced: hashed ids, user id, device class, request host."""

    visitor: str
    session: str
    user_id: int | None
    device: str
    host: str = ""


def _bad(code: str, message: str, details: Any = None) -> ValidationError:
    return ValidationError(message, code=code, details=details)


def _str(ev: dict, key: str, max_len: int, i: int) -> str:
    value = ev.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > max_len:
        raise _bad("invalid_field", _("이벤트 항목 값이 올바르지 않습니다."), {"index": i, "field": key})
    return value.strip()


def _int(ev: dict, key: str, i: int, *, lo: int = 0, hi: int = MAX_DB_ID) -> int | None:
    value = ev.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not (lo <= value <= hi):
        raise _bad("invalid_field", _("이벤트 항목 값이 올바르지 않습니다."), {"index": i, "field": key})
    return value


def _campaign(value: Any) -> int | None:
    """The landing link's ``kc`` parameter: a campaign id (digits), anything else is ignored (a typo in a link
    must not lose the visit)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and 1 <= value <= MAX_DB_ID:
        return value
    if isinstance(value, str) and value.isdigit() and 0 < len(value) <= 18 and int(value) > 0:
        return int(value)
    return None


def _ts(value: Any, now: datetime, i: int) -> datetime:
    """Client clock in ms since the epoch; clamped to [now - 1 day, now]; missing -> now."""
    if value is None:
        return now
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise _bad("invalid_field", _("이벤트 항목 값이 올바르지 않습니다."), {"index": i, "field": "ts"})
    try:
        ts = datetime.fromtimestamp(value / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return now
    if ts > now or ts < now - timedelta(days=1):
        return now
    return ts


def events_parse_batch(*, body: bytes, identity: Identity) -> list[dict]:
    """Validate a tracker batch and return Event field dicts; raises ValidationError (with a code) on any
    problem, so a bad batch stores nothing. Payload::

        {"visit": "<random id>", "inflow": {"utm_source", "utm_medium", "utm_campaign", "referrer_host", "kc", "kin"},
         "events": [{"kind", "ts", "page_type", "store_id", "product_id", "section", "position",
                     "query", "result_count", "campaign_id" (ad_click), "x", "y" (click, 0..1000)}, ...]}

    A visit that landed through an ad link (``kc`` = campaign id) is channel ``ad``. A visit that landed through
    a seller's custom channel link (``kin`` = code, :mod:`kkot.events.inflow`) is channel ``kin:<id>`` on the
    events of the store owning that code; another store's code or an unknown/inactive code is ignored.
    """
    if len(body) > MAX_BATCH_BYTES:
        raise _bad("payload_too_large", _("이벤트 묶음이 너무 큽니다(최대 32KB)."))
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise _bad("malformed", _("이벤트 형식이 올바르지 않습니다.")) from exc
    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        raise _bad("malformed", _("이벤트 형식이 올바르지 않습니다."))
    events = data["events"]
    if not events:
        raise _bad("empty_batch", _("이벤트가 없습니다."))
    if len(events) > MAX_BATCH_EVENTS:
        raise _bad("too_many_events", _("한 번에 보낼 수 있는 이벤트는 최대 50개입니다."))
    inflow = data.get("inflow") or {}
    if not isinstance(inflow, dict):
        raise _bad("malformed", _("이벤트 형식이 올바르지 않습니다."))
    utm_source = _str(inflow, "utm_source", 60, -1)
    utm_medium = _str(inflow, "utm_medium", 60, -1)
    utm_campaign = _str(inflow, "utm_campaign", 80, -1)
    referrer_host = _str(inflow, "referrer_host", 100, -1).lower()
    if referrer_host and not _HOST_RE.match(referrer_host):
        raise _bad("invalid_field", _("이벤트 항목 값이 올바르지 않습니다."), {"index": -1, "field": "referrer_host"})
    campaign = _campaign(inflow.get("kc"))
    channel = "ad" if campaign else classify_channel(utm_source=utm_source, utm_medium=utm_medium,
                                                     referrer_host=referrer_host, own_host=identity.host)
    visit = data.get("visit")
    session = keyed_hash("visit:" + visit) if isinstance(visit, str) and is_raw_id(visit) else identity.session

    now = timezone.now()
    kinds = set(EventKind.values)
    rows: list[dict] = []
    for i, ev in enumerate(events):
        if not isinstance(ev, dict):
            raise _bad("malformed", _("이벤트 형식이 올바르지 않습니다."), {"index": i})
        kind = ev.get("kind")
        if kind not in kinds:
            raise _bad("unknown_kind", _("알 수 없는 이벤트 종류입니다."), {"index": i, "kind": str(kind)[:20]})
        page_type = _str(ev, "page_type", 20, i)
        if page_type and page_type not in PAGE_TYPES:
            raise _bad("invalid_field", _("이벤트 항목 값이 올바르지 않습니다."), {"index": i, "field": "page_type"})
        section = _str(ev, "section", 40, i)
        if section and not _SECTION_RE.match(section):
            raise _bad("invalid_field", _("이벤트 항목 값이 올바르지 않습니다."), {"index": i, "field": "section"})
        row = dict(
            ts=_ts(ev.get("ts"), now, i), kind=kind, page_type=page_type, section=section,
            store_id=_int(ev, "store_id", i, lo=1), product_id=_int(ev, "product_id", i, lo=1),
            position=_int(ev, "position", i, lo=0, hi=32767), query=_str(ev, "query", 100, i),
            result_count=_int(ev, "result_count", i, lo=0, hi=2**31 - 1),
        )
        if kind == EventKind.AD_CLICK:
            # the landing of an ad link (?kc=<campaign id>); whose campaign it is, is checked where it is used:
            # attribution only joins a click to a campaign of the same store (kkot.advisor.ads)
            row["campaign_id"] = _int(ev, "campaign_id", i, lo=1) or campaign
            if not row["campaign_id"] or not row["store_id"]:
                raise _bad("missing_campaign", _("광고 클릭에는 캠페인 번호와 스토어 번호가 필요합니다."), {"index": i})
        elif kind == EventKind.CLICK and ev.get("x") is not None:
            row["click_x"] = _int(ev, "x", i, lo=0, hi=1000)  # normalised position inside the section, 0..1000
            row["click_y"] = _int(ev, "y", i, lo=0, hi=1000)
        if kind in (EventKind.PRODUCT_VIEW, EventKind.ADD_TO_CART) and not row["product_id"]:
            raise _bad("missing_product", _("상품 번호가 필요합니다."), {"index": i})
        if row["product_id"] and not row["store_id"]:
            raise _bad("missing_store", _("상품 이벤트에는 스토어 번호가 필요합니다."), {"index": i})
        row.update(visitor=identity.visitor, session=session, user_id=identity.user_id, device=identity.device,
                   channel=channel, utm_source=utm_source, utm_medium=utm_medium, utm_campaign=utm_campaign,
                   referrer_host=referrer_host)
        rows.append(row)
    _check_ids(rows)
    kin = normalize_code(inflow.get("kin"))
    if kin and not campaign:
        custom = inflow_channel_ids_for(code=kin, store_ids={r["store_id"] for r in rows if r["store_id"]})
        for r in rows:
            if r["store_id"] in custom:
                r["channel"] = custom_channel_key(custom[r["store_id"]])
    return rows


def _check_ids(rows: list[dict]) -> None:
    """Every product must belong to the store named with it; every store must exist (two queries at most)."""
    product_ids = {r["product_id"] for r in rows if r["product_id"]}
    store_of: dict[int, int] = {}
    if product_ids:
        store_of = dict(Product.objects.filter(pk__in=product_ids).values_list("pk", "store_id"))
        for i, r in enumerate(rows):
            if r["product_id"] and store_of.get(r["product_id"]) != r["store_id"]:
                raise _bad("product_store_mismatch", _("상품이 해당 스토어에 없습니다."), {"index": i})
    store_ids = {r["store_id"] for r in rows if r["store_id"]} - set(store_of.values())
    if store_ids:
        found = set(Store.objects.filter(pk__in=store_ids).values_list("pk", flat=True))
        for i, r in enumerate(rows):
            if r["store_id"] and r["store_id"] not in found and r["store_id"] not in store_of.values():
                raise _bad("unknown_store", _("스토어를 찾을 수 없습니다."), {"index": i})


# ---------------------------------------------------------------- the append


def events_append(*, rows: list[dict]) -> int:
    """Append validated rows (Event field dicts) with a single ``bulk_create``; returns the count."""
    if not rows:
        return 0
    Event.objects.bulk_create([Event(**r) for r in rows])
    return len(rows)


def event_row(*, identity: Identity, kind: str, store_id: int | None = None, product_id: int | None = None,
              page_type: str = "", section: str = "", position: int | None = None, query: str = "",
              result_count: int | None = None) -> dict:
    """One server-side event row (searches, follows) for :func:`events_append`."""
    if kind not in EventKind.values:
        raise ValueError(kind)
    return dict(ts=timezone.now(), kind=kind, visitor=identity.visitor, session=identity.session,
                user_id=identity.user_id, device=identity.device, store_id=store_id, product_id=product_id,
                page_type=page_type, section=section[:40], position=position, query=(query or "")[:100],
                result_count=result_count, channel="", utm_source="", utm_medium="", utm_campaign="",
                referrer_host="")
