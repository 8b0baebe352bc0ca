from django.core.management.base import BaseCommand, CommandError

from policies.files import PolicyFileError, load_policy_file


class Command(BaseCommand):
    help = "Load DQM policy files (YAML or JSON). Loading an unchanged file changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")

    def handle(self, *args, paths, **options):
        for path in paths:
            try:
                result = load_policy_file(path)
            except PolicyFileError as exc:
                problems = "\n  ".join(exc.problems)
                raise CommandError(f"{path} was not loaded:\n  {problems}") from None
            policy = result.policy
            if result.created:
                self.stdout.write(f"{path}: created {policy.code} (from {policy.effective_from})")
            elif result.changes:
                self.stdout.write(f"{path}: updated {policy.code}: {', '.join(result.changes)}")
            else:
                self.stdout.write(f"{path}: {policy.code} unchanged")
