"""The yearly publication of the reporting figures (docs/domain.md §11)."""

from django.core.management.base import BaseCommand, CommandError

from priorauth import inputs, selectors
from priorauth.api.metrics import metrics_json
from priorauth.metrics_csv import figures_lines


class Command(BaseCommand):
    help = (
        "Write the reporting figures for requests received from --from to --to (local dates, "
        "both included; default the last 30 days): json is the API's document, csv one row "
        "per group with every figure as a column."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="from", help="First day, YYYY-MM-DD.")
        parser.add_argument("--to", dest="to", help="Last day, YYYY-MM-DD.")
        parser.add_argument("--format", choices=("csv", "json"), default="json")
        parser.add_argument("--output", help="Write to this file instead of stdout.")

    def handle(self, *args, **options):
        report = selectors.metrics_report(**_range(options))
        if options["format"] == "json":
            text = metrics_json(report) + "\n"
        else:
            text = "".join(figures_lines(report.groups()))
        if options["output"]:
            # newline="": the csv module already ends its lines with \r\n.
            with open(options["output"], "w", encoding="utf-8", newline="") as target:
                target.write(text)
        else:
            self.stdout.write(text, ending="")


def _range(options) -> dict:
    """The same checks and messages as the API's ?from=&to=."""
    given = {name: options[name] for name in ("from", "to") if options.get(name)}
    checked = inputs.MetricsRangeInput(data=given)
    if not checked.is_valid():
        messages = [
            f"--{field}: {message}"
            for field, problems in checked.errors.items()
            for message in problems
        ]
        raise CommandError(" ".join(messages))
    return checked.validated_data
