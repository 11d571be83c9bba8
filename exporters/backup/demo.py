"""Demo data of the backup copy: every published demo passport copied to the second store, as publication does.

Runs each copy through the Celery task itself, eagerly in this process (``apply``), so the demo shows backup
locations in the registry records and the admin whether or not a worker is running.
"""

from __future__ import annotations

from exporters.backup.replication import versions_needing_backup
from exporters.backup.tasks import replicate_version_task


def seed_backups() -> int:
    """Copy the published demo versions that have no confirmed, current copy yet; returns how many."""
    ids = list(versions_needing_backup().order_by("pk").values_list("pk", flat=True))
    for version_id in ids:
        replicate_version_task.apply(args=[version_id], throw=True)
    return len(ids)
