import pytest

from kkot.catalog.bulk import export_products, import_products, template_csv, template_workbook
from kkot.core.testing import make_product, make_store

pytestmark = pytest.mark.django_db


def test_smoke():
    p = make_product(code="TS-1")
    store = p.store
    owner = store.memberships.get().user
    for fmt in ("csv", "xlsx"):
        data = export_products(store=store, fmt=fmt)
        r = import_products(store=store, actor=owner, data=data, filename="x." + fmt)
        print(fmt, r)
        s2 = make_store()
        r = import_products(store=s2, actor=s2.memberships.get().user, data=data, filename="x")
        print(fmt, r)
    print(template_csv().decode("utf-8-sig")[:500])
    assert template_workbook()[:2] == b"PK"
