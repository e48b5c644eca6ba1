"""What dlquiz adds to django-lti's platform records (registrations, deployments, contexts,
resource links, users): which course a platform context runs as, which assignment or exercise a
resource link opens, and every grade sent back to a platform."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from lti_tool.models import LtiContext, LtiResourceLink

from dlquiz.coding.models import Exercise
from dlquiz.courses.models import Assignment, Course


class CourseLink(models.Model):
    """A platform's course (LTI context) run as a dlquiz course: launches enrol their users in
    it and the roster sync fills it."""

    context = models.OneToOneField(
        LtiContext, on_delete=models.CASCADE, related_name="dlquiz_link", verbose_name=_("context")
    )
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="lti_links", verbose_name=_("course")
    )
    roster_synced_at = models.DateTimeField(_("roster synced at"), null=True, blank=True)

    class Meta:
        verbose_name = _("linked LMS course")
        verbose_name_plural = _("linked LMS courses")

    def __str__(self) -> str:
        return f"{self.context} → {self.course}"


class ResourceLinkTarget(models.Model):
    """What a platform link opens: an assignment of the linked course, or an exercise."""

    resource_link = models.OneToOneField(
        LtiResourceLink,
        on_delete=models.CASCADE,
        related_name="dlquiz_target",
        verbose_name=_("resource link"),
    )
    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="lti_targets",
        verbose_name=_("assignment"),
    )
    exercise = models.ForeignKey(
        Exercise,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="lti_targets",
        verbose_name=_("exercise"),
    )
    lineitem_url = models.URLField(_("line item URL"), max_length=500, blank=True)
    ags_scopes = models.JSONField(_("grade service scopes"), default=list, blank=True)

    class Meta:
        verbose_name = _("link target")
        verbose_name_plural = _("link targets")

    def __str__(self) -> str:
        return f"{self.resource_link} → {self.assignment or self.exercise}"


class GradeSend(models.Model):
    """One grade sent (or refused) to a platform's line item."""

    class Status(models.TextChoices):
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    target = models.ForeignKey(
        ResourceLinkTarget,
        on_delete=models.CASCADE,
        related_name="grade_sends",
        verbose_name=_("link target"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("student"),
    )
    score_given = models.FloatField(_("score"), null=True, blank=True)
    score_maximum = models.FloatField(_("maximum score"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    message = models.TextField(_("message"), blank=True, default="")
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("grade sent to the LMS")
        verbose_name_plural = _("grades sent to the LMS")

    def __str__(self) -> str:
        return f"{self.user_id} {self.score_given}/{self.score_maximum} {self.status}"
