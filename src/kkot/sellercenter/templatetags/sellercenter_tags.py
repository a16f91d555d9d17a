from django import template

register = template.Library()


@register.filter
def get(mapping, key):
    """``{{ errors|get:"price" }}``: a dict value by a computed key (empty list when absent)."""
    if not mapping:
        return []
    return mapping.get(key, [])


@register.filter
def is_in(value, container) -> bool:
    return value in (container or ())
