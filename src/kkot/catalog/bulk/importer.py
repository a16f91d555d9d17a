"""Bulk product import: parse every row (:mod:`.parse`), build and validate every product with the editor's
rules (:mod:`.assemble`), then write in bulk (:mod:`.writer`).

All or nothing: every bad cell of the whole sheet is collected first and reported together
(``ValidationError(code="sheet_invalid", details=[{"row", "column", "message"}, ...])``); nothing is written
unless the whole sheet is valid, and the writes run in one transaction.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kkot.accounts.models import User
from kkot.catalog.bulk.assemble import ProductAssembler
from kkot.catalog.bulk.parse import CatalogLookup, SheetParser
from kkot.catalog.bulk.reader import data_rows, open_sheet
from kkot.catalog.bulk.writer import Plan, write_plans
from kkot.catalog.models import Product
from kkot.core.errors import Conflict, SheetErrors, ValidationError
from kkot.stores.models import Store, StoreMembership
from kkot.stores.services import require_role

MAX_REPORTED_ERRORS = 1000
CHUNK = 900


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    variants_created: int = 0
    variants_updated: int = 0
    variants_deleted: int = 0
    rows: int = 0
    format: str = ""

    @property
    def variants(self) -> int:
        """Variants created or changed."""
        return self.variants_created + self.variants_updated

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _existing(store: Store, codes: list[str]) -> dict[str, Product]:
    out: dict[str, Product] = {}
    for i in range(0, len(codes), CHUNK):
        qs = (Product.objects.select_for_update().filter(store=store, code__in=codes[i:i + CHUNK])
              .prefetch_related("options", "variants", "tags"))
        out.update({p.code: p for p in qs})
    return out


def _raise_sheet_errors(errors: SheetErrors) -> None:
    items = sorted(errors.errors, key=lambda e: e.row)
    total = len(items)
    details = [e.as_dict() for e in items[:MAX_REPORTED_ERRORS]]
    first = items[0]
    raise ValidationError(
        _("%(n)s곳에 오류가 있어 아무것도 등록하지 않았습니다. 첫 오류: %(r)d행 [%(c)s] %(m)s")
        % {"n": f"{total:,}", "r": first.row, "c": first.column, "m": first.message},
        code="sheet_invalid", details=details,
    )


@transaction.atomic
def import_products(*, store: Store, actor: User, data: bytes, filename: str = "") -> ImportResult:
    """Create or update the store's products from an .xlsx/CSV sheet; all or nothing."""
    require_role(store=store, user=actor, role=StoreMembership.Role.MANAGER)
    sheet = open_sheet(data, filename)
    try:
        parser = SheetParser(CatalogLookup(), sheet.kind)
        parser.read_header(sheet.header)
        if parser.errors:
            _raise_sheet_errors(parser.errors)
        groups = parser.read_rows(data_rows(sheet))
    finally:
        if sheet.close:
            sheet.close()
    result = ImportResult(rows=sum(len(r) for r in groups.values()), format=sheet.kind)
    if not groups and not parser.errors:
        raise ValidationError(_("등록할 상품 행이 없습니다."), code="sheet_empty")
    existing = _existing(store, list(groups))
    assembler = ProductAssembler(store, parser)
    plans: list[Plan] = []
    for code, rows in groups.items():
        product = existing.get(code)
        data_in = assembler.build_input(code, rows, product)
        if data_in is None:
            continue
        clean = assembler.validate(code, rows, data_in, product)
        if clean is not None:
            plans.append(Plan(code=code, existing=product, clean=clean))
    if parser.errors:
        _raise_sheet_errors(parser.errors)
    try:
        with transaction.atomic():
            write_plans(store=store, plans=plans, result=result)
    except IntegrityError as exc:
        raise Conflict(_("다른 작업과 동시에 저장되어 등록하지 못했습니다. 잠시 후 다시 올려 주세요."), code="sheet_conflict") from exc
    return result
