"""Demo stores, staff and products (bulk-written with the same invariants as catalog.services)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.files.storage import default_storage
from django.utils import timezone

from kkot.accounts.models import User
from kkot.catalog.models import (
    Category,
    Product,
    ProductAttributeValue,
    ProductImage,
    ProductOption,
    Tag,
    Variant,
)
from kkot.catalog.selectors import category_notice_fields
from kkot.catalog.services import OptionInput, option_combinations, variant_label
from kkot.core.validators import brn_with_check_digit
from kkot.demo import vocab
from kkot.demo.images import product_picture, thumbnail
from kkot.stores.models import Store, StoreBanner, StoreMembership

DEMO_PASSWORD = "kkot-demo-1234"
SELLER_EMAIL = "seller@kkot.demo"
SHOPPER_EMAIL = "shopper@kkot.demo"


@dataclass
class DemoProduct:
    id: int
    store_id: int
    category_id: int
    colour: str
    price: int
    group: int  # look/routine group id: products viewed and bought together
    weight: float  # base popularity
    cart_rate: float


@dataclass
class DemoCatalog:
    stores: list[Store] = field(default_factory=list)
    products: list[DemoProduct] = field(default_factory=list)
    dead_banner: dict[int, int] = field(default_factory=dict)  # store id -> banner id nobody clicks
    leaky_products: list[int] = field(default_factory=list)  # viewed a lot, rarely put in a cart


def _round_price(rnd: random.Random, lo: int, hi: int) -> int:
    v = rnd.randint(lo, hi)
    return max(1000, int(round(v / 1000.0)) * 1000 - 100)


def _options(kind: str, rnd: random.Random, colour: str) -> list[OptionInput]:
    if kind == "apparel":
        colours = [colour] + rnd.sample([c for c in vocab.FASHION_COLOURS if c != colour], rnd.randint(1, 3))
        return [OptionInput("색상", colours), OptionInput("사이즈", vocab.SIZES[rnd.randint(0, 1):])]
    if kind == "colour":
        return [OptionInput("색상", [colour] + rnd.sample([c for c in vocab.FASHION_COLOURS if c != colour], rnd.randint(0, 2)))]
    if kind in vocab.OPTION_VALUES:
        name, values = vocab.OPTION_VALUES[kind]
        start = rnd.randint(0, max(0, len(values) - 3))
        opts = [OptionInput(name, values[start:start + rnd.randint(1, 3)])]
        if kind == "shoes":
            opts.insert(0, OptionInput("색상", [colour, rnd.choice([c for c in vocab.FASHION_COLOURS if c != colour])]))
        return opts
    return []


def build_users_and_stores(rnd: random.Random, cat: DemoCatalog) -> None:
    pw = make_password(DEMO_PASSWORD)
    leaves = {c.slug: c for c in Category.objects.filter(level=3)}
    for i, (slug, name, desc, concept) in enumerate(vocab.STORES):
        email = SELLER_EMAIL if i == 0 else f"seller{i + 1}@kkot.demo"
        owner = User.objects.create(email=email, username=email, password=pw, name=f"{name} 대표",
                                    gender=rnd.choice("FM"), birth_year=rnd.randint(1975, 1995))
        store = Store.objects.create(
            slug=slug, name=name, description=desc, business_name=f"{name} 주식회사" if i % 2 else name,
            representative=rnd.choice(vocab.SHOPPER_FAMILY) + rnd.choice(vocab.SHOPPER_GIVEN),
            business_reg_no=_brn(rnd), mail_order_no=f"2024-서울마포-{rnd.randint(1000, 99999):05d}",
            contact_phone=f"02-{rnd.randint(300, 999)}-{rnd.randint(1000, 9999)}", contact_email=f"help@{slug}.kkot.demo",
            return_postcode=f"{rnd.randint(1000, 63999):05d}", return_address="서울특별시 마포구 양화로 45",
            return_address_detail=f"{rnd.randint(2, 9)}층", shipping_base_fee=3000 if concept != "food" else 4000,
            shipping_free_over=rnd.choice([30000, 50000, 70000]), shipping_jeju_surcharge=3000 if concept != "food" else 0,
            shipping_island_surcharge=5000, grade=rnd.choice(["sprout", "bud", "bloom"]),
        )
        StoreMembership.objects.create(store=store, user=owner, role=StoreMembership.Role.OWNER)
        if i == 0:
            mgr = User.objects.create(email="manager@kkot.demo", username="manager@kkot.demo", password=pw, name="매니저")
            StoreMembership.objects.create(store=store, user=mgr, role=StoreMembership.Role.MANAGER)
        banners = StoreBanner.objects.bulk_create([
            StoreBanner(store=store, title="시즌 오픈 기념 최대 30% 할인", subtitle="이번 주만 드리는 혜택", color="#f7d6e0", position=0),
            StoreBanner(store=store, title="신상품 입고 안내", subtitle="새로 들어온 상품을 만나보세요", color="#dbe8f7", position=1),
            StoreBanner(store=store, title="리뷰 이벤트", subtitle="포토리뷰 작성 시 적립금", color="#e5f3da", position=2),
        ])
        cat.dead_banner[store.pk] = banners[2].pk  # the "리뷰 이벤트" banner: shown, almost never clicked
        cat.stores.append(store)
        store._concept = concept  # noqa: SLF001 - demo-only attribute
    _ = leaves


def _brn(rnd: random.Random) -> str:
    d = brn_with_check_digit(f"{rnd.randint(100, 899)}{rnd.randint(81, 88)}{rnd.randint(10000, 99999)}"[:9])
    return f"{d[:3]}-{d[3:5]}-{d[5:]}"


def build_products(rnd: random.Random, cat: DemoCatalog, per_store: int, progress) -> None:
    leaves = {c.slug: c for c in Category.objects.filter(level=3)}
    now = timezone.now()
    tag_cache: dict[str, Tag] = {t.name: t for t in Tag.objects.all()}
    group_id = 0
    for store in cat.stores:
        items, adjs = vocab.CONCEPTS[store._concept]  # noqa: SLF001
        products, specs = [], []
        for n in range(per_store):
            leaf_slug, nouns, (lo, hi), shape, kind = items[n % len(items)]
            category = leaves[leaf_slug]
            noun = rnd.choice(nouns)
            colour = rnd.choice(vocab.FASHION_COLOURS if kind in ("apparel", "colour", "shoes", "kids") else list(vocab.COLOURS))
            adj = rnd.choice(adjs)
            material = rnd.choice(vocab.FASHION_MATERIAL)
            name = f"{adj} {material} {noun}" if kind == "apparel" else f"{adj} {noun}"
            if kind == "weight":
                name = f"{adj} {noun}"
            price = _round_price(rnd, lo, hi)
            on_sale = rnd.random() < 0.35
            created = now - timedelta(days=rnd.randint(0, 400), minutes=rnd.randint(0, 1440))
            attrs = _attributes(category, store._concept, colour, material, rnd)  # noqa: SLF001
            status = Product.Status.ON_SALE if rnd.random() > 0.03 else rnd.choice([Product.Status.HIDDEN, Product.Status.SUSPENDED])
            products.append(Product(
                store=store, category=category, code=f"{store.slug[:3].upper()}-{n + 1:05d}", name=name[:100],
                description_html=f"<p>{name}. {store.name}에서 직접 고르고 검수했습니다.</p><p>색상: {colour}</p>",
                price=Decimal(price), sale_price=Decimal(_round_price(rnd, int(price * 0.6), int(price * 0.9))) if on_sale else None,
                status=status, brand=store.name.split()[0], attributes=attrs,
                notice={f: "상세페이지 참조" for f in category_notice_fields(category)[:4]},
                bundle_shipping=True, dispatch_days=rnd.choice([1, 1, 2, 3]) if store._concept != "fashion" or n % 7 else 7,  # noqa: SLF001
                made_to_order=store._concept == "fashion" and n % 7 == 0, cold_chain=store._concept == "food" and leaf_slug in ("meat", "seafood", "kimchi", "meal-kit"),  # noqa: SLF001
                created_at=created,
            ))
            specs.append((shape, colour, kind, noun, adj, material))
        Product.objects.bulk_create(products, batch_size=500)
        products = list(Product.objects.filter(store=store).order_by("pk"))
        options, variants, avs, tag_links, images = [], [], [], [], []
        groups_in_store = max(1, per_store // 5)
        for p, (shape, colour, kind, noun, adj, material) in zip(products, specs, strict=True):
            opts = _options(kind, rnd, colour)
            for i, o in enumerate(opts):
                options.append(ProductOption(product=p, name=o.name, values=o.values, position=i))
            names = [o.name for o in opts]
            total = 0
            for pos, combo in enumerate(option_combinations(opts)):
                stock = 0 if rnd.random() < 0.08 else rnd.randint(1, 60)
                total += stock
                variants.append(Variant(product=p, sku=f"{p.code}-{pos + 1:03d}", option_values=combo,
                                        label=variant_label(names, combo), stock=stock, position=pos,
                                        price_delta=Decimal(1000 if (kind == "volume" and pos > 0) else 0) * pos))
            p.stock_total = total
            if total == 0 and p.status == Product.Status.ON_SALE:
                p.status = Product.Status.SOLD_OUT
            for code, value in p.attributes.items():
                for v in value if isinstance(value, list) else [value]:
                    avs.append(ProductAttributeValue(product=p, code=code, value=v))
            for t in {noun.split()[-1], adj, colour, material if kind == "apparel" else store.name.split()[0]}:
                tag = tag_cache.get(t) or Tag.objects.create(name=t)
                tag_cache[t] = tag
                tag_links.append(Product.tags.through(product_id=p.pk, tag_id=tag.pk))
            pic = product_picture(shape=shape, rgb=vocab.COLOURS.get(colour, (128, 128, 128)), seed=f"{p.code}")
            name = f"demo/{store.slug}/{p.code}.jpg"
            default_storage.save(name, _Bytes(pic))
            tname = f"demo/{store.slug}/thumbs/{p.code}.jpg"
            default_storage.save(tname, _Bytes(thumbnail(pic)))
            images.append(ProductImage(product=p, image=name, thumbnail=tname, width=600, height=600, sha256=p.code, position=0))
            weight = rnd.paretovariate(1.3)
            cat.products.append(DemoProduct(
                id=p.pk, store_id=store.pk, category_id=p.category_id,
                colour=colour, price=int(p.price), group=group_id + rnd.randrange(groups_in_store), weight=weight,
                cart_rate=rnd.uniform(0.04, 0.12),
            ))
            progress.update(1)
        group_id += groups_in_store
        ProductOption.objects.bulk_create(options, batch_size=1000)
        Variant.objects.bulk_create(variants, batch_size=1000)
        ProductAttributeValue.objects.bulk_create(avs, batch_size=2000, ignore_conflicts=True)
        Product.tags.through.objects.bulk_create(tag_links, batch_size=2000, ignore_conflicts=True)
        ProductImage.objects.bulk_create(images, batch_size=1000)
        Product.objects.bulk_update(products, ["stock_total", "status"], batch_size=500)
        # The store's "leaky" product: the most viewed item that shoppers rarely put in a cart.
        store_products = [d for d in cat.products if d.store_id == store.pk]
        leaky = max(store_products, key=lambda d: d.weight)
        leaky.cart_rate = 0.004
        cat.leaky_products.append(leaky.id)


class _Bytes:
    """Minimal File-like object for storage.save without copying through Django's File wrappers."""

    def __init__(self, data: bytes):
        import io

        self._buf = io.BytesIO(data)
        self.size = len(data)
        self.name = None

    def chunks(self, chunk_size=None):
        yield self._buf.getvalue()

    def read(self, *a):
        return self._buf.read(*a)

    def seek(self, *a):
        return self._buf.seek(*a)


def _attributes(category: Category, concept: str, colour: str, material: str, rnd: random.Random) -> dict:
    if concept == "sports":
        return {"color": [colour], "material": [rnd.choice(["폴리에스터", "나일론", "스판"])], "season": ["사계절"]}
    if concept == "fashion":
        return {"color": [colour], "material": [material if material != "니트" else "울"],
                "season": rnd.sample(["봄", "여름", "가을", "겨울"], 2), "fit": rnd.choice(["슬림", "레귤러", "세미오버", "오버사이즈"]),
                "pattern": rnd.choice(["무지", "무지", "스트라이프", "체크", "레터링"]), "origin": rnd.choice(["국내산", "중국", "베트남"]),
                "care": rnd.choice(["손세탁", "세탁기 가능", "드라이클리닝"])}
    if concept == "goods":
        return {"color": [colour], "material": [rnd.choice(["가죽", "합성가죽", "나일론", "면"])], "origin": rnd.choice(["국내산", "중국"])}
    if concept == "beauty":
        return {"skin_type": rnd.sample(["건성", "지성", "복합성", "민감성"], 2), "origin": "국내산"}
    if concept == "food":
        return {"storage": rnd.choice(["냉장", "냉동", "실온"]), "origin": "국내산"}
    if concept == "digital":
        return {"color": [colour], "power": rnd.choice(["유선", "무선/충전식", "USB"]), "origin": rnd.choice(["중국", "국내산"])}
    if concept == "kids":
        return {"color": [colour], "material": [rnd.choice(["면", "실리콘", "원목", "플라스틱"])], "age": rnd.choice(["6개월+", "12개월+", "3세+"])}
    return {"material": [rnd.choice(["스테인리스", "원목", "세라믹", "유리", "면", "플라스틱"])], "origin": rnd.choice(["국내산", "중국"])}
