"""The background tasks of webhooks (run by ``manage.py run_worker``)."""

from django_tasks import task

from webhooks import delivery


@task()
def deliver(delivery_id: str) -> str:
    """Make one attempt at a delivery; returns what happened, for the task log."""
    return delivery.attempt(delivery_id)
