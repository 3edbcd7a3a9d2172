"""The worker, heartbeats, health, the clock and its leader election — in-process, on the test database."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.urls import reverse
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kopiena.core.clock import now
from kopiena.core.models import PeriodicTaskState, WorkerHeartbeat
from kopiena.core.tasks_runtime.clock import Clock
from kopiena.core.tasks_runtime.health import (
    forget_cached_worker_status,
    health_report,
    silence_limit_seconds,
    worker_status,
)
from kopiena.core.tasks_runtime.leader import AdvisoryLockLeader, LeaseLeader
from kopiena.core.tasks_runtime.maintenance import runtime_tidy
from kopiena.core.tasks_runtime.periodic import PeriodicTask, periodic_tasks
from kopiena.core.tasks_runtime.worker import Worker
from kopiena.teams.models import Role
from tests.core import tasks


def wait_for(condition, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def beat(worker_id: str, *, ago_seconds: float, stopped: bool = False) -> WorkerHeartbeat:
    at = now() - timedelta(seconds=ago_seconds)
    return WorkerHeartbeat.objects.create(
        worker_id=worker_id,
        host="test",
        pid=1,
        queues=["default"],
        started_at=at,
        last_seen=at,
        stopped_at=at if stopped else None,
    )


@pytest.fixture(autouse=True)
def _fresh_banner_cache():
    forget_cached_worker_status()
    yield
    forget_cached_worker_status()


@pytest.mark.django_db(transaction=True)
def test_worker_runs_tasks_on_threads_and_records_its_heartbeat():
    results = [tasks.double.enqueue(n) for n in range(6)]
    worker = Worker(queues=["default"], concurrency=2, poll_interval_seconds=0.05)
    thread = threading.Thread(target=worker.run)
    thread.start()
    try:
        assert wait_for(lambda: DBTaskResult.objects.successful().count() == 6)
        assert WorkerHeartbeat.objects.get(worker_id=worker.worker_id).stopped_at is None
        assert not worker_status().stale
    finally:
        worker.stop_event.set()
        thread.join(10)
    assert not thread.is_alive()
    assert sorted(DBTaskResult.objects.values_list("return_value", flat=True)) == [0, 2, 4, 6, 8, 10]
    for result in results:
        row = DBTaskResult.objects.get(pk=result.id)
        assert row.worker_ids == [worker.worker_id]  # claimed once, by this worker
    heartbeat = WorkerHeartbeat.objects.get(worker_id=worker.worker_id)
    assert heartbeat.stopped_at is not None
    assert heartbeat.tasks_done == 6
    assert worker_status().stale  # a gracefully stopped worker is not a running one


@pytest.mark.django_db(transaction=True)
def test_worker_only_takes_its_own_queues():
    tasks.double.using(queue_name="reports").enqueue(1)
    worker = Worker(queues=["default"], poll_interval_seconds=0.05)
    thread = threading.Thread(target=worker.run)
    thread.start()
    time.sleep(0.5)
    worker.stop_event.set()
    thread.join(10)
    assert DBTaskResult.objects.get().status == TaskResultStatus.READY


@pytest.mark.django_db
def test_worker_status_goes_stale_after_the_threshold(settings):
    settings.WORKER_STALE_SECONDS = 60
    # Beats every 5 s, banner cached 5 s: silent for 50 s means gone, so the banner shows within 60 s.
    assert silence_limit_seconds() == 50
    assert worker_status().stale  # nobody ever started
    beat("old", ago_seconds=51)
    assert worker_status().stale
    beat("stopped", ago_seconds=1, stopped=True)
    assert worker_status().stale
    beat("fresh", ago_seconds=49)
    status = worker_status()
    assert not status.stale and status.alive == 1


@pytest.mark.django_db
def test_healthz_is_503_without_a_worker_and_200_with_one(client, make_user):
    tasks.double.enqueue(1)
    assert client.get("/healthz").json() == {"status": "unhealthy"}  # anonymous: the status alone
    client.force_login(make_user("ops", is_staff=True))  # the details are for staff (issue 9.16)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["database"]["ok"] is True
    assert body["queues"]["default"] == {"ready": 1, "running": 0}
    assert body["oldest_due_task_age_seconds"] is not None
    beat("fresh", ago_seconds=2)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["workers"]["alive"] == 1
    assert "host" not in response.content.decode()  # no host names or pids even for staff


@pytest.mark.django_db
def test_oldest_due_age_ignores_tasks_scheduled_for_later():
    tasks.double.using(run_after=now() + timedelta(hours=1)).enqueue(1)
    assert health_report().oldest_due_age_seconds is None
    stale = tasks.double.enqueue(2)
    DBTaskResult.objects.filter(pk=stale.id).update(enqueued_at=now() - timedelta(seconds=90))
    assert health_report().oldest_due_age_seconds >= 90


@pytest.mark.django_db
def test_banner_and_health_page_follow_the_heartbeat(login, member, workspace):
    client = login(member(Role.CONTRIBUTOR))
    url = reverse("health", kwargs={"ws": workspace.slug})
    page = client.get(url)
    assert page.status_code == 200
    assert 'data-testid="worker-banner"' in page.content.decode()
    beat("fresh", ago_seconds=1)
    forget_cached_worker_status()
    page = client.get(url)
    assert 'data-testid="worker-banner"' not in page.content.decode()
    assert "fresh" in page.content.decode()  # the worker table lists it


@pytest.mark.django_db
def test_health_page_is_404_for_non_members(login, make_user, workspace):
    client = login(make_user("outsider"))
    assert client.get(reverse("health", kwargs={"ws": workspace.slug})).status_code == 404


def test_periodic_registry_is_checked():
    assert periodic_tasks()  # the shipped settings resolve
    ok = periodic_tasks([("tests.core.tasks.tick", 5)])
    assert ok[0].task is tasks.tick and ok[0].every_seconds == 5
    for bad in (
        [("tests.core.tasks.not_a_task", 5)],
        [("tests.core.tasks.missing", 5)],
        [("tests.core.tasks.tick", 0)],
        [("tests.core.tasks.tick", 5), ("tests.core.tasks.tick", 10)],
        ["tests.core.tasks.tick"],
    ):
        with pytest.raises(ImproperlyConfigured):
            periodic_tasks(bad)


@pytest.mark.django_db
def test_clock_enqueues_on_schedule_without_piling_up():
    clock = Clock(entries=periodic_tasks([("tests.core.tasks.tick", 60)]))
    t0 = now()
    assert clock.tick(t0) == ["tests.core.tasks.tick"]
    assert clock.tick(t0 + timedelta(seconds=30)) == []
    # Due again, but the first run is still waiting for a worker: no second copy.
    assert clock.tick(t0 + timedelta(seconds=61)) == []
    DBTaskResult.objects.update(status=TaskResultStatus.SUCCESSFUL)
    assert clock.tick(t0 + timedelta(seconds=62)) == ["tests.core.tasks.tick"]
    assert DBTaskResult.objects.filter(task_path="tests.core.tasks.tick").count() == 2
    # A clock that takes over continues the stored schedule instead of firing at once.
    DBTaskResult.objects.update(status=TaskResultStatus.SUCCESSFUL)
    successor = Clock(entries=periodic_tasks([("tests.core.tasks.tick", 60)]))
    assert successor.tick(t0 + timedelta(seconds=70)) == []
    assert PeriodicTaskState.objects.get().last_enqueued_at == t0 + timedelta(seconds=62)


@pytest.mark.django_db(transaction=True)
def test_lease_leader_is_exclusive_and_taken_over_when_it_expires():
    first, second = LeaseLeader("a", lease_seconds=0.5), LeaseLeader("b", lease_seconds=0.5)
    assert first.is_leader()
    assert not second.is_leader()
    time.sleep(0.6)  # "a" stopped renewing (died)
    assert second.is_leader()
    assert not LeaseLeader("c").is_leader()
    second.release()
    assert LeaseLeader("c").is_leader()


@pytest.mark.django_db(transaction=True)
def test_advisory_lock_leader_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; SQLite uses the lease (tested above)")
    leader = AdvisoryLockLeader("a")
    assert leader.is_leader()
    outcomes = []

    def contender():
        other = AdvisoryLockLeader("b")
        outcomes.append(other.is_leader())
        leader_released.wait(10)
        outcomes.append(other.is_leader())
        other.release()
        connection.close()

    leader_released = threading.Event()
    thread = threading.Thread(target=contender)
    thread.start()
    assert wait_for(lambda: len(outcomes) == 1)
    leader.release()
    leader_released.set()
    thread.join(10)
    assert outcomes == [False, True]


@pytest.mark.django_db
def test_tidy_fails_tasks_orphaned_by_a_dead_worker(settings):
    settings.WORKER_STALE_SECONDS = 60
    orphan = tasks.double.enqueue(1)
    healthy = tasks.double.enqueue(2)
    beat("alive", ago_seconds=1)
    long_ago = now() - timedelta(hours=1)
    DBTaskResult.objects.filter(pk=orphan.id).update(
        status=TaskResultStatus.RUNNING, started_at=long_ago, worker_ids=["dead"]
    )
    DBTaskResult.objects.filter(pk=healthy.id).update(
        status=TaskResultStatus.RUNNING, started_at=long_ago, worker_ids=["alive"]
    )
    old_success, recent_success, old_failure = (tasks.double.enqueue(n) for n in (3, 4, 5))
    DBTaskResult.objects.filter(pk=old_success.id).update(
        status=TaskResultStatus.SUCCESSFUL, finished_at=now() - timedelta(days=8)
    )
    DBTaskResult.objects.filter(pk=recent_success.id).update(
        status=TaskResultStatus.SUCCESSFUL, finished_at=now() - timedelta(days=6)
    )
    DBTaskResult.objects.filter(pk=old_failure.id).update(
        status=TaskResultStatus.FAILED, finished_at=now() - timedelta(days=8)
    )
    outcome = runtime_tidy.call()
    assert outcome["orphaned_tasks_failed"] == 1
    assert outcome["finished_tasks_pruned"] == 1
    assert DBTaskResult.objects.get(pk=orphan.id).status == TaskResultStatus.FAILED
    assert DBTaskResult.objects.get(pk=healthy.id).status == TaskResultStatus.RUNNING
    assert not DBTaskResult.objects.filter(pk=old_success.id).exists()
    assert DBTaskResult.objects.filter(pk__in=[recent_success.id, old_failure.id]).count() == 2


@pytest.mark.django_db(transaction=True)
def test_failures_are_recorded_honestly_and_the_worker_keeps_going():
    failing = tasks.boom.enqueue()
    unstorable = tasks.unstorable.enqueue()
    fine = tasks.double.enqueue(21)
    worker = Worker(queues=["default"], poll_interval_seconds=0.05)
    thread = threading.Thread(target=worker.run)
    thread.start()
    try:
        assert wait_for(lambda: DBTaskResult.objects.finished().count() == 3)
    finally:
        worker.stop_event.set()
        thread.join(10)
    failed = DBTaskResult.objects.get(pk=failing.id)
    assert failed.status == TaskResultStatus.FAILED
    assert failed.exception_class_path == "builtins.RuntimeError"
    assert "roaster overheated" in failed.traceback
    assert DBTaskResult.objects.get(pk=unstorable.id).status == TaskResultStatus.FAILED
    assert DBTaskResult.objects.get(pk=fine.id).return_value == 42


class UnenqueueableTask:
    """Stands in for a task whose enqueue fails (e.g. an argument it cannot serialise)."""

    def enqueue(self):
        raise ValueError("cannot enqueue")


@pytest.mark.django_db
def test_one_broken_periodic_task_does_not_stop_the_others():
    broken = PeriodicTask(path="tests.core.tasks.broken", every_seconds=60, task=UnenqueueableTask())
    clock = Clock(entries=[broken, *periodic_tasks([("tests.core.tasks.tick", 60)])])
    assert clock.tick(now()) == ["tests.core.tasks.tick"]
    assert DBTaskResult.objects.get().task_path == "tests.core.tasks.tick"
