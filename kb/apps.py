from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "kb"
    verbose_name = "Knowledge base"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from kb import checks, follows, notifications, signals  # noqa: F401  (checks registers)
        from kb.search import signals as search_signals

        # The page cache and the search index subscribe to kb.events.content_changed.
        signals.connect()
        search_signals.connect()
        # The inbox listens to kb.events.activity.
        notifications.connect()
        # The question page's cached follow and bookmark state forgets what changes.
        follows.connect()
