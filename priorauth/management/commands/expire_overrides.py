from django.core.management.base import BaseCommand

from priorauth import services


class Command(BaseCommand):
    help = (
        "Store `expired` on active overrides past their end date (what the beat task does). "
        "Safe to run at any time, and at the same time as the task."
    )

    def handle(self, *args, **options):
        changed = services.overrides_expire()
        self.stdout.write(f"{changed} override(s) expired.")
