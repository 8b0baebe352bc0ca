import yaml
from django.core.management.base import BaseCommand, CommandError

from policies.files import export_policy
from policies.models import Policy


class Command(BaseCommand):
    help = "Write a policy version in the policy file format (YAML) to standard output."

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument(
            "--effective-from", help="Which version (YYYY-MM-DD); default: the latest."
        )

    def handle(self, *args, code, effective_from=None, **options):
        versions = Policy.objects.filter(code=code)
        if effective_from:
            versions = versions.filter(effective_from=effective_from)
        policy = versions.order_by("-effective_from").first()
        if policy is None:
            raise CommandError(f"No policy with code {code!r}.")
        self.stdout.write(
            yaml.safe_dump(export_policy(policy), sort_keys=False, allow_unicode=True)
        )
