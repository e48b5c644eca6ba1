"""Courses in the admin, for their instructors: each instructor sees and edits only the courses
they teach (a superuser sees all). Day-to-day work happens on the course pages under /courses/."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from dlquiz.accounts.services import user_is_instructor
from dlquiz.courses.models import (
    Assignment,
    AssignmentItem,
    Course,
    Enrollment,
    Extension,
    GradeHistory,
    GradeOverride,
    Section,
)
from dlquiz.courses.selectors import learners_visible_filter


class CourseScopedAdmin(admin.ModelAdmin):
    """Rows of the courses the user teaches. `course_path` leads from a row to its course."""

    course_path = "course"

    def _allowed(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and user_is_instructor(user))  # type: ignore[arg-type]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        rows = super().get_queryset(request)
        if request.user.is_superuser:
            return rows
        prefix = f"{self.course_path}__" if self.course_path else ""
        return rows.filter(
            **{
                f"{prefix}enrollments__user": request.user,
                f"{prefix}enrollments__role": Enrollment.Role.INSTRUCTOR,
            }
        ).distinct()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request) and (
            obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()
        )

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_view_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # New courses and assignments come from the course pages (join codes, items, seeds).
        return False


class LearnerScopedMixin:
    """For the admins of students' work (submissions, exam attempts, reviews, grades sent to an
    LMS): a site instructor sees only rows of people learners_visible_filter lets them read, so
    a course's students stay out of other courses' instructors' view."""

    learner_path = "user"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        rows = super().get_queryset(request)  # type: ignore[misc]
        return rows.filter(learners_visible_filter(viewer=request.user, path=self.learner_path))


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0


class EnrollmentInline(admin.TabularInline):
    model = Enrollment
    extra = 0
    fields = ["user", "role", "section", "source"]
    readonly_fields = ["user", "source"]

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # members join with the code, a roster or the course page


@admin.register(Course)
class CourseAdmin(CourseScopedAdmin):
    course_path = ""
    list_display = ["title", "code", "join_code", "join_enabled", "created_at"]
    search_fields = ["title", "code"]
    readonly_fields = ["join_code", "created_by", "created_at"]
    inlines = [SectionInline, EnrollmentInline]


class AssignmentItemInline(admin.TabularInline):
    model = AssignmentItem
    extra = 0
    fields = ["position", "exercise", "exam", "exam_variants", "points"]


class ExtensionInline(admin.TabularInline):
    model = Extension
    extra = 0
    fields = ["user", "due_at", "reason"]
    readonly_fields = ["user"]

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # granted on the assignment page


@admin.register(Assignment)
class AssignmentAdmin(CourseScopedAdmin):
    list_display = ["title", "course", "due_at", "exam_mode", "results_released_at", "is_published"]
    list_filter = ["exam_mode", "is_published"]
    search_fields = ["title", "course__title"]
    readonly_fields = ["results_released_at", "created_at"]
    inlines = [AssignmentItemInline, ExtensionInline]


@admin.register(GradeOverride)
class GradeOverrideAdmin(CourseScopedAdmin):
    course_path = "item__assignment__course"
    list_display = ["user", "item", "score", "created_by", "updated_at"]
    search_fields = ["user__username"]
    readonly_fields = ["item", "user", "score", "comment", "created_by", "updated_at"]

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # through the grade page, so that the history records every change


@admin.register(GradeHistory)
class GradeHistoryAdmin(CourseScopedAdmin):
    course_path = "item__assignment__course"
    list_display = ["user", "item", "reason", "old_score", "new_score", "changed_by", "created_at"]
    list_filter = ["reason"]
    search_fields = ["user__username"]

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
