"""The background tasks of publishing (run by ``manage.py run_worker``)."""

from django_tasks import task

from publishing import scheduling


@task()
def run_scheduled_publish(schedule_id: int) -> str:
    """Publish a due schedule, or record why it could not go live."""
    return scheduling.run_schedule(schedule_id)
