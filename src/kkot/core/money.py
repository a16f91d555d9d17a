"""Money: ``Decimal`` amounts quantized per currency. KRW has no decimals. Never floats.

Database columns hold KRW as ``DecimalField(max_digits=14, decimal_places=0)`` (see :func:`MoneyField`);
the currency of an amount is the currency of its store (``Store.currency``), KRW unless configured.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models
from django.utils.translation import gettext

CURRENCY_DECIMALS = {"KRW": 0, "USD": 2, "JPY": 0}


class MoneyError(ValueError):
    pass


def quantize(amount: Decimal | int | str, currency: str = "KRW") -> Decimal:
    """Round half up to the currency's minor unit. Refuses floats and non-numbers."""
    if isinstance(amount, float):
        raise MoneyError("money must not be a float")
    try:
        value = Decimal(str(amount)) if not isinstance(amount, Decimal) else amount
    except (InvalidOperation, ValueError) as exc:
        raise MoneyError(f"not an amount: {amount!r}") from exc
    if not value.is_finite():
        raise MoneyError(f"not a finite amount: {amount!r}")
    places = CURRENCY_DECIMALS.get(currency, 2)
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def krw(amount: Decimal | int | str) -> Decimal:
    return quantize(amount, "KRW")


def format_krw(amount: Decimal | int | None) -> str:
    """``12900`` -> ``"12,900원"`` (``"₩12,900"`` when the active language is English)."""
    if amount is None:
        return ""
    return gettext("%(n)s원") % {"n": f"{int(krw(amount)):,}"}


def percent_off(price: Decimal, sale_price: Decimal) -> int:
    """Whole percent discount shown to shoppers (floor, never overstating)."""
    if not price or sale_price is None or sale_price >= price:
        return 0
    return int((Decimal(100) * (price - sale_price) / price).to_integral_value(rounding="ROUND_FLOOR"))


def MoneyField(verbose_name=None, **kwargs) -> models.DecimalField:  # noqa: N802 - field factory
    kwargs.setdefault("max_digits", 14)
    kwargs.setdefault("decimal_places", 0)
    return models.DecimalField(verbose_name, **kwargs)
