from celery import shared_task

from roles import jobs
from roles.outbound import delivery


@shared_task(name=jobs.SEND_EMAIL)
def send_email(delivery_id: int) -> str:
    """One notification email (roles/outbound/delivery.py); retries are new messages."""
    return delivery.deliver(delivery_id)


@shared_task(name=jobs.SEND_WEBHOOK)
def send_webhook(delivery_id: int) -> str:
    """One webhook event (roles/outbound/delivery.py); retries are new messages."""
    return delivery.deliver(delivery_id)
