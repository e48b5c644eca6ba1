"""Course pages for students, teaching assistants and instructors. Thin views: a form, one
service or selector, a template. Anything of a course the viewer does not belong to is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dlquiz.accounts.services import user_is_instructor
from dlquiz.coding.services import SubmissionRefused
from dlquiz.courses import forms, selectors, services
from dlquiz.courses.models import Assignment, AssignmentItem, Enrollment, Section
from dlquiz.courses.services import CourseError, CoursePermissionDenied


def _actor(request: HttpRequest) -> User:
    """The signed-in user; every view that writes is behind login_required."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def _membership(request: HttpRequest, course_id: int) -> selectors.CourseMembership:
    membership = selectors.course_get_for(user=request.user, course_id=course_id)
    if membership is None:
        raise Http404
    return membership


def _staff(membership: selectors.CourseMembership) -> None:
    if membership.role not in selectors.STAFF_ROLES:
        raise PermissionDenied


def _manager(membership: selectors.CourseMembership) -> None:
    if membership.role != Enrollment.Role.INSTRUCTOR:
        raise PermissionDenied


def _assignment(request: HttpRequest, assignment_id: int) -> tuple[Assignment, str]:
    found = selectors.assignment_get_for(user=request.user, assignment_id=assignment_id)
    if found is None:
        raise Http404
    return found


def _errors_to_form(form: Form, error: CourseError) -> None:
    for name, texts in error.errors.items():
        for text in texts:
            form.add_error(name if name in form.fields else None, text)


@login_required
def course_list(request: HttpRequest) -> HttpResponse:
    join_form = forms.JoinForm(request.POST if "join" in request.POST else None)
    course_form = forms.CourseForm(request.POST if "create" in request.POST else None)
    can_create = user_is_instructor(_actor(request))
    if request.method == "POST" and "join" in request.POST and join_form.is_valid():
        try:
            enrollment = services.course_join(
                user=_actor(request), join_code=join_form.cleaned_data["join_code"]
            )
        except CourseError as error:
            _errors_to_form(join_form, error)
        else:
            messages.success(request, _("You joined %(course)s.") % {"course": enrollment.course})
            return redirect("courses:course", enrollment.course_id)
    if request.method == "POST" and "create" in request.POST and course_form.is_valid():
        try:
            course = services.course_create(user=_actor(request), **course_form.cleaned_data)
        except CoursePermissionDenied as exc:
            raise PermissionDenied from exc
        except CourseError as error:
            _errors_to_form(course_form, error)
        else:
            return redirect("courses:course", course.pk)
    return render(
        request,
        "courses/course_list.html",
        {
            "memberships": selectors.course_list_for(user=request.user),
            "join_form": join_form,
            "course_form": course_form if can_create else None,
        },
    )


@login_required
def course_detail(request: HttpRequest, course_id: int) -> HttpResponse:
    membership = _membership(request, course_id)
    course = membership.course
    staff = membership.role in selectors.STAFF_ROLES
    section_form = forms.SectionForm(request.POST if "section" in request.POST else None)
    member_form = forms.MemberForm(
        request.POST if "member" in request.POST else None, course=course
    )
    if request.method == "POST":
        _manager(membership)
        try:
            if "section" in request.POST and section_form.is_valid():
                services.section_create(
                    course=course, actor=_actor(request), name=section_form.cleaned_data["name"]
                )
                return redirect("courses:course", course.pk)
            if "member" in request.POST and member_form.is_valid():
                data = member_form.cleaned_data
                user = get_user_model().objects.filter(username=data["username"]).first()
                if user is None:
                    member_form.add_error("username", _("Unknown user."))
                else:
                    services.enrollment_set(
                        course=course,
                        actor=_actor(request),
                        user=user,
                        role=data["role"],
                        section=data["section"],
                    )
                    return redirect("courses:course", course.pk)
            if "reset_code" in request.POST:
                services.course_join_code_reset(course=course, actor=_actor(request))
                return redirect("courses:course", course.pk)
        except CourseError as error:
            _errors_to_form(section_form if "section" in request.POST else member_form, error)
    assignments = selectors.assignment_list_for(course=course, role=membership.role)
    grades = (
        {}
        if staff
        else {
            a.pk: selectors.assignment_grade_for(
                assignment=a, user=_actor(request), viewer=request.user
            )
            for a in assignments
        }
    )
    return render(
        request,
        "courses/course_detail.html",
        {
            "course": course,
            "role": membership.role,
            "staff": staff,
            "manager": membership.role == Enrollment.Role.INSTRUCTOR,
            "assignments": [(a, grades.get(a.pk)) for a in assignments],
            "members": (course.enrollments.select_related("user", "section") if staff else []),
            "section_form": section_form,
            "member_form": member_form,
        },
    )


@login_required
def roster_import(request: HttpRequest, course_id: int) -> HttpResponse:
    """Upload a CSV: a preview first, then the import of the same text, then its report."""
    membership = _membership(request, course_id)
    _manager(membership)
    course = membership.course
    form = forms.RosterForm()
    report = None
    pending = ""
    committed = False
    problems: list[str] = []
    if request.method == "POST":
        try:
            if "csv_text" in request.POST:
                data = request.POST["csv_text"].encode("utf-8")
                report = services.roster_import(course=course, actor=_actor(request), data=data)
                committed = True
            else:
                form = forms.RosterForm(request.POST, request.FILES)
                if form.is_valid():
                    data = form.cleaned_data["file"].read(services.MAX_ROSTER_BYTES + 1)
                    report = services.roster_preview(course=course, data=data)
                    pending = data.decode("utf-8-sig")
        except CourseError as error:
            form = forms.RosterForm()
            problems = [text for texts in error.errors.values() for text in texts]
    return render(
        request,
        "courses/roster.html",
        {
            "course": course,
            "form": form,
            "report": report,
            "pending": pending,
            "committed": committed,
            "problems": problems,
        },
    )


@login_required
def assignment_new(request: HttpRequest, course_id: int) -> HttpResponse:
    membership = _membership(request, course_id)
    _manager(membership)
    form = forms.AssignmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["exercises"] = list(data["exercises"])
        try:
            assignment = services.assignment_create(
                course=membership.course,
                actor=_actor(request),
                data=services.AssignmentInput(**data),
            )
        except CourseError as error:
            _errors_to_form(form, error)
        else:
            return redirect("courses:assignment", assignment.pk)
    return render(
        request, "courses/assignment_new.html", {"course": membership.course, "form": form}
    )


@login_required
def assignment_detail(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment, role = _assignment(request, assignment_id)
    staff = role in selectors.STAFF_ROLES
    submit_forms: dict[int, forms.SubmitForm] = {}
    items = list(assignment.items.select_related("exercise", "exam", "assignment__course"))
    for item in items:
        if item.exercise is not None:
            bound = request.POST if request.POST.get("item") == str(item.pk) else None
            submit_forms[item.pk] = forms.SubmitForm(
                bound, frameworks=list(item.exercise.frameworks), prefix=f"item{item.pk}"
            )
    extension_form = forms.ExtensionForm(request.POST if "extension" in request.POST else None)
    if request.method == "POST":
        item_id = request.POST.get("item", "")
        chosen = next((i for i in items if str(i.pk) == item_id), None)
        try:
            if chosen is not None and "exam" in request.POST:
                attempt = services.assignment_exam_start(user=_actor(request), item=chosen)
                return redirect("quiz:attempt", attempt.pk)
            if (
                chosen is not None
                and chosen.pk in submit_forms
                and submit_forms[chosen.pk].is_valid()
            ):
                data = submit_forms[chosen.pk].cleaned_data
                services.assignment_submit(
                    user=_actor(request),
                    item=chosen,
                    framework=data["framework"],
                    code=data["code"],
                )
                messages.success(request, _("Submitted. It is being graded."))
                return redirect("courses:assignment", assignment.pk)
            if "extension" in request.POST and extension_form.is_valid():
                data = extension_form.cleaned_data
                student = get_user_model().objects.filter(username=data["username"]).first()
                if student is None:
                    extension_form.add_error("username", _("Unknown user."))
                else:
                    services.extension_grant(
                        assignment=assignment,
                        actor=_actor(request),
                        user=student,
                        due_at=data["due_at"],
                        reason=data["reason"],
                    )
                    messages.success(request, _("Extension granted."))
                    return redirect("courses:assignment", assignment.pk)
            if "release" in request.POST or "unrelease" in request.POST:
                services.assignment_release(
                    assignment=assignment, actor=_actor(request), released="release" in request.POST
                )
                return redirect("courses:assignment", assignment.pk)
        except CoursePermissionDenied as exc:
            raise PermissionDenied from exc
        except CourseError as error:
            for texts in error.errors.values():
                for text in texts:
                    messages.error(request, text)
            if "extension" in request.POST:
                _errors_to_form(extension_form, error)
        except SubmissionRefused as exc:
            for texts in getattr(exc, "errors", {"code": [str(exc)]}).values():
                for text in texts:
                    messages.error(request, text)
    grade = (
        None
        if staff
        else selectors.assignment_grade_for(
            assignment=assignment, user=_actor(request), viewer=request.user
        )
    )
    return render(
        request,
        "courses/assignment_detail.html",
        {
            "assignment": assignment,
            "course": assignment.course,
            "role": role,
            "staff": staff,
            "manager": role == Enrollment.Role.INSTRUCTOR,
            "items": [(item, submit_forms.get(item.pk)) for item in items],
            "grade": grade,
            "extension_form": extension_form,
            "extensions": assignment.extensions.select_related("user") if staff else [],
        },
    )


@login_required
def assignment_regrade(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Regrade-all asks first: GET shows what will be regraded, POST does it."""
    assignment, role = _assignment(request, assignment_id)
    if role not in selectors.STAFF_ROLES:
        raise PermissionDenied
    count = selectors.assignment_submission_count(assignment=assignment)
    if request.method == "POST":
        job = services.assignment_regrade(assignment=assignment, actor=_actor(request))
        total = job.total if job else 0
        messages.success(
            request, _("%(count)d submissions are being graded again.") % {"count": total}
        )
        return redirect("courses:assignment", assignment.pk)
    return render(
        request,
        "courses/regrade_confirm.html",
        {"assignment": assignment, "course": assignment.course, "count": count},
    )


@login_required
def gradebook(request: HttpRequest, course_id: int) -> HttpResponse:
    membership = _membership(request, course_id)
    _staff(membership)
    section = _section(request, membership)
    book = selectors.gradebook(course=membership.course, viewer=request.user, section=section)
    assert book is not None
    rows = [(row, list(zip(book.items, row.grades, strict=True))) for row in book.rows]
    return render(
        request,
        "courses/gradebook.html",
        {
            "course": membership.course,
            "book": book,
            "rows": rows,
            "labels": [selectors.item_label(item=item) for item in book.items],
            "sections": membership.course.sections.all(),
            "section": section,
        },
    )


def _section(request: HttpRequest, membership: selectors.CourseMembership) -> Section | None:
    raw = request.GET.get("section", "")
    if not raw:
        return None
    section = (
        membership.course.sections.filter(pk=int(raw)).first()
        if raw.isascii() and raw.isdigit() and len(raw) < 18
        else None
    )
    if section is None:
        raise Http404
    return section


@login_required
def gradebook_csv(request: HttpRequest, course_id: int) -> HttpResponse:
    membership = _membership(request, course_id)
    _staff(membership)
    section = _section(request, membership)
    book = selectors.gradebook(course=membership.course, viewer=request.user, section=section)
    assert book is not None
    response = HttpResponse(
        selectors.gradebook_csv(book=book).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    name = membership.course.code + (f"-{section.pk}" if section else "")
    response["Content-Disposition"] = f'attachment; filename="{name}-grades.csv"'
    return response


@login_required
def item_grade(request: HttpRequest, item_id: int, username: str) -> HttpResponse:
    item = (
        AssignmentItem.objects.filter(pk=item_id)
        .select_related("assignment__course", "exercise", "exam")
        .first()
    )
    if item is None:
        raise Http404
    membership = _membership(request, item.assignment.course_id)
    _staff(membership)
    student = get_user_model().objects.filter(username=username).first()
    if (
        student is None
        or selectors.course_role(user=student, course=item.assignment.course) is None
    ):
        raise Http404
    form = forms.OverrideForm(request.POST if "override" in request.POST else None)
    if request.method == "POST":
        try:
            if "remove" in request.POST:
                services.grade_override_remove(item=item, actor=_actor(request), user=student)
                return redirect("courses:item-grade", item.pk, student.username)
            if form.is_valid():
                services.grade_override_set(
                    item=item,
                    actor=_actor(request),
                    user=student,
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                )
                messages.success(request, _("Grade saved."))
                return redirect("courses:item-grade", item.pk, student.username)
        except CourseError as error:
            _errors_to_form(form, error)
    grade = selectors.item_grade(item=item, user=student)
    if not form.is_bound:
        form = forms.OverrideForm(initial={"score": grade.score, "comment": grade.comment})
    return render(
        request,
        "courses/item_grade.html",
        {
            "item": item,
            "course": item.assignment.course,
            "student": student,
            "grade": grade,
            "history": selectors.grade_history_for(item=item, user=student, viewer=request.user),
            "form": form,
            "label": selectors.item_label(item=item),
        },
    )
