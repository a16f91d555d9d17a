"""Catalog edits that meet orders: a combination that was ordered can leave the option grid."""

import pytest

from kkot.catalog.models import Variant as V
from kkot.catalog.services import OptionInput, product_update
from kkot.core.testing import make_product, make_user, product_input
from kkot.orders.tests.factories import place

pytestmark = pytest.mark.django_db


def test_removing_an_ordered_combination_retires_it_and_it_can_come_back():
    p = make_product()
    owner = p.store.memberships.get().user
    white_m = p.variants.get(label="화이트 / M")
    place(make_user(), [(white_m.pk, 1)])
    p = product_update(product=p, actor=owner, data=product_input(
        options=[OptionInput("색상", ["블랙"]), OptionInput("사이즈", ["M", "L"])], variants=[]))
    assert sorted(p.variants.values_list("label", flat=True)) == ["블랙 / L", "블랙 / M"]
    retired = V.all_objects.get(pk=white_m.pk)
    assert retired.retired_at is not None and not retired.is_active and retired.order_lines.count() == 1
    assert not V.all_objects.filter(label="화이트 / L", product=p).exists()  # never ordered: deleted
    p = product_update(product=p, actor=owner, data=product_input(variants=[]))  # the grid comes back
    assert p.variants.get(label="화이트 / M").pk == white_m.pk
