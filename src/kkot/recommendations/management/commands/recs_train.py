"""`kkot manage recs_train`: train the recommendation model set now (or queue it with --enqueue)."""

from django.core.management.base import BaseCommand, CommandError

from kkot.recommendations.models import RecsModelRun


class Command(BaseCommand):
    help = "추천 모델(함께 본/함께 구매한/비슷한 상품, 맞춤 추천)을 지금 학습합니다."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="train in the task worker instead of now")
        parser.add_argument("--max-view-events", type=int, default=None, help="newest product views to use")

    def handle(self, *args, enqueue=False, max_view_events=None, **opts):
        from kkot.recommendations.services import recs_run_request, recs_train

        if enqueue:
            run = recs_run_request(trigger=RecsModelRun.Trigger.MANUAL)
            self.stdout.write(f"queued run {run.pk}")
            return
        kw = {"max_view_events": max_view_events} if max_view_events else {}
        run = recs_train(trigger=RecsModelRun.Trigger.MANUAL, **kw)
        if run.status != RecsModelRun.Status.SUCCEEDED:
            raise CommandError(f"training failed: {run.error}")
        self.stdout.write(
            f"version {run.version}: products {run.n_products:,}, sessions {run.n_sessions:,}, "
            f"views {run.n_view_events:,}, baskets {run.n_baskets:,}, {run.seconds}s"
        )
