from django.conf import settings
from django.db import models


class ToolkitEntry(models.Model):
    """A strategy a reader saved, with a private note: deleting the strategy would delete it."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    strategy = models.ForeignKey("guide.Strategy", on_delete=models.CASCADE, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "toolkit entries"

    def __str__(self) -> str:
        return f"{self.owner}'s note on {self.strategy}: {self.note}"


class Pin(models.Model):
    """A reader's pinned strategy, protected from deletion at the database level."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    strategy = models.ForeignKey("guide.Strategy", on_delete=models.PROTECT, related_name="pins")

    def __str__(self) -> str:
        return f"{self.owner}'s pin"


class AnswerRecord(models.Model):
    """A quiz answer: keeps its own copy of the sign's wording, so it only unlinks on delete."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    sign = models.ForeignKey(
        "guide.Sign", on_delete=models.SET_NULL, null=True, related_name="answer_records"
    )
    sign_text = models.CharField(max_length=300)
    rating = models.PositiveSmallIntegerField()

    def __str__(self) -> str:
        return f"{self.owner} rated {self.sign_text}"


class Bookmark(models.Model):
    """Readers' bookmarks as a many-to-many: deleting a strategy would drop the link row."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    strategies = models.ManyToManyField("guide.Strategy", related_name="bookmarks")

    def __str__(self) -> str:
        return f"{self.owner}'s bookmarks"
