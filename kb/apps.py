from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "kb"
    verbose_name = "Knowledge base"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from kb import checks, notifications, signals  # noqa: F401  (checks registers on import)
        from kb.search import signals as search_signals

        # The page cache and the search index subscribe to kb.events.content_changed.
        signals.connect()
        search_signals.connect()
        # The inbox listens to kb.events.activity.
        notifications.connect()
