from celery import shared_task

from roles.notifications import delivery
from roles.notifications.routing import EMAIL_TASK, WEBHOOK_TASK


@shared_task(name=EMAIL_TASK)
def send_email(delivery_id: int) -> str:
    """One notification email (roles/notifications/delivery.py); retries are new messages."""
    return delivery.deliver(delivery_id)


@shared_task(name=WEBHOOK_TASK)
def send_webhook(delivery_id: int) -> str:
    """One webhook event (roles/notifications/delivery.py); retries are new messages."""
    return delivery.deliver(delivery_id)
