from django.core.management import call_command
from django.core.management.base import BaseCommand

from kkot.demo import build


class Command(BaseCommand):
    help = "Build the demo marketplace once (reused afterwards) and serve it."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="delete the demo database and build again")
        parser.add_argument("--no-serve", action="store_true", help="build only")
        parser.add_argument("--small", action="store_true", help="a tiny demo (for tests)")
        parser.add_argument("--addr", default="127.0.0.1:8000")

    def handle(self, *args, rebuild=False, no_serve=False, small=False, addr="127.0.0.1:8000", **opts):
        if rebuild:
            call_command("flush", interactive=False, verbosity=0)
            build.marker_path().unlink(missing_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        if build.demo_is_built():
            self.stdout.write("데모 데이터가 이미 있습니다: 그대로 씁니다 (다시 만들려면 kkot demo --rebuild).")
        else:
            from kkot.accounts.models import User

            if User.objects.exists():
                call_command("flush", interactive=False, verbosity=0)
            self.stdout.write("데모 마켓을 만듭니다 (처음 한 번만)...")
            info = build.demo_build(size=build.SMALL if small else build.DemoSize())
            User.objects.create_superuser(email="admin@kkot.demo", password=build.DEMO_PASSWORD, name="운영자")
            self.stdout.write(
                f"완료: 스토어 {info['stores']}개, 상품 {info['products']:,}개, 회원 {info['shoppers']:,}명, "
                f"이벤트 {info['events']:,}건, 주문 {info['orders']:,}건, {info['seconds']}초"
            )
        self.stdout.write(build.logins_text())
        if not no_serve:
            call_command("serve", addr=addr)
