from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save


def _link_str(link) -> str:
    """A many-to-many row (a sign's strategy, a chapter's reference) in words: the delete
    confirmation lists the links that go, and "Sign_strategies object (2)" says nothing."""
    ends = [getattr(link, field.name) for field in link._meta.fields if field.is_relation]
    return " → ".join(f"{end._meta.verbose_name} “{end}”" for end in ends)


class GuideConfig(AppConfig):
    name = "guide"
    verbose_name = "Guide content"

    def ready(self) -> None:
        from guide import (
            search,
            signals,  # noqa: F401  (connects the change-note receiver)
            stored_html,
        )
        from guide.editors import ensure_editors_group
        from guide.models import EDITORIAL_MODELS
        from guide.page_cache import connect_signals

        post_migrate.connect(ensure_editors_group, sender=self)
        # A new renderer re-renders the stored HTML on the next migrate (every deploy's).
        post_migrate.connect(stored_html.refresh_all, sender=self)
        # Drafts and who is editing what are staff bookkeeping: writing them changes no page.
        connect_signals(m for m in self.get_models() if m not in EDITORIAL_MODELS)
        for source in search.SOURCES:
            post_save.connect(search.index, sender=source.model, dispatch_uid=f"search-{source}")
        from django.db.models.signals import post_delete

        from guide.drafts import forget_drafts

        for model in self.get_models():
            if model not in EDITORIAL_MODELS and hasattr(model, "history"):
                post_delete.connect(forget_drafts, sender=model, dispatch_uid=f"drafts-{model}")
        for model in self.get_models(include_auto_created=True):
            if model._meta.auto_created:  # the many-to-many tables Django made
                model.__str__ = _link_str
