"""Seller-defined inflow channels (issue 8): writes, reads, the tracking link, and the event channel key.

A seller names a channel with four levels — 채널 (e.g. 인스타그램), 그룹 (SNS), 이름 (11월 릴스), 상세
(@kkot_store 프로필 링크) — and a short code. The tracking link is the store's page with ``?kin=<code>``
(:func:`tracking_link`); the storefront tracker sends the code with the visit's inflow, and
:func:`kkot.events.services.events_parse_batch` records the visit's events of that store with
``channel = "kin:<id>"`` (:func:`custom_channel_key`). Codes are unique per store; a code of another store, an
unknown code or the code of a deactivated channel falls back to the usual classification (referrer/UTM).
"""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kkot.core.errors import NotFound, ValidationError
from kkot.events.models import InflowChannel

KEY_PREFIX = "kin:"
LINK_PARAM = "kin"
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,19}$")
LIMITS = {"channel": 40, "group": 40, "name": 60, "detail": 200}
MAX_CHANNELS_PER_STORE = 500


def custom_channel_key(channel_id: int) -> str:
    """The ``Event.channel`` / rollup key of a custom channel."""
    return f"{KEY_PREFIX}{channel_id}"


def custom_channel_id(key: str) -> int | None:
    """The InflowChannel id of an event channel key (``kin:12`` -> 12), None for built-in channels."""
    if key.startswith(KEY_PREFIX) and key[len(KEY_PREFIX) :].isdigit():
        return int(key[len(KEY_PREFIX) :])
    return None


def normalize_code(value) -> str:
    """The code as sent by a link (case-insensitive), or '' when it cannot be a code."""
    if not isinstance(value, str):
        return ""
    value = value.strip().lower()
    return value if CODE_RE.match(value) else ""


def tracking_link(*, store_url: str, code: str) -> str:
    """``<store url>?kin=<code>`` (``&kin=`` when the url already has a query)."""
    return f"{store_url}{'&' if '?' in store_url else '?'}{LINK_PARAM}={code}"


def _clean(*, code: str, channel: str, group: str, name: str, detail: str) -> dict:
    errors: dict[str, str] = {}
    values = {
        "channel": (channel or "").strip(),
        "group": (group or "").strip(),
        "name": (name or "").strip(),
        "detail": (detail or "").strip(),
    }
    labels = {"channel": _("채널"), "group": _("그룹"), "name": _("이름"), "detail": _("상세")}
    for field, limit in LIMITS.items():
        if field != "detail" and not values[field]:
            errors[field] = _("{f}을(를) 입력해 주세요.").format(f=labels[field])
        elif len(values[field]) > limit:
            errors[field] = _("{f}은(는) {n}자까지 쓸 수 있습니다.").format(f=labels[field], n=limit)
    raw_code = (code or "").strip().lower()
    if not raw_code:
        errors["code"] = _("코드를 입력해 주세요.")
    elif not CODE_RE.match(raw_code):
        errors["code"] = _("코드는 영문 소문자·숫자·-·_ 로 2~20자이고, 영문이나 숫자로 시작해야 합니다.")
    if errors:
        first = next(iter(errors.values()))
        raise ValidationError(first, code="inflow_channel_invalid", details=errors)
    values["code"] = raw_code
    return values


def _duplicate() -> ValidationError:
    return ValidationError(
        _("이미 쓰고 있는 코드입니다. 다른 코드를 입력해 주세요."),
        code="duplicate_code",
        details={"code": _("이미 쓰고 있는 코드입니다.")},
    )


def inflow_channel_create(
    *, store, code: str, channel: str, group: str, name: str, detail: str = ""
) -> InflowChannel:
    """A new active custom channel; bad input or a code this store already uses -> ValidationError, nothing
    stored."""
    values = _clean(code=code, channel=channel, group=group, name=name, detail=detail)
    if InflowChannel.objects.filter(store=store).count() >= MAX_CHANNELS_PER_STORE:
        raise ValidationError(
            _("맞춤 유입 채널은 스토어당 {n}개까지 만들 수 있습니다.").format(n=MAX_CHANNELS_PER_STORE),
            code="too_many_channels",
        )
    if InflowChannel.objects.filter(store=store, code=values["code"]).exists():
        raise _duplicate()
    try:
        with transaction.atomic():
            return InflowChannel.objects.create(store=store, **values)
    except IntegrityError as exc:  # a concurrent create of the same code
        raise _duplicate() from exc


def _get(*, store, channel_id) -> InflowChannel:
    try:
        return InflowChannel.objects.get(store=store, pk=int(channel_id))
    except (InflowChannel.DoesNotExist, TypeError, ValueError) as exc:
        raise NotFound(_("유입 채널을 찾을 수 없습니다.")) from exc


def inflow_channel_update(
    *, store, channel_id: int, code: str, channel: str, group: str, name: str, detail: str = ""
) -> InflowChannel:
    """Edit the labels (and the code: the old link stops classifying; past visits keep their channel)."""
    obj = _get(store=store, channel_id=channel_id)
    values = _clean(code=code, channel=channel, group=group, name=name, detail=detail)
    if InflowChannel.objects.filter(store=store, code=values["code"]).exclude(pk=obj.pk).exists():
        raise _duplicate()
    for k, v in values.items():
        setattr(obj, k, v)
    try:
        with transaction.atomic():
            obj.save(update_fields=[*values])
    except IntegrityError as exc:
        raise _duplicate() from exc
    return obj


def inflow_channel_set_active(*, store, channel_id: int, active: bool) -> InflowChannel:
    """Deactivate (links stop classifying, numbers stay) or reactivate a channel."""
    obj = _get(store=store, channel_id=channel_id)
    obj.is_active = bool(active)
    obj.save(update_fields=["is_active"])
    return obj


def inflow_channels(*, store_id: int, active_only: bool = False) -> list[InflowChannel]:
    qs = InflowChannel.objects.filter(store_id=store_id)
    if active_only:
        qs = qs.filter(is_active=True)
    return list(qs.order_by("-is_active", "channel", "group", "name", "pk"))


def inflow_channel_ids_for(*, code: str, store_ids: set[int]) -> dict[int, int]:
    """store id -> custom channel id for an active ``code`` of those stores (one query; {} for no code)."""
    if not code or not store_ids:
        return {}
    return dict(
        InflowChannel.objects.filter(code=code, store_id__in=store_ids, is_active=True).values_list(
            "store_id", "pk"
        )
    )
