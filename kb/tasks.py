"""Background tasks (django-tasks): run by the worker, ``manage.py run_worker``.

Enqueued after the commit, never run inside a request with the database backend, the
default (settings ``TASKS``, ``KB_TASKS_BACKEND``). Arguments are JSON: ids, not objects.
"""

from django_tasks import task

from kb import emails


@task()
def send_notification_email(notification_id: int, attempt: int = 1) -> str:
    """E-mail one notification; a failed send enqueues the next attempt itself."""
    return emails.send_immediate(notification_id, attempt=attempt)
