"""Leader election for ``kopiena clock``, so running two clocks is safe.

PostgreSQL: a session-level advisory lock on the clock's own connection. When the leader's process dies,
PostgreSQL drops its connection and the lock with it; a waiting clock takes over within a second.
SQLite (one machine): a lease row renewed every few seconds; another clock takes over once it expires.
"""

from __future__ import annotations

import contextlib
import time
from datetime import timedelta

from django.db import DatabaseError, connection, transaction
from django.db.models import Q

from kopiena.core.clock import now
from kopiena.core.models import ClockLease

# Two 32-bit keys, so pg_locks shows them as (classid, objid) and nothing else collides with them.
ADVISORY_KEYS = (0x6B6F7069, 0x636C6F63)  # "kopi", "cloc"
LEASE_NAME = "clock"
LEASE_SECONDS = 15.0
CONFIRM_EVERY_SECONDS = 3.0


class AdvisoryLockLeader:
    def __init__(self, holder: str) -> None:
        self.holder = holder
        self.held = False
        self._confirmed_at = 0.0

    def is_leader(self) -> bool:
        """Acquire the lock if free; confirm a held lock now and then (a dropped connection loses it)."""
        try:
            with connection.cursor() as cursor:
                if not self.held:
                    cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", ADVISORY_KEYS)
                    self.held = bool(cursor.fetchone()[0])
                    self._confirmed_at = time.monotonic()
                elif time.monotonic() - self._confirmed_at >= CONFIRM_EVERY_SECONDS:
                    cursor.execute(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                        "AND pid = pg_backend_pid() AND classid = %s AND objid = %s",
                        ADVISORY_KEYS,
                    )
                    self.held = cursor.fetchone()[0] > 0
                    self._confirmed_at = time.monotonic()
        except DatabaseError:
            self.held = False
            connection.close()
        return self.held

    def release(self) -> None:
        if self.held:
            with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
                # if this fails, the lock goes with the connection anyway
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", ADVISORY_KEYS)
        self.held = False


class LeaseLeader:
    def __init__(self, holder: str, *, lease_seconds: float = LEASE_SECONDS) -> None:
        self.holder = holder
        self.lease_seconds = lease_seconds
        self.held = False
        self._renew_after = 0.0

    def is_leader(self) -> bool:
        if self.held and time.monotonic() < self._renew_after:
            return True
        at = now()
        try:
            lease = ClockLease.objects.filter(name=LEASE_NAME).first()
            if lease is not None and lease.holder != self.holder and lease.expires_at > at:
                self.held = False  # somebody else leads; a plain read, so no write lock is taken
                return False
            with transaction.atomic():
                ClockLease.objects.get_or_create(name=LEASE_NAME, defaults={"expires_at": at})
                taken = (
                    ClockLease.objects.filter(name=LEASE_NAME)
                    .filter(Q(holder=self.holder) | Q(expires_at__lte=at))
                    .update(holder=self.holder, expires_at=at + timedelta(seconds=self.lease_seconds))
                )
        except DatabaseError:
            self.held = False
            return False
        self.held = taken == 1
        self._renew_after = time.monotonic() + self.lease_seconds / 5
        return self.held

    def release(self) -> None:
        if self.held:
            with contextlib.suppress(DatabaseError):  # if this fails, the lease expires on its own
                ClockLease.objects.filter(name=LEASE_NAME, holder=self.holder).update(expires_at=now())
        self.held = False


def leader_for(holder: str) -> AdvisoryLockLeader | LeaseLeader:
    return AdvisoryLockLeader(holder) if connection.vendor == "postgresql" else LeaseLeader(holder)
