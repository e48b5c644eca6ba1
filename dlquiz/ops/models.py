from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One instructor action that changes grades or what students see; written by services and
    signals, never edited (the admin shows it read-only)."""

    class Action(models.TextChoices):
        EXERCISE_CREATE = "exercise_create", _("exercise created")
        EXERCISE_CHANGE = "exercise_change", _("exercise settings changed")
        EXERCISE_PUBLISH = "exercise_publish", _("exercise published")
        EXERCISE_UNPUBLISH = "exercise_unpublish", _("exercise unpublished")
        REGRADE = "regrade", _("regrade started")
        GRADE_OVERRIDE = "grade_override", _("grade changed by hand")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Kept when the account is deleted, so the log still names who acted.
    actor_name = models.CharField(_("username"), max_length=150, blank=True, default="")
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    target_type = models.CharField(_("object type"), max_length=64)
    target_id = models.CharField(_("object id"), max_length=64)
    target_repr = models.CharField(_("object"), max_length=200)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or '-'} {self.action} {self.target_repr}"
