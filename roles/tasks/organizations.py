from celery import shared_task
from django.contrib.auth import get_user_model

from roles import discovery, jobs
from roles.models import Organization


@shared_task(name=jobs.DISCOVER_ORGANIZATION)
def discover_organization(org_id: int, user_id: int | None = None) -> str:
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    if not Organization.objects.filter(pk=org_id).exists():
        return "gone"
    org = discovery.discover(org_id, user=user)
    return "failed" if org.discovery_error else "discovered"


@shared_task(name="rolecall.organizations.schedule")
def discover_all_organizations() -> int:
    ids = list(Organization.objects.values_list("pk", flat=True))
    for pk in ids:
        jobs.publish(jobs.DISCOVER_ORGANIZATION, pk)
    return len(ids)
