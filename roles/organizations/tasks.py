from celery import shared_task
from django.contrib.auth import get_user_model

from roles import jobs
from roles.organizations import discovery
from roles.organizations.discovery import DISCOVER_TASK
from roles.organizations.models import Organization

# Beat's discovery of every connected organization (settings.CELERY_BEAT_SCHEDULE).
SCHEDULE_TASK = "rolecall.organizations.schedule"


@shared_task(name=DISCOVER_TASK)
def discover_organization(org_id: int, user_id: int | None = None) -> str:
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    if not Organization.objects.filter(pk=org_id).exists():
        return "gone"
    org = discovery.discover(org_id, user=user)
    return "failed" if org.discovery_error else "discovered"


@shared_task(name=SCHEDULE_TASK)
def discover_all_organizations() -> int:
    ids = list(Organization.objects.values_list("pk", flat=True))
    for pk in ids:
        jobs.publish(DISCOVER_TASK, pk)
    return len(ids)
