from django.core.management.base import BaseCommand
from django.db import transaction

from programs.demo import DEMO_PASSWORD, ensure_demo_accounts


class Command(BaseCommand):
    help = "Tạo dữ liệu và tài khoản minh họa (chạy lại không thay đổi gì). Demo data and accounts."

    @transaction.atomic
    def handle(self, *args, **options):
        rows = ensure_demo_accounts()
        self.stdout.write(self.style.SUCCESS("Tài khoản minh họa / demo accounts"))
        self.stdout.write(f"  mật khẩu / password: {DEMO_PASSWORD}")
        for username, role, scope in rows:
            self.stdout.write(f"  {username:<20} {role} · {scope}")
