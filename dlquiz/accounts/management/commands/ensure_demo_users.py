from django.contrib.auth.models import User
from django.core.management.base import BaseCommand

from dlquiz.accounts.services import instructor_create

DEMO_STUDENT = ("student", "dlquiz-student")
DEMO_INSTRUCTOR = ("instructor", "dlquiz-instructor")


class Command(BaseCommand):
    help = "On a database without users, create a demo student and a demo instructor."

    def handle(self, *args, **options) -> None:
        if User.objects.exists():
            return
        User.objects.create_user(username=DEMO_STUDENT[0], password=DEMO_STUDENT[1])
        instructor_create(username=DEMO_INSTRUCTOR[0], password=DEMO_INSTRUCTOR[1])
        self.stdout.write(
            "fresh database: demo logins created\n"
            f"  student:    {DEMO_STUDENT[0]} / {DEMO_STUDENT[1]}\n"
            f"  instructor: {DEMO_INSTRUCTOR[0]} / {DEMO_INSTRUCTOR[1]} (admin at /admin/)\n"
        )
