"""Train the assistant's models (tags, category) and refresh the exposure statistics now."""

from django.core.management.base import BaseCommand

from kkot.assist.services import learn
from kkot.assist.services.exposure import exposure_stats_refresh


class Command(BaseCommand):
    help = "상품등록 도우미 모델(태그, 카테고리)을 학습하고 검색 노출 통계를 다시 계산합니다."

    def handle(self, *args, **opts):
        learn.tag_model_train()
        classes = learn.category_model_train()
        stats = exposure_stats_refresh()
        self.stdout.write(f"tags: trained; category: {classes} classes; exposure: {stats} statistics")
