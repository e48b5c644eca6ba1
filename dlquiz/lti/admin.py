from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from dlquiz.courses.admin import LearnerScopedMixin
from dlquiz.lti import services
from dlquiz.lti.models import CourseLink, GradeSend, ResourceLinkTarget


@admin.register(CourseLink)
class CourseLinkAdmin(admin.ModelAdmin):
    list_display = ("context", "course", "roster_synced_at")
    list_select_related = ("context", "course")
    raw_id_fields = ("context",)
    readonly_fields = ("roster_synced_at",)
    actions = ["roster_sync"]

    @admin.action(description=_("Sync the roster from the LMS"))
    def roster_sync(self, request: HttpRequest, queryset: QuerySet[CourseLink]) -> None:
        for link in queryset:
            try:
                result = services.roster_sync(link_id=link.pk)
            except Exception as exc:
                self.message_user(
                    request,
                    _("%(course)s: the LMS refused the roster request (%(reason)s).")
                    % {"course": link.course, "reason": exc},
                    messages.ERROR,
                )
                continue
            self.message_user(
                request,
                _(
                    "%(course)s: %(created)d accounts created, %(enrolled)d enrolled, %(same)d unchanged."
                )
                % {
                    "course": link.course,
                    "created": result.created,
                    "enrolled": result.enrolled,
                    "same": result.unchanged,
                },
            )


@admin.register(ResourceLinkTarget)
class ResourceLinkTargetAdmin(admin.ModelAdmin):
    list_display = ("resource_link", "assignment", "exercise", "lineitem_url")
    raw_id_fields = ("resource_link",)


@admin.register(GradeSend)
class GradeSendAdmin(LearnerScopedMixin, admin.ModelAdmin):
    list_display = ("created_at", "user", "target", "score_given", "score_maximum", "status")
    list_filter = ("status",)
    readonly_fields = (
        "target",
        "user",
        "score_given",
        "score_maximum",
        "status",
        "message",
        "created_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
