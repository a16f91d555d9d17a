"""Product cards for the widgets: the fields a recommendation card shows and the business rules check, read
live with one raw SQL statement per widget.

Why raw SQL: on a 100,000-item catalog two thirds of a widget's time went to Django compiling the product and
image querysets (about a millisecond each), not to the database. The statement here is built once per
connection vendor and number of ids (padded to a few sizes, so SQLite's statement cache and PostgreSQL see the
same texts again) and its values go through the same database converters as the ORM's (decimal money,
timezone-aware datetimes on SQLite).

Nothing is cached between requests: status, stock, price and the store's status are read at request time, so a
product sold out, hidden, repriced or whose store paused a moment ago is shown (or left out) correctly on the next
request. The result are real :class:`~kkot.catalog.models.Product` instances (``from_db``) with their store and
representative image attached, so templates and the API use them as usual without further queries. Only the
fields of :data:`PRODUCT_FIELDS` are loaded (others are deferred and would cost a query each), and
``product.images.all()`` holds the representative image only (the lowest ``position``, then ``id``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connections, router
from django.db.models import Field, Model, QuerySet, signals
from django.db.models.base import ModelState

from kkot.catalog.models import Product, ProductImage
from kkot.stores.models import Store

PRODUCT_FIELDS = (
    "id",
    "store",
    "category",
    "name",
    "price",
    "sale_price",
    "sale_starts_at",
    "sale_ends_at",
    "status",
    "stock_total",
    "created_at",
)
STORE_FIELDS = ("id", "slug", "name", "status")
IMAGE_FIELDS = ("id", "product", "thumbnail", "alt", "position")
_BUCKETS = (4, 8, 16, 32, 64, 128)
_STORE = Product._meta.get_field("store")
_IMAGE_PRODUCT = ProductImage._meta.get_field("product")
_IMAGES = _IMAGE_PRODUCT.remote_field.cache_name  # the key prefetch_related uses for product.images

Converter = Callable[..., object]


@dataclass(frozen=True)
class _Part:
    model: type[Model]
    fields: tuple[Field, ...]
    attnames: tuple[str, ...]
    converters: tuple[tuple[int, Field, tuple[Converter, ...]], ...]  # (position, column, functions), if any


@dataclass(frozen=True)
class _Spec:
    parts: tuple[_Part, _Part, _Part]  # product, store, image
    select: str  # the statement up to the IN list


_specs: dict[tuple[str, str], _Spec] = {}
_sql: dict[tuple[str, str, int], str] = {}
_readers: dict[tuple[str, str, str, str], Callable[[object], object]] = {}


def _part(model: type[Model], names: tuple[str, ...], connection) -> _Part:
    # in the model's field order: ``from_db`` matches values to fields in that order
    order = {f.name: i for i, f in enumerate(model._meta.concrete_fields)}
    fields = tuple(model._meta.get_field(n) for n in sorted(names, key=order.__getitem__))
    convs = []
    for i, f in enumerate(fields):
        col = f.get_col(model._meta.db_table)
        fns = tuple(connection.ops.get_db_converters(col) + col.get_db_converters(connection))
        if fns:
            convs.append((i, col, fns))
    return _Part(model, fields, tuple(f.attname for f in fields), tuple(convs))


def _spec(connection) -> _Spec:
    key = (connection.alias, connection.vendor)
    spec = _specs.get(key)
    if spec is not None:
        return spec
    q = connection.ops.quote_name
    parts = (
        _part(Product, PRODUCT_FIELDS, connection),
        _part(Store, STORE_FIELDS, connection),
        _part(ProductImage, IMAGE_FIELDS, connection),
    )
    cols = ", ".join(f"{a}.{q(f.column)}" for a, part in zip("psi", parts, strict=True) for f in part.fields)
    pm, sm, im = Product._meta, Store._meta, ProductImage._meta
    p_id, s_id, i_id = q(pm.pk.column), q(sm.pk.column), q(im.pk.column)
    img, img_product = q(im.db_table), q(im.get_field("product").column)
    select = (
        f"SELECT {cols} FROM {q(pm.db_table)} p "  # noqa: S608 - identifiers from _meta, values bound
        f"INNER JOIN {q(sm.db_table)} s ON s.{s_id} = p.{q(pm.get_field('store').column)} "
        f"LEFT OUTER JOIN {img} i ON i.{i_id} = (SELECT i2.{i_id} FROM {img} i2 WHERE i2.{img_product} = p.{p_id} "
        f"ORDER BY i2.{q(im.get_field('position').column)}, i2.{i_id} LIMIT 1) "
        f"WHERE p.{p_id} IN "
    )
    spec = _Spec(parts, select)
    _specs[key] = spec
    return spec


def _statement(connection, spec: _Spec, n: int) -> str:
    key = (connection.alias, connection.vendor, n)
    sql = _sql.get(key)
    if sql is None:
        sql = _sql[key] = spec.select + "(" + ", ".join(["%s"] * n) + ")"
    return sql


def column_reader(connection, model: type[Model], name: str) -> Callable[[object], object]:
    """The ORM's conversion of one column's raw value for ``connection`` (timezone-aware datetimes from SQLite's
    text, quantised decimals...), for the other raw statements on the request path."""
    key = (connection.alias, connection.vendor, model._meta.label, name)
    reader = _readers.get(key)
    if reader is None:
        col = model._meta.get_field(name).get_col(model._meta.db_table)
        fns = tuple(connection.ops.get_db_converters(col) + col.get_db_converters(connection))

        def reader(value: object, col=col, fns=fns) -> object:
            for fn in fns:
                value = fn(value, col, connection)
            return value

        _readers[key] = reader
    return reader


def _bucket(n: int) -> int:
    for b in _BUCKETS:
        if n <= b:
            return b
    return n


def _convert(part: _Part, raw: tuple, connection) -> list:
    out = list(raw)
    for i, col, fns in part.converters:
        value = out[i]
        for fn in fns:
            value = fn(value, col, connection)
        out[i] = value
    return out


def _instance(part: _Part, alias: str, raw: tuple, connection) -> Model:
    """A model instance loaded from the database with only ``part``'s fields (the others deferred). Without
    ``pre_init``/``post_init`` receivers for the model it is built as unpickling does (``__new__`` and the field
    values), which is ~8x cheaper than ``from_db`` for a model with many fields; the result is the same."""
    values = _convert(part, raw, connection)
    model = part.model
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return model.from_db(alias, part.attnames, values)
    obj = model.__new__(model)
    state = ModelState()
    state.adding, state.db = False, alias
    obj._state = state
    obj.__dict__.update(zip(part.attnames, values, strict=True))
    return obj


def product_cards(ids: Iterable[int]) -> dict[int, Product]:
    """The products of ``ids`` that exist, by id, read now: card fields, store (``product.store``) and
    representative image (``product.images.all()``, empty or one image) attached. One query."""
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        return {}
    alias = router.db_for_read(Product)
    connection = connections[alias]
    spec = _spec(connection)
    size = _bucket(len(wanted))
    params = wanted + [wanted[0]] * (size - len(wanted))
    with connection.cursor() as cur:
        cur.execute(_statement(connection, spec, size), params)
        rows = cur.fetchall()
    return _build(rows, spec, connection, alias)


def _build(rows: list[tuple], spec: _Spec, connection, alias: str) -> dict[int, Product]:
    pp, sp, ip = spec.parts
    n_p, n_s = len(pp.fields), len(sp.fields)
    stores: dict[int, Model] = {}
    out: dict[int, Product] = {}
    for row in rows:
        product = _instance(pp, alias, row[:n_p], connection)
        store = stores.get(product.store_id)
        if store is None:
            store = stores[product.store_id] = _instance(sp, alias, row[n_p : n_p + n_s], connection)
        _STORE.set_cached_value(product, store)
        images: list[Model] = []
        if row[n_p + n_s] is not None:
            image = _instance(ip, alias, row[n_p + n_s :], connection)
            _IMAGE_PRODUCT.set_cached_value(image, product)
            images.append(image)
        _attach_images(product, images, alias)
        out[product.pk] = product
    return out


def _attach_images(product: Product, images: list[Model], alias: str) -> None:
    """What ``prefetch_related("images")`` leaves behind, limited to the representative image: an evaluated
    queryset whose filter to this product is deferred (as the related manager does it), so a query built from it
    (``filter``, ``order_by``, ``update``...) still covers this product's images only."""
    qs = QuerySet(model=ProductImage, using=alias)
    qs._deferred_filter = (False, (), {_IMAGE_PRODUCT.name: product})
    qs._result_cache = images
    qs._prefetch_done = True
    product._prefetched_objects_cache = {_IMAGES: qs}
