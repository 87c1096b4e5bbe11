"""`manage.py suggestions status|requeue [--failed]`: the suggestion pipeline at a glance."""

import json

from django.core.management.base import BaseCommand

from annotations import pipeline
from annotations.suggest import ENGINE_VERSION


class Command(BaseCommand):
    help = "Show the suggestion pipeline's state, or re-queue what is missing (and, with --failed, what failed)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        status = sub.add_parser("status", help="counts by state, failures by reason, oldest pending age")
        status.add_argument("--json", action="store_true", help="one JSON object instead of lines")
        requeue = sub.add_parser("requeue", help="record missing runs and wake workers")
        requeue.add_argument("--failed", action="store_true", help="also retry runs that failed")

    def handle(self, *args, action, **options):
        if action == "requeue":
            count = pipeline.requeue(failed=options["failed"])
            self.stdout.write(f"requeued={count}")
            return
        state = pipeline.status()
        if options["json"]:
            self.stdout.write(json.dumps(state))
            return
        for key in ("pending", "running", "done", "failed", "superseded"):
            self.stdout.write(f"{key:<12}{state[key]}")
        for reason, count in sorted(state["failed_by_reason"].items()):
            self.stdout.write(f"  failed: {reason}: {count}")
        oldest = state["oldest_pending_seconds"]
        self.stdout.write(f"oldest pending: {'-' if oldest is None else f'{oldest} s'}")
        self.stdout.write(f"engine: {state['engine_version']}")
        if state["engine_problem"]:
            self.stdout.write(f"  it cannot be read, the rules ({ENGINE_VERSION}) suggest instead: {state['engine_problem']}")
