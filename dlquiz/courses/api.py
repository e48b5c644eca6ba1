"""Courses over the API. Thin: parse, call one service or selector, shape. Anything of a course
the caller does not belong to reads as unknown (404); a member without the role gets 403."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.validators import RegexValidator
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import (
    NotAuthenticated,
    PermissionDenied,
    Throttled,
    ValidationError,
)
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dlquiz.coding.serializers import StrictCharField
from dlquiz.coding.services import SubmissionInvalid, SubmissionQuotaExceeded
from dlquiz.core.api import INVALID, NOT_FOUND, UNAUTHORIZED
from dlquiz.core.serializers import ErrorSerializer
from dlquiz.courses import selectors, services
from dlquiz.courses.models import Assignment, AssignmentItem, Enrollment, Section
from dlquiz.courses.services import CourseError, CoursePermissionDenied

FORBIDDEN = OpenApiResponse(ErrorSerializer, description="A member without the needed role.")
THROTTLED = OpenApiResponse(ErrorSerializer, description="Too many submissions being graded.")


def _id(raw: str) -> int:
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise Http404
    return int(raw)


def _actor(request: Request) -> User:
    """The authenticated caller (the API lets no anonymous request through to a view)."""
    if not isinstance(request.user, User):
        raise NotAuthenticated
    return request.user


def _course(request: Request, course_id: str) -> selectors.CourseMembership:
    membership = selectors.course_get_for(user=request.user, course_id=_id(course_id))
    if membership is None:
        raise Http404
    return membership


def _assignment(request: Request, assignment_id: str) -> tuple[Assignment, str]:
    found = selectors.assignment_get_for(user=request.user, assignment_id=_id(assignment_id))
    if found is None:
        raise Http404
    return found


def _staff(role: str) -> None:
    if role not in selectors.STAFF_ROLES:
        raise PermissionDenied


class _Call:
    """Turns the services' refusals into API answers."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        if isinstance(exc, CourseError):
            raise ValidationError(exc.errors) from exc
        if isinstance(exc, SubmissionInvalid):
            raise ValidationError(exc.errors) from exc
        if isinstance(exc, SubmissionQuotaExceeded):
            raise Throttled(wait=exc.retry_after_s, detail=str(exc)) from exc
        if isinstance(exc, CoursePermissionDenied):
            raise PermissionDenied from exc


# --- serializers ------------------------------------------------------------------------------


class SectionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = StrictCharField()


class CourseSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="course.pk")
    title = StrictCharField(source="course.title")
    code = StrictCharField(source="course.code")
    description = StrictCharField(source="course.description")
    role = serializers.ChoiceField(choices=Enrollment.Role.choices)
    join_code = serializers.SerializerMethodField(
        help_text="Shown to the course's instructors and teaching assistants only."
    )
    sections = serializers.SerializerMethodField()

    def get_join_code(self, obj: selectors.CourseMembership) -> str | None:
        return obj.course.join_code if obj.role in selectors.STAFF_ROLES else None

    def get_sections(self, obj: selectors.CourseMembership) -> list[dict]:
        return [{"id": s.pk, "name": s.name} for s in obj.course.sections.all()]


# drf-spectacular reads these hints for the method fields.
CourseSerializer.get_join_code.__annotations__["return"] = "str | None"


class CourseCreateSerializer(serializers.Serializer):
    title = StrictCharField(max_length=200)
    code = StrictCharField(
        max_length=64, validators=[RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
    )
    description = StrictCharField(required=False, allow_blank=True, max_length=10000)


class JoinSerializer(serializers.Serializer):
    join_code = StrictCharField(max_length=32)


class MemberSerializer(serializers.Serializer):
    username = StrictCharField(source="user.username")
    full_name = serializers.SerializerMethodField()
    email = StrictCharField(source="user.email")
    role = serializers.ChoiceField(choices=Enrollment.Role.choices)
    section = StrictCharField(source="section.name", allow_null=True, default=None)

    def get_full_name(self, obj: Enrollment) -> str:
        return selectors.full_name(obj.user)


class MemberSetSerializer(serializers.Serializer):
    username = StrictCharField(max_length=150)
    role = serializers.ChoiceField(choices=Enrollment.Role.choices)
    section = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class SectionCreateSerializer(serializers.Serializer):
    name = StrictCharField(max_length=100)


class RosterInputSerializer(serializers.Serializer):
    csv = StrictCharField(
        max_length=services.MAX_ROSTER_BYTES,
        trim_whitespace=False,
        help_text="The roster as CSV text with a header row: username, email, full name, "
        "section (English or Chinese column names).",
    )
    commit = serializers.BooleanField(
        default=False, help_text="false: preview only, nothing is written."
    )


class RosterRowSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    username = StrictCharField()
    email = StrictCharField()
    full_name = StrictCharField()
    section = StrictCharField()
    action = serializers.ChoiceField(choices=["create", "enrol", "skip", "reject"])
    reason = StrictCharField()


class RosterReportSerializer(serializers.Serializer):
    committed = serializers.BooleanField()
    created = serializers.IntegerField()
    enrolled = serializers.IntegerField()
    skipped = serializers.IntegerField()
    rejected = serializers.IntegerField()
    rows = RosterRowSerializer(many=True)


class ItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.SerializerMethodField()
    exercise = StrictCharField(source="exercise.slug", allow_null=True, default=None)
    exam = serializers.IntegerField(source="exam_id", allow_null=True)
    exam_variants = serializers.ChoiceField(choices=AssignmentItem.ExamVariants.choices)
    points = serializers.FloatField()

    def get_kind(self, obj: AssignmentItem) -> str:
        return "exercise" if obj.exercise_id else "exam"


class AssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    course = serializers.IntegerField(source="course_id")
    title = StrictCharField()
    description = StrictCharField()
    opens_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField()
    max_attempts = serializers.IntegerField()
    late_policy = serializers.ChoiceField(choices=Assignment.LatePolicy.choices)
    late_penalty_percent = serializers.FloatField()
    score_policy = serializers.ChoiceField(choices=Assignment.ScorePolicy.choices)
    exam_mode = serializers.BooleanField()
    results_released = serializers.SerializerMethodField()
    is_published = serializers.BooleanField()
    items = ItemSerializer(many=True, source="items.all")

    def get_results_released(self, obj: Assignment) -> bool:
        return obj.results_released_at is not None


class AssignmentCreateSerializer(serializers.Serializer):
    title = StrictCharField(max_length=200)
    description = StrictCharField(required=False, allow_blank=True, max_length=20000)
    opens_at = serializers.DateTimeField(required=False, allow_null=True)
    due_at = serializers.DateTimeField()
    max_attempts = serializers.IntegerField(min_value=0, max_value=1000, default=0)
    late_policy = serializers.ChoiceField(
        choices=Assignment.LatePolicy.choices, default=Assignment.LatePolicy.PENALTY
    )
    late_penalty_percent = serializers.FloatField(min_value=0, max_value=100, default=10)
    score_policy = serializers.ChoiceField(
        choices=Assignment.ScorePolicy.choices, default=Assignment.ScorePolicy.BEST
    )
    exam_mode = serializers.BooleanField(default=False)
    is_published = serializers.BooleanField(default=False)
    exercises = serializers.ListField(
        child=serializers.SlugField(max_length=64), required=False, max_length=50
    )
    exam = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    exam_variants = serializers.ChoiceField(
        choices=AssignmentItem.ExamVariants.choices, default=AssignmentItem.ExamVariants.SAME
    )
    points = serializers.FloatField(min_value=0.01, max_value=1000, default=10)


class ItemGradeSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    score = serializers.FloatField(allow_null=True)
    points = serializers.FloatField()
    overridden = serializers.BooleanField()
    comment = StrictCharField(help_text="The grader's comment, for this student.")
    submission = serializers.IntegerField(allow_null=True)
    days_late = serializers.IntegerField()
    attempts = serializers.IntegerField()
    pending = serializers.IntegerField()


class AssignmentGradeSerializer(serializers.Serializer):
    withheld = serializers.BooleanField(help_text="Exam mode: results not released yet.")
    due_at = serializers.DateTimeField()
    total = serializers.FloatField(allow_null=True)
    points = serializers.FloatField()
    items = ItemGradeSerializer(many=True)


class AssignmentDetailSerializer(serializers.Serializer):
    assignment = AssignmentSerializer()
    my_grade = AssignmentGradeSerializer(allow_null=True)


class AssignmentSubmitSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1)
    framework = StrictCharField(max_length=16)
    code = StrictCharField(trim_whitespace=False, max_length=200_000)


class AssignmentSubmissionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = StrictCharField()
    url = StrictCharField()


class ExamStartSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1)


class ExamStartedSerializer(serializers.Serializer):
    attempt = serializers.IntegerField()
    url = StrictCharField()


class ExtensionSerializer(serializers.Serializer):
    username = StrictCharField(max_length=150)
    due_at = serializers.DateTimeField()
    reason = StrictCharField(required=False, allow_blank=True, max_length=300)


class ExtensionOutSerializer(serializers.Serializer):
    username = StrictCharField(source="user.username")
    due_at = serializers.DateTimeField()
    reason = StrictCharField()


class ReleaseSerializer(serializers.Serializer):
    released = serializers.BooleanField(default=True)


class RegradeInputSerializer(serializers.Serializer):
    item = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class RegradeSerializer(serializers.Serializer):
    job = serializers.IntegerField(allow_null=True)
    total = serializers.IntegerField()


class OverrideInputSerializer(serializers.Serializer):
    score = serializers.FloatField(min_value=0, max_value=1000)
    comment = StrictCharField(required=False, allow_blank=True, max_length=5000)


class HistorySerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=["override", "override_removed", "regrade"])
    old_score = serializers.FloatField(allow_null=True)
    new_score = serializers.FloatField(allow_null=True)
    comment = StrictCharField()
    changed_by = StrictCharField(source="changed_by.username", allow_null=True, default=None)
    created_at = serializers.DateTimeField()


class StudentItemGradeSerializer(serializers.Serializer):
    grade = ItemGradeSerializer()
    history = HistorySerializer(many=True)


class GradebookRowSerializer(serializers.Serializer):
    username = StrictCharField()
    full_name = StrictCharField()
    email = StrictCharField()
    section = StrictCharField(allow_null=True)
    grades = ItemGradeSerializer(many=True)
    total = serializers.FloatField()


class GradebookItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    assignment = serializers.IntegerField()
    # A field named like Field.label (a serializer is a Field): the stubs see a clash, DRF none.
    label = StrictCharField()  # type: ignore[assignment]
    points = serializers.FloatField()


class GradebookSerializer(serializers.Serializer):
    items = GradebookItemSerializer(many=True)
    rows = GradebookRowSerializer(many=True)


def _grade(item: AssignmentItem, grade: selectors.ItemGrade) -> dict:
    return {
        "item": item.pk,
        "score": grade.score,
        "points": grade.points,
        "overridden": grade.overridden,
        "comment": grade.comment,
        "submission": grade.submission_id,
        "days_late": grade.days_late,
        "attempts": grade.attempts,
        "pending": grade.pending,
    }


def _assignment_grade(grade: selectors.AssignmentGrade) -> dict:
    return {
        "withheld": grade.withheld,
        "due_at": grade.due_at,
        "total": grade.total,
        "points": grade.points,
        "items": [_grade(item, g) for item, g in grade.items],
    }


def _user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise ValidationError({"username": ["Unknown user."]})
    return user


COURSE_ID = OpenApiParameter("course_id", int, OpenApiParameter.PATH)
ASSIGNMENT_ID = OpenApiParameter("assignment_id", int, OpenApiParameter.PATH)
ITEM_ID = OpenApiParameter("item_id", int, OpenApiParameter.PATH)
USERNAME = OpenApiParameter("username", str, OpenApiParameter.PATH)


# --- views ------------------------------------------------------------------------------------


class CourseListCreateApi(APIView):
    @extend_schema(
        responses={200: CourseSerializer(many=True), 401: UNAUTHORIZED},
        description="The courses the caller belongs to, with the caller's role in each.",
    )
    def get(self, request: Request) -> Response:
        return Response(
            CourseSerializer(selectors.course_list_for(user=request.user), many=True).data
        )

    @extend_schema(
        request=CourseCreateSerializer,
        responses={201: CourseSerializer, 400: INVALID, 401: UNAUTHORIZED, 403: FORBIDDEN},
        description="Create a course (site instructors only); the caller becomes its instructor.",
    )
    def post(self, request: Request) -> Response:
        payload = CourseCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with _Call():
            course = services.course_create(user=_actor(request), **payload.validated_data)
        membership = selectors.CourseMembership(course=course, role=Enrollment.Role.INSTRUCTOR)
        return Response(CourseSerializer(membership).data, status=status.HTTP_201_CREATED)


class CourseJoinApi(APIView):
    @extend_schema(
        request=JoinSerializer,
        responses={200: CourseSerializer, 400: INVALID, 401: UNAUTHORIZED},
        description="Join a course as a student with its join code.",
    )
    def post(self, request: Request) -> Response:
        payload = JoinSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with _Call():
            enrollment = services.course_join(
                user=_actor(request), join_code=payload.validated_data["join_code"]
            )
        membership = selectors.CourseMembership(course=enrollment.course, role=enrollment.role)
        return Response(CourseSerializer(membership).data)


class CourseDetailApi(APIView):
    @extend_schema(
        parameters=[COURSE_ID],
        responses={200: CourseSerializer, 401: UNAUTHORIZED, 404: NOT_FOUND},
    )
    def get(self, request: Request, course_id: str) -> Response:
        return Response(CourseSerializer(_course(request, course_id)).data)


class CourseMembersApi(APIView):
    @extend_schema(
        parameters=[COURSE_ID],
        responses={
            200: MemberSerializer(many=True),
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        description="Everyone in the course (its staff only).",
    )
    def get(self, request: Request, course_id: str) -> Response:
        membership = _course(request, course_id)
        _staff(membership.role)
        rows = membership.course.enrollments.select_related("user", "section")
        return Response(MemberSerializer(rows, many=True).data)

    @extend_schema(
        parameters=[COURSE_ID],
        request=MemberSetSerializer,
        responses={
            200: MemberSerializer,
            400: INVALID,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        description="Add a user to the course or change their role and section (instructors).",
    )
    def post(self, request: Request, course_id: str) -> Response:
        membership = _course(request, course_id)
        payload = MemberSetSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        section = None
        if data.get("section"):
            section = Section.objects.filter(course=membership.course, pk=data["section"]).first()
            if section is None:
                raise ValidationError({"section": ["No such section in this course."]})
        with _Call():
            if not selectors.course_can_manage(user=request.user, course=membership.course):
                raise CoursePermissionDenied
            enrollment = services.enrollment_set(
                course=membership.course,
                actor=_actor(request),
                user=_user(data["username"]),
                role=data["role"],
                section=section,
            )
        return Response(MemberSerializer(enrollment).data)


class CourseSectionsApi(APIView):
    @extend_schema(
        parameters=[COURSE_ID],
        request=SectionCreateSerializer,
        responses={
            201: SectionSerializer,
            400: INVALID,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request: Request, course_id: str) -> Response:
        membership = _course(request, course_id)
        payload = SectionCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with _Call():
            section = services.section_create(
                course=membership.course, actor=_actor(request), name=payload.validated_data["name"]
            )
        return Response({"id": section.pk, "name": section.name}, status=status.HTTP_201_CREATED)


class CourseRosterApi(APIView):
    @extend_schema(
        parameters=[COURSE_ID],
        request=RosterInputSerializer,
        responses={
            200: RosterReportSerializer,
            400: INVALID,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        description="Preview (commit=false) or import a CSV roster; the report says for each "
        "row what was (or would be) created, enrolled, skipped or rejected, and why.",
    )
    def post(self, request: Request, course_id: str) -> Response:
        membership = _course(request, course_id)
        payload = RosterInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        commit = payload.validated_data["commit"]
        data = payload.validated_data["csv"].encode("utf-8", "surrogatepass")
        with _Call():
            if not selectors.course_can_manage(user=request.user, course=membership.course):
                raise CoursePermissionDenied
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise CourseError.one("csv", "The text is not valid UTF-8.") from exc
            if commit:
                report = services.roster_import(
                    course=membership.course, actor=_actor(request), data=data
                )
            else:
                report = services.roster_preview(course=membership.course, data=data)
        return Response(
            {
                "committed": commit,
                "created": report.created,
                "enrolled": report.enrolled,
                "skipped": report.skipped,
                "rejected": report.rejected,
                "rows": [row.__dict__ for row in report.rows],
            }
        )


class CourseAssignmentsApi(APIView):
    @extend_schema(
        parameters=[COURSE_ID],
        responses={200: AssignmentSerializer(many=True), 401: UNAUTHORIZED, 404: NOT_FOUND},
        description="The course's assignments; students see published ones only.",
    )
    def get(self, request: Request, course_id: str) -> Response:
        membership = _course(request, course_id)
        rows = selectors.assignment_list_for(course=membership.course, role=membership.role)
        return Response(AssignmentSerializer(rows, many=True).data)

    @extend_schema(
        parameters=[COURSE_ID],
        request=AssignmentCreateSerializer,
        responses={
            201: AssignmentSerializer,
            400: INVALID,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        description="Create an assignment over coding exercises (by slug) and/or an exam.",
    )
    def post(self, request: Request, course_id: str) -> Response:
        from dlquiz.coding.models import Exercise
        from dlquiz.quiz.models import Exam

        membership = _course(request, course_id)
        if not selectors.course_can_manage(user=request.user, course=membership.course):
            raise PermissionDenied
        payload = AssignmentCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        slugs = data.pop("exercises", [])
        found = {e.slug: e for e in Exercise.objects.filter(slug__in=slugs)}
        unknown = [s for s in slugs if s not in found]
        if unknown:
            raise ValidationError({"exercises": [f"Unknown exercise(s): {', '.join(unknown)}."]})
        exam_id = data.pop("exam", None)
        exam = Exam.objects.filter(pk=exam_id).first() if exam_id else None
        if exam_id and exam is None:
            raise ValidationError({"exam": ["Unknown exam."]})
        with _Call():
            assignment = services.assignment_create(
                course=membership.course,
                actor=_actor(request),
                data=services.AssignmentInput(
                    exercises=[found[s] for s in slugs], exam=exam, **data
                ),
            )
        return Response(AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)


class CourseGradebookApi(APIView):
    @extend_schema(
        parameters=[
            COURSE_ID,
            OpenApiParameter("section", int, description="Only this section (optional)."),
        ],
        responses={
            200: GradebookSerializer,
            400: INVALID,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        description="Students x items with the score that counts (staff only).",
    )
    def get(self, request: Request, course_id: str) -> Response:
        membership = _course(request, course_id)
        _staff(membership.role)
        section = None
        raw = request.query_params.get("section")
        if raw:
            section = (
                Section.objects.filter(course=membership.course, pk=int(raw)).first()
                if raw.isascii() and raw.isdigit() and len(raw) < 18
                else None
            )
            if section is None:
                raise ValidationError({"section": ["No such section in this course."]})
        book = selectors.gradebook(course=membership.course, viewer=request.user, section=section)
        assert book is not None
        return Response(
            {
                "items": [
                    {
                        "id": item.pk,
                        "assignment": item.assignment_id,
                        "label": selectors.item_label(item=item),
                        "points": item.points,
                    }
                    for item in book.items
                ],
                "rows": [
                    {
                        "username": row.enrollment.user.username,
                        "full_name": selectors.full_name(row.enrollment.user),
                        "email": row.enrollment.user.email,
                        "section": row.enrollment.section.name if row.enrollment.section else None,
                        "grades": [_grade(i, g) for i, g in zip(book.items, row.grades)],
                        "total": row.total,
                    }
                    for row in book.rows
                ],
            }
        )


class AssignmentDetailApi(APIView):
    @extend_schema(
        parameters=[ASSIGNMENT_ID],
        responses={200: AssignmentDetailSerializer, 401: UNAUTHORIZED, 404: NOT_FOUND},
        description="An assignment and, for a student, their own grade on it (withheld in exam "
        "mode until the results are released).",
    )
    def get(self, request: Request, assignment_id: str) -> Response:
        assignment, role = _assignment(request, assignment_id)
        grade = None
        if role == Enrollment.Role.STUDENT:
            grade = selectors.assignment_grade_for(
                assignment=assignment, user=_actor(request), viewer=request.user
            )
        return Response(
            {
                "assignment": AssignmentSerializer(assignment).data,
                "my_grade": _assignment_grade(grade) if grade else None,
            }
        )


def _item(assignment: Assignment, item_id: int) -> AssignmentItem:
    item = assignment.items.select_related("exercise", "exam", "assignment__course").filter(
        pk=item_id
    )
    found = item.first()
    if found is None:
        raise ValidationError({"item": ["No such item in this assignment."]})
    return found


class AssignmentSubmitApi(APIView):
    @extend_schema(
        parameters=[ASSIGNMENT_ID],
        request=AssignmentSubmitSerializer,
        responses={
            201: AssignmentSubmissionSerializer,
            400: INVALID,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            429: THROTTLED,
        },
        description="Submit code for a coding item of the assignment (students of the course). "
        "The window, late policy and attempt limit apply; grading runs in the background.",
    )
    def post(self, request: Request, assignment_id: str) -> Response:
        assignment, _role = _assignment(request, assignment_id)
        payload = AssignmentSubmitSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        item = _item(assignment, data["item"])
        with _Call():
            submission = services.assignment_submit(
                user=_actor(request), item=item, framework=data["framework"], code=data["code"]
            )
        return Response(
            {
                "id": submission.pk,
                "status": submission.status,
                "url": f"/api/submissions/{submission.pk}/",
            },
            status=status.HTTP_201_CREATED,
        )


class AssignmentExamStartApi(APIView):
    @extend_schema(
        parameters=[ASSIGNMENT_ID],
        request=ExamStartSerializer,
        responses={
            201: ExamStartedSerializer,
            400: INVALID,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        description="Start (or resume) the exam of an exam item with the student's seed.",
    )
    def post(self, request: Request, assignment_id: str) -> Response:
        assignment, _role = _assignment(request, assignment_id)
        payload = ExamStartSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        item = _item(assignment, payload.validated_data["item"])
        with _Call():
            attempt = services.assignment_exam_start(user=_actor(request), item=item)
        return Response(
            {"attempt": attempt.pk, "url": f"/exams/attempts/{attempt.pk}/"},
            status=status.HTTP_201_CREATED,
        )


class AssignmentExtensionApi(APIView):
    @extend_schema(
        parameters=[ASSIGNMENT_ID],
        request=ExtensionSerializer,
        responses={
            200: ExtensionOutSerializer,
            400: INVALID,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        description="Give one student a later due date (instructors and teaching assistants).",
    )
    def post(self, request: Request, assignment_id: str) -> Response:
        assignment, role = _assignment(request, assignment_id)
        _staff(role)
        payload = ExtensionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        with _Call():
            extension = services.extension_grant(
                assignment=assignment,
                actor=_actor(request),
                user=_user(data["username"]),
                due_at=data["due_at"],
                reason=data.get("reason", ""),
            )
        return Response(ExtensionOutSerializer(extension).data)


class AssignmentReleaseApi(APIView):
    @extend_schema(
        parameters=[ASSIGNMENT_ID],
        request=ReleaseSerializer,
        responses={
            200: AssignmentSerializer,
            400: INVALID,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        description="Release (or withdraw) an exam-mode assignment's results (instructors).",
    )
    def post(self, request: Request, assignment_id: str) -> Response:
        assignment, _role = _assignment(request, assignment_id)
        payload = ReleaseSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with _Call():
            services.assignment_release(
                assignment=assignment,
                actor=_actor(request),
                released=payload.validated_data["released"],
            )
        return Response(AssignmentSerializer(assignment).data)


class AssignmentRegradeApi(APIView):
    @extend_schema(
        parameters=[ASSIGNMENT_ID],
        request=RegradeInputSerializer,
        responses={
            202: RegradeSerializer,
            400: INVALID,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        description="Grade every submission of the assignment (or one item) again; the scores "
        "before the regrade stay in the grade history.",
    )
    def post(self, request: Request, assignment_id: str) -> Response:
        assignment, _role = _assignment(request, assignment_id)
        payload = RegradeInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        item_id = payload.validated_data.get("item")
        item = _item(assignment, item_id) if item_id else None
        with _Call():
            job = services.assignment_regrade(
                assignment=assignment, actor=_actor(request), item=item
            )
        return Response(
            {"job": job.pk if job else None, "total": job.total if job else 0},
            status=status.HTTP_202_ACCEPTED,
        )


def _grade_target(
    request: Request, item_id: str, username: str
) -> tuple[AssignmentItem, User, str]:
    item = (
        AssignmentItem.objects.filter(pk=_id(item_id))
        .select_related("assignment__course", "exercise", "exam")
        .first()
    )
    if item is None:
        raise Http404
    role = selectors.course_role(user=request.user, course=item.assignment.course)
    if role is None:
        raise Http404
    _staff(role)
    user = User.objects.filter(username=username).first()
    if user is None or selectors.course_role(user=user, course=item.assignment.course) is None:
        raise Http404
    return item, user, role


class ItemGradeApi(APIView):
    @extend_schema(
        parameters=[ITEM_ID, USERNAME],
        responses={
            200: StudentItemGradeSerializer,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        description="A student's grade on one item with its history (staff of the course).",
    )
    def get(self, request: Request, item_id: str, username: str) -> Response:
        item, user, _role = _grade_target(request, item_id, username)
        return Response(self._body(request, item, user))

    @staticmethod
    def _body(request: Request, item: AssignmentItem, user: User) -> dict:
        grade = selectors.item_grade(item=item, user=user)
        history = selectors.grade_history_for(item=item, user=user, viewer=request.user)
        return {"grade": _grade(item, grade), "history": HistorySerializer(history, many=True).data}

    @extend_schema(
        parameters=[ITEM_ID, USERNAME],
        request=OverrideInputSerializer,
        responses={
            200: StudentItemGradeSerializer,
            400: INVALID,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        description="Override the student's score with a comment the student sees.",
    )
    def put(self, request: Request, item_id: str, username: str) -> Response:
        item, user, _role = _grade_target(request, item_id, username)
        payload = OverrideInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with _Call():
            services.grade_override_set(
                item=item,
                actor=_actor(request),
                user=user,
                score=payload.validated_data["score"],
                comment=payload.validated_data.get("comment", ""),
            )
        return Response(self._body(request, item, user))

    @extend_schema(
        parameters=[ITEM_ID, USERNAME],
        request=None,
        responses={
            200: StudentItemGradeSerializer,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        description="Remove the override: the computed score counts again.",
    )
    def delete(self, request: Request, item_id: str, username: str) -> Response:
        item, user, _role = _grade_target(request, item_id, username)
        with _Call():
            services.grade_override_remove(item=item, actor=_actor(request), user=user)
        return Response(self._body(request, item, user))
