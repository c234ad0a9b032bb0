"""Asynchronous service-linked role deletion, as IAM documents it.

``DeleteServiceLinkedRole`` only submits a task.  The task answers NOT_STARTED,
then IN_PROGRESS, and when it finishes the linked service decides (``usage.CHECKS``):
if the role is still in use (for ECS: any cluster that is not INACTIVE, in any
region) the task FAILS with the usage list and the role stays; otherwise it SUCCEEDS
and the role is gone.  The duration is wall time (``seconds`` mode) or a number of
status calls (``polls`` mode, for fast tests).  All functions run under ``state.LOCK``.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import asdict, dataclass, replace

from moto.iam.exceptions import InvalidInput, NotFoundException
from moto.iam.models import IAMBackend, iam_backends

from . import usage

SLR_PATH_PREFIX = "/aws-service-role/"

TASK_ID_RE = re.compile(
    r"^task/aws-service-role/(?P<principal>[\w.+=,@-]+)/(?P<role>[\w+=,.@-]+)/"
    r"(?P<uuid>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
)


@dataclass
class DeletionConfig:
    mode: str = "seconds"  # "seconds" or "polls"
    seconds: float = 3.0
    polls: int = 2
    # AWS warns a service may report only some of the resources that block deletion.
    partial_usage: bool = False
    # Let a succeeded task vanish with its role, so the status call answers NoSuchEntity.
    forget_task_on_success: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


DEFAULTS = DeletionConfig()
CONFIG = replace(DEFAULTS)


@dataclass
class Task:
    task_id: str
    account: str
    role_name: str
    role_arn: str
    principal: str
    started: float
    mode: str
    seconds: float
    polls: int
    status_calls: int = 0
    status: str = "NOT_STARTED"
    reason: dict | None = None

    @property
    def finished(self) -> bool:
        return self.status in ("SUCCEEDED", "FAILED")


TASKS: dict[tuple[str, str], Task] = {}
UNFINISHED: dict[tuple[str, str], str] = {}  # (account, role name) -> task id


def reset() -> None:
    global CONFIG
    TASKS.clear()
    UNFINISHED.clear()
    CONFIG = replace(DEFAULTS)


def configure(**changes) -> DeletionConfig:
    global CONFIG
    CONFIG = replace(CONFIG, **{k: v for k, v in changes.items() if v is not None})
    return CONFIG


def is_service_linked(role) -> bool:
    return role.path.startswith(SLR_PATH_PREFIX)


def linked_service(role) -> str | None:
    """The principal a service-linked role belongs to (None for any other role)."""
    return role.path[len(SLR_PATH_PREFIX) :].strip("/") if is_service_linked(role) else None


def submit(backend: IAMBackend, role_name: str) -> str:
    role = backend.get_role(role_name)  # NoSuchEntity for an unknown role
    if not is_service_linked(role):
        raise InvalidInput(f"Role {role_name} is not a service-linked role.")
    key = (backend.account_id, role.name)
    if key in UNFINISHED:
        # AWS: an earlier task that is not complete is returned again.
        return UNFINISHED[key]
    principal = linked_service(role)
    task = Task(
        task_id=f"task/aws-service-role/{principal}/{role.name}/{uuid.uuid4()}",
        account=backend.account_id,
        role_name=role.name,
        role_arn=role.arn,
        principal=principal,
        started=time.monotonic(),
        mode=CONFIG.mode,
        seconds=CONFIG.seconds,
        polls=CONFIG.polls,
    )
    TASKS[(task.account, task.task_id)] = task
    UNFINISHED[key] = task.task_id
    return task.task_id


def status(backend: IAMBackend, task_id: str) -> dict:
    if not TASK_ID_RE.match(task_id or ""):
        raise InvalidInput(f"Invalid DeletionTaskId: {task_id}")
    task = TASKS.get((backend.account_id, task_id))
    if task is None:
        raise NotFoundException(f"Deletion task {task_id} does not exist.")
    if not task.finished:
        task.status_calls += 1
        _advance(task)
        if (task.account, task.task_id) not in TASKS:  # forgotten on success
            raise NotFoundException(f"Deletion task {task_id} does not exist.")
    answer: dict = {"Status": task.status}
    if task.reason:
        answer["Reason"] = task.reason
    return answer


def tick() -> None:
    """Finish wall-clock tasks whose time has come (called before every AWS call)."""
    for task in [t for t in TASKS.values() if not t.finished and t.mode == "seconds"]:
        _advance(task)


def _advance(task: Task) -> None:
    if task.mode == "polls":
        # Status call 1 answers NOT_STARTED, calls 2..N IN_PROGRESS, call N+1 the outcome.
        if task.status_calls > task.polls:
            _finish(task)
        elif task.status_calls > 1:
            task.status = "IN_PROGRESS"
        return
    elapsed = time.monotonic() - task.started
    if elapsed >= task.seconds:
        _finish(task)
    elif elapsed >= task.seconds * 0.2:
        task.status = "IN_PROGRESS"


def _finish(task: Task) -> None:
    UNFINISHED.pop((task.account, task.role_name), None)
    backend = iam_backends[task.account]["aws"]
    refusal = usage.REFUSALS.get(task.principal)
    reason = refusal(task) if refusal else None
    if reason:
        task.status, task.reason = "FAILED", {"Reason": reason}
        return
    check = usage.CHECKS.get(task.principal)
    in_use = check(task) if check else []
    if in_use:
        task.status = "FAILED"
        reported = in_use[:1] if CONFIG.partial_usage else in_use
        count = sum(len(u["Resources"]) for u in reported)
        task.reason = {
            "Reason": (
                f"Service role {task.role_name} is being used by {count} {task.principal} "
                f"resource(s). Delete the resources listed and submit the deletion again."
            ),
            "RoleUsageList": reported,
        }
        return
    task.status = "SUCCEEDED"
    remove_role(backend, task.role_name)
    if CONFIG.forget_task_on_success:
        TASKS.pop((task.account, task.task_id), None)


def remove_role(backend: IAMBackend, role_name: str) -> None:
    """Drop a role the way the linked service does: policies detached, role gone."""
    try:
        role = backend.get_role(role_name)
    except NotFoundException:
        return
    for policy in list(role.managed_policies.values()):
        policy.detach_from(role)
    del backend.roles[role.id]
    from . import advisor

    advisor.forget(backend.account_id, role.arn)
