"""Catalog writes: products with options/variants, images, tags, status.

Every write takes the acting user and checks the store role first; inputs are validated as a whole
before anything is written, inside one transaction, so a bad product changes nothing.
"""

from kkot.catalog.services.images import (
    MAX_IMAGES,
    product_image_add,
    product_image_delete,
    product_image_store,
    product_images_reorder,
)
from kkot.catalog.services.inputs import (
    OptionInput,
    ProductInput,
    VariantInput,
    normalize_tag,
    option_combinations,
    product_input_from_instance,
    variant_label,
)
from kkot.catalog.services.products import (
    product_attribute_value_rows,
    product_attribute_values_sync,
    product_create,
    product_get_for_store,
    product_refresh_stock,
    product_update,
    products_set_status,
)
from kkot.catalog.services.validation import FieldErrors, parse_money, product_validate

__all__ = [
    "MAX_IMAGES", "FieldErrors", "OptionInput", "ProductInput", "VariantInput", "normalize_tag", "option_combinations",
    "parse_money", "product_attribute_value_rows", "product_attribute_values_sync", "product_create",
    "product_get_for_store", "product_image_add", "product_image_delete", "product_image_store",
    "product_images_reorder", "product_input_from_instance", "product_refresh_stock", "product_update",
    "product_validate", "products_set_status", "variant_label",
]
