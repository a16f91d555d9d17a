from decimal import Decimal as D

from kkot.orders.pricing import (
    CouponTerms,
    LineForShipping,
    ShippingPolicy,
    allocate,
    coupon_discount,
    discount_share,
    region_of,
    shipping_fee,
)

POLICY = ShippingPolicy(base_fee=D(3000), free_over=D(50000), jeju_surcharge=D(3000), island_surcharge=D(5000))


def test_regions_by_postcode():
    assert region_of("63100") == "jeju"
    assert region_of("23008") == "island"  # 인천 옹진 (도서)
    assert region_of("04001") == "mainland"


def test_shipping_free_over_threshold_bundle_and_surcharges():
    bundled = [LineForShipping(D(30000), True, None), LineForShipping(D(25000), True, None)]
    assert shipping_fee(POLICY, bundled, "04001") == D(0)  # 55,000 >= 50,000
    assert shipping_fee(POLICY, bundled[:1], "04001") == D(3000)
    assert shipping_fee(POLICY, bundled[:1], "63100") == D(6000)  # + 제주
    assert shipping_fee(POLICY, bundled, "23008") == D(5000)  # free base, + 도서산간
    separate = [LineForShipping(D(10000), False, D(2500)), LineForShipping(D(10000), False, D(2500))]
    assert shipping_fee(POLICY, separate, "04001") == D(5000)  # not bundled: per line


def test_percent_coupon_rounds_half_up_and_caps():
    t = CouponTerms("percent", None, 15, D(5000))
    assert coupon_discount(t, D(12345)) == D(1852)  # 1851.75 -> 1852
    assert coupon_discount(t, D(100000)) == D(5000)
    assert coupon_discount(CouponTerms("fixed", D(3000), None, None), D(2000)) == D(2000)


def test_allocation_adds_up_to_the_won():
    parts = allocate(D(1000), [D(3333), D(3333), D(3334)])
    assert sum(parts) == D(1000) and parts == [D(333), D(333), D(334)]
    assert allocate(D(7), [D(1), D(1), D(1)]) == [D(3), D(2), D(2)]


def test_discount_share_is_exact_over_any_sequence_of_partial_claims():
    d, q = D(1001), 3
    steps = [discount_share(d, q, 0, 1), discount_share(d, q, 1, 2), discount_share(d, q, 2, 3)]
    assert sum(steps) == d and steps == [D(334), D(333), D(334)]
    assert discount_share(d, q, 0, 2) + discount_share(d, q, 2, 3) == d
