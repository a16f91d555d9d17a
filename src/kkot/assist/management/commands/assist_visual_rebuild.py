"""Rebuild the visual index; ``--reanalyse`` first recomputes the vectors made by another model version."""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from kkot.assist import vision
from kkot.assist.models import ImageAnalysis
from kkot.assist.services.batch import images_analyse_batch
from kkot.assist.services.visual import visual_index_rebuild
from kkot.catalog.models import ProductImage


class Command(BaseCommand):
    help = "시각 검색 인덱스를 다시 만듭니다 (--reanalyse: 다른 모델 버전의 이미지 벡터를 다시 계산)."

    def add_arguments(self, parser):
        parser.add_argument("--reanalyse", action="store_true")

    def handle(self, *args, reanalyse: bool = False, **opts):
        if reanalyse:
            current = ImageAnalysis.objects.filter(model_version=vision.model_version(), state="done")
            todo = list(
                ProductImage.objects.exclude(pk__in=current.values("image_id")).values_list("pk", flat=True)
            )
            with tqdm(total=len(todo), desc="이미지 분석", unit="장") as bar:
                images_analyse_batch(todo, progress=bar.update)
        n = visual_index_rebuild()
        self.stdout.write(f"visual index: {n} products")
