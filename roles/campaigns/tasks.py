from celery import shared_task

from roles.campaigns import run
from roles.campaigns.kind import ADVANCE


@shared_task(name=ADVANCE, bind=True)
def advance_campaign(self, campaign_id: int) -> str:
    return run.advance(campaign_id, task_id=self.request.id or "")
