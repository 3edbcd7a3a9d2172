"""Tasks the runtime tests enqueue (importable by the worker through their dotted path)."""

from django_tasks import task


@task()
def double(n: int) -> int:
    return 2 * n


@task()
def tick() -> str:
    return "tick"


def not_a_task() -> None:
    """A plain function: the periodic registry must refuse it."""


@task()
def boom() -> None:
    raise RuntimeError("roaster overheated")


@task()
def unstorable() -> object:
    return object()  # not JSON: the result cannot be stored, so the task must count as failed
