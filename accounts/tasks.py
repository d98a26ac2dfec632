"""Background tasks of accounts (django-tasks), run by the worker (``manage.py run_worker``)."""

from django_tasks import task

from accounts import verification


@task()
def send_verification_email(user_id: int, site_url: str, attempt: int = 1) -> str:
    """E-mail the sign-up's verification link; a failed send queues the next attempt."""
    return verification.deliver(user_id, site_url, attempt=attempt)
