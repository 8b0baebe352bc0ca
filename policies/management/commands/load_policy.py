from django.core.management.base import BaseCommand, CommandError

from policies.files import PolicyFileError, load_policy_file


class Command(BaseCommand):
    help = "Load DQM policy files (YAML or JSON). Loading an unchanged file changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument(
            "--new-only",
            action="store_true",
            help=(
                "Only create versions that are not in the database yet; leave existing ones "
                "as the policy admins left them (for deploys once policies are kept in the UI)."
            ),
        )

    def handle(self, *args, paths, new_only=False, **options):
        for path in paths:
            try:
                result = load_policy_file(path, new_only=new_only)
            except PolicyFileError as exc:
                raise CommandError(exc.not_loaded_message(path)) from None
            policy = result.policy
            if result.created:
                self.stdout.write(f"{path}: created {policy.code} (from {policy.effective_from})")
            elif result.changes:
                self.stdout.write(f"{path}: updated {policy.code}: {', '.join(result.changes)}")
            else:
                self.stdout.write(f"{path}: {policy.code} unchanged")
