"""``manage.py pact_deliver``: send the PACT events whose next attempt is due (answers to partners' requests,
our own requests), and mark our requests no partner answered in time as expired.

Celery beat runs the same task every 30 seconds (``CELERY_BEAT_SCHEDULE``); without a broker (``make run``'s
eager mode, where a failed delivery cannot wait for its retry) this command, run from cron or by hand, is
what sends them again.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from lca.pact.models import PactEvent
from lca.pact.tasks import pact_deliveries_resume


class Command(BaseCommand):
    help = "Deliver the PACT events whose next attempt is due; expire requests left unanswered."

    def handle(self, *args: Any, **options: Any) -> None:
        due = pact_deliveries_resume()
        waiting = PactEvent.objects.filter(direction=PactEvent.Direction.OUTBOUND, status=PactEvent.Status.RETRYING)
        self.stdout.write(f"{due} due event(s) sent again; {waiting.count()} still waiting for a retry.")
