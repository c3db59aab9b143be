from django.db import models
from django.urls import reverse

from pilote.accounts.access import FollowUpModel, VisibleQuerySet


class NoteQuerySet(VisibleQuerySet):
    def search(self, text: str) -> "NoteQuerySet":
        if not text:
            return self
        return self.filter(models.Q(title__icontains=text) | models.Q(body__icontains=text))


class Note(FollowUpModel):
    """A free-text follow-up note about an EPCI, or about one of its establishments."""

    establishment = models.ForeignKey(
        "companies.Establishment",
        verbose_name="établissement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notes",
    )
    title = models.CharField("titre", max_length=200)
    body = models.TextField("texte", help_text="Mise en forme Markdown possible.")

    objects = NoteQuerySet.as_manager()

    class Meta:
        verbose_name = "note"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["epci", "visibility"]),
            models.Index(fields=["-created_at", "-id"], name="note_recent_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("notes:detail", kwargs={"pk": self.pk})
