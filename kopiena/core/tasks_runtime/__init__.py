"""Background-work runtime: the task worker, its heartbeats, the periodic clock and their health.

- ``worker.Worker`` claims django-tasks database rows (``SELECT … FOR UPDATE SKIP LOCKED``) and runs them.
- ``heartbeat`` records that a worker is alive; ``health`` reads those rows for /healthz and the banner.
- ``periodic`` reads ``settings.PERIODIC_TASKS``; ``clock.Clock`` enqueues them on the elected leader.
"""
