"""Product images: validated on upload (kkot.core.uploads), thumbnail made at once, ordered (0 = representative)."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from kkot.accounts.models import User
from kkot.catalog.models import Product, ProductImage
from kkot.core.errors import NotFound, ValidationError
from kkot.core.uploads import clean_image
from kkot.stores.models import StoreMembership
from kkot.stores.services import require_role

MAX_IMAGES = 20

@transaction.atomic
def product_image_add(*, product: Product, actor: User, upload) -> ProductImage:
    """Validate and store one image (thumbnail made now). Invalid files raise and store nothing."""
    require_role(store=product.store, user=actor, role=StoreMembership.Role.MANAGER)
    if ProductImage.objects.filter(product=product).count() >= MAX_IMAGES:
        raise ValidationError(_("이미지는 최대 %(n)d장까지 올릴 수 있습니다.") % {"n": MAX_IMAGES}, code="too_many_images")
    img = clean_image(upload)
    return product_image_store(product=product, img=img)


def product_image_store(*, product: Product, img) -> ProductImage:
    """Store an already-validated image (used by the demo generator and bulk import)."""
    pos = (ProductImage.objects.filter(product=product).aggregate(m=Max("position"))["m"])
    pos = 0 if pos is None else pos + 1
    obj = ProductImage(product=product, width=img.width, height=img.height, sha256=img.sha256, position=pos)
    name = f"{product.store_id}-{product.pk}-{img.sha256[:16]}.{img.ext}"
    obj.image.save(name, ContentFile(img.content), save=False)
    obj.thumbnail.save(name, ContentFile(img.thumbnail), save=False)
    obj.save()
    product.save(update_fields=["updated_at"])
    return obj


@transaction.atomic
def product_images_reorder(*, product: Product, actor: User, image_ids: list[int]) -> None:
    """New order of the product's images; the first becomes the representative image."""
    require_role(store=product.store, user=actor, role=StoreMembership.Role.MANAGER)
    images = {i.pk: i for i in ProductImage.objects.filter(product=product)}
    if set(image_ids) != set(images):
        raise ValidationError(_("이미지 목록이 올바르지 않습니다."), code="invalid_images")
    for pos, pk in enumerate(image_ids):
        images[pk].position = pos
    ProductImage.objects.bulk_update(images.values(), ["position"])


@transaction.atomic
def product_image_delete(*, product: Product, actor: User, image_id: int) -> None:
    require_role(store=product.store, user=actor, role=StoreMembership.Role.MANAGER)
    img = ProductImage.objects.filter(product=product, pk=image_id).first()
    if img is None:
        raise NotFound(_("이미지를 찾을 수 없습니다."))
    img.image.delete(save=False)
    img.thumbnail.delete(save=False)
    img.delete()
