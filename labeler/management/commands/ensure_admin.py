import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from config.env import env


class Command(BaseCommand):
    help = (
        "Create the admin user once: DJANGO_SUPERUSER_USERNAME / DJANGO_SUPERUSER_PASSWORD, "
        "else 'admin' with a generated password printed once."
    )

    def handle(self, *args, **options):
        username = env.str("DJANGO_SUPERUSER_USERNAME", default="admin")
        password = env.str("DJANGO_SUPERUSER_PASSWORD", default="")
        users = get_user_model().objects
        if users.filter(username=username).exists():
            self.stdout.write(f"Admin user '{username}' already exists.")
            return
        generated = not password
        password = password or secrets.token_urlsafe(12)
        users.create_superuser(username=username, email="", password=password)
        if generated:
            self.stdout.write(
                self.style.WARNING(
                    f"Created admin user '{username}' with password: {password}\n"
                    "(shown only this once; set DJANGO_SUPERUSER_PASSWORD to choose it)"
                )
            )
        else:
            self.stdout.write(f"Created admin user '{username}'.")
