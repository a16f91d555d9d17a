from django import template

from kkot.core.money import format_krw, percent_off

register = template.Library()


@register.filter
def won(value):
    """``{{ product.price|won }}`` -> ``12,900원``."""
    return format_krw(value)


@register.filter
def discount_pct(price, sale_price):
    return percent_off(price, sale_price)
