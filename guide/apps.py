from django.apps import AppConfig
from django.db.models.signals import post_migrate


class GuideConfig(AppConfig):
    name = "guide"
    verbose_name = "Guide content"

    def ready(self) -> None:
        from guide.editors import ensure_editors_group
        from guide.page_cache import connect_signals

        post_migrate.connect(ensure_editors_group, sender=self)
        connect_signals(self.get_models())
