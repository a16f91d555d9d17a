from django.core.management.base import BaseCommand, CommandError

from kkot.core.errors import KkotError


class Command(BaseCommand):
    help = "Build the Biz Advisor daily rollups (incremental; --days N rebuilds the last N days)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None)

    def handle(self, *args, days=None, **opts):
        from kkot.advisor.rollups import advisor_rollup

        try:
            r = advisor_rollup(days=days)
        except KkotError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{r['days']}일, 이벤트 {r['events']:,}건, 주문 {r['orders']:,}건, {r['seconds']}초 "
                          f"({r['events_per_s']:,.0f} events/s)")
