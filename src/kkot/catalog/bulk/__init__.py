"""Bulk product registration: sheet template, all-or-nothing import, export in the same format.

Public API (keyword-only):

- ``template_workbook(*, category=None) -> bytes``  .xlsx to fill in (상품 / 카테고리 / 안내 sheets)
- ``template_csv(*, category=None) -> bytes``       the same columns as CSV (UTF-8 with BOM)
- ``import_products(*, store, actor, data, filename="") -> ImportResult``
- ``export_products(*, store, fmt="xlsx"|"csv") -> bytes``

The format is documented in ``kkot.catalog.bulk.columns`` and in the template's 안내 sheet.
"""

from kkot.catalog.bulk.exporter import export_products, template_csv, template_workbook
from kkot.catalog.bulk.importer import ImportResult, import_products

__all__ = ["ImportResult", "export_products", "import_products", "template_csv", "template_workbook"]
