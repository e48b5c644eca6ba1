"""Courses, rosters, assignments, late policy, extensions, gradebook and overrides, through the
services and selectors on a real database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone, translation

from dlquiz.coding.models import Submission
from dlquiz.courses import selectors, services
from dlquiz.courses.models import AssignmentItem, Enrollment, GradeHistory
from dlquiz.courses.services import CourseError, CoursePermissionDenied
from dlquiz.courses.signals import grade_changed
from dlquiz.quiz.models import ExamAttempt
from tests.coding.factories import SOFTMAX_TORCH, student_create, teacher_create
from tests.courses.factories import (
    assignment_create,
    course_create,
    exam_create,
    instructor_of,
    member_add,
)

pytestmark = pytest.mark.django_db


def graded(submission: Submission, score: float) -> Submission:
    """What the worker writes when it has graded a submission."""
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.GRADED, score=score, graded_at=timezone.now()
    )
    submission.refresh_from_db()
    return submission


def submit(student: User, item: AssignmentItem, **kwargs) -> Submission:
    return services.assignment_submit(
        user=student, item=item, framework="torch", code=SOFTMAX_TORCH, **kwargs
    )


class TestCourses:
    def test_only_site_instructors_create_courses_and_become_their_instructor(self):
        """A student cannot create a course; an instructor's new course lists them as instructor
        and has a join code."""
        with pytest.raises(CoursePermissionDenied):
            services.course_create(user=student_create(), title="x", code="x")
        prof = teacher_create()
        course = services.course_create(user=prof, title="深度学习", code="DL-1")
        assert course.code == "dl-1" and len(course.join_code) == 8
        assert selectors.course_role(user=prof, course=course) == Enrollment.Role.INSTRUCTOR

    def test_bad_course_input_names_the_fields(self):
        prof = teacher_create()
        course_create(instructor=prof, code="taken")
        with pytest.raises(CourseError) as caught:
            services.course_create(user=prof, title=" ", code="taken")
        assert set(caught.value.errors) == {"title", "code"}

    def test_a_student_joins_with_the_code_and_sees_only_their_courses(self):
        course = course_create(code="a")
        other = course_create(code="b")
        lin = student_create()
        enrollment = services.course_join(user=lin, join_code=course.join_code.lower())
        assert enrollment.role == Enrollment.Role.STUDENT
        assert enrollment.source == Enrollment.Source.JOIN_CODE
        assert [m.course for m in selectors.course_list_for(user=lin)] == [course]
        assert selectors.course_get_for(user=lin, course_id=other.pk) is None
        # Joining twice changes nothing.
        assert services.course_join(user=lin, join_code=course.join_code).pk == enrollment.pk

    def test_a_wrong_or_closed_join_code_is_refused(self):
        course = course_create()
        with pytest.raises(CourseError) as caught:
            services.course_join(user=student_create(), join_code="NOPE")
        assert "join_code" in caught.value.errors
        services.course_update(
            course=course,
            actor=instructor_of(course),
            title=course.title,
            description="",
            join_enabled=False,
        )
        with pytest.raises(CourseError):
            services.course_join(user=student_create("x"), join_code=course.join_code)

    def test_a_ta_grades_but_cannot_change_settings(self):
        course = course_create()
        ta = member_add(course, "ta", Enrollment.Role.TA)
        assert selectors.course_can_grade(user=ta, course=course)
        assert not selectors.course_can_manage(user=ta, course=course)
        with pytest.raises(CoursePermissionDenied):
            services.section_create(course=course, actor=ta, name="1班")
        with pytest.raises(CoursePermissionDenied):
            services.assignment_create(
                course=course,
                actor=ta,
                data=services.AssignmentInput(title="t", due_at=timezone.now()),
            )


ROSTER = (
    "用户名,姓名,邮箱,班级\n"
    "wang,王 小明,wang@example.com,1班\n"
    "existing,李 四,,2班\n"
    "member,,,1班\n"
    "bad name!,x,,1班\n"
    "wang,dup,,1班\n"
    "zhao,赵 六,not-an-email,2班\n"
    ",,,\n"
)


class TestRoster:
    def test_preview_reports_each_row_and_writes_nothing(self):
        course = course_create()
        student_create("existing")
        member_add(course, "member")
        report = services.roster_preview(course=course, data=("\ufeff" + ROSTER).encode())
        actions = [(r.line, r.username, r.action) for r in report.rows]
        assert actions == [
            (2, "wang", "create"),
            (3, "existing", "enrol"),
            (4, "member", "skip"),
            (5, "bad name!", "reject"),
            (6, "wang", "reject"),
            (7, "zhao", "reject"),
        ]
        assert all(r.reason for r in report.rows if r.action in ("skip", "reject"))
        assert not User.objects.filter(username="wang").exists()

    def test_import_creates_accounts_enrols_and_makes_sections(self):
        course = course_create()
        student_create("existing")
        member_add(course, "member")
        report = services.roster_import(
            course=course, actor=instructor_of(course), data=ROSTER.encode()
        )
        assert (report.created, report.enrolled, report.skipped, report.rejected) == (1, 1, 1, 3)
        wang = User.objects.get(username="wang")
        assert (wang.first_name, wang.last_name, wang.email) == ("王", "小明", "wang@example.com")
        assert not wang.has_usable_password()
        sections = {
            e.user.username: e.section.name
            for e in course.enrollments.filter(source=Enrollment.Source.ROSTER)
        }
        assert sections == {"wang": "1班", "existing": "2班"}

    @pytest.mark.parametrize(
        "data, message",
        [
            ("名字\nx\n".encode(), "username"),
            ("username\nlí\n".encode("latin-1"), "UTF-8"),
            (b"", "empty"),
        ],
    )
    def test_unreadable_rosters_are_refused_with_a_reason(self, data, message):
        course = course_create()
        with translation.override("en"), pytest.raises(CourseError) as caught:
            services.roster_preview(course=course, data=data)
        assert message in caught.value.errors["file"][0]

    def test_a_ta_cannot_import(self):
        course = course_create()
        ta = member_add(course, "ta", Enrollment.Role.TA)
        with pytest.raises(CoursePermissionDenied):
            services.roster_import(course=course, actor=ta, data=b"username\nx\n")


class TestAssignments:
    def test_bad_assignment_input_names_the_fields(self):
        course = course_create()
        now = timezone.now()
        data = services.AssignmentInput(
            title="",
            due_at=now,
            opens_at=now + timedelta(days=1),
            late_penalty_percent=150,
            points=0,
        )
        with pytest.raises(CourseError) as caught:
            services.assignment_create(course=course, actor=instructor_of(course), data=data)
        assert set(caught.value.errors) == {
            "title",
            "opens_at",
            "late_penalty_percent",
            "points",
            "exercises",
        }

    def test_submissions_are_linked_and_late_ones_lose_the_penalty_per_day(self):
        course = course_create()
        lin = member_add(course, "lin")
        assignment = assignment_create(course, late_penalty_percent=25)
        item = assignment.items.get()
        on_time = graded(submit(lin, item), 8)
        late = graded(submit(lin, item, now=assignment.due_at + timedelta(hours=25)), 10)
        assert on_time.assignment_link.days_late == 0
        assert late.assignment_link.days_late == 2
        grade = selectors.item_grade(item=item, user=lin)
        # best: 8 on time beats 10 x (1 - 2 x 25%) = 5
        assert (grade.score, grade.submission_id, grade.attempts) == (8, on_time.pk, 2)

    def test_the_last_policy_counts_the_last_graded_submission(self):
        course = course_create()
        lin = member_add(course, "lin")
        assignment = assignment_create(course, score_policy="last")
        item = assignment.items.get()
        graded(submit(lin, item), 10)
        last = graded(submit(lin, item), 3)
        assert selectors.item_grade(item=item, user=lin).submission_id == last.pk
        assert selectors.item_grade(item=item, user=lin).score == 3

    def test_no_credit_policy_refuses_late_work_but_an_extension_allows_it(self):
        course = course_create()
        lin = member_add(course, "lin")
        assignment = assignment_create(course, late_policy="none")
        item = assignment.items.get()
        after_due = assignment.due_at + timedelta(hours=1)
        with pytest.raises(CourseError) as caught:
            submit(lin, item, now=after_due)
        assert "assignment" in caught.value.errors
        assert not Submission.objects.exists()
        services.extension_grant(
            assignment=assignment,
            actor=instructor_of(course),
            user=lin,
            due_at=assignment.due_at + timedelta(days=2),
            reason="病假",
        )
        submission = submit(lin, item, now=after_due)
        assert submission.assignment_link.days_late == 0

    def test_extensions_must_end_after_the_due_date(self):
        course = course_create()
        lin = member_add(course, "lin")
        assignment = assignment_create(course)
        with pytest.raises(CourseError):
            services.extension_grant(
                assignment=assignment,
                actor=instructor_of(course),
                user=lin,
                due_at=assignment.due_at - timedelta(days=1),
            )

    def test_the_attempt_limit_and_the_open_date_hold(self):
        course = course_create()
        lin = member_add(course, "lin")
        assignment = assignment_create(
            course, max_attempts=1, opens_at=timezone.now() + timedelta(hours=1)
        )
        item = assignment.items.get()
        with pytest.raises(CourseError):
            submit(lin, item)
        submit(lin, item, now=assignment.opens_at + timedelta(minutes=1))
        with pytest.raises(CourseError) as caught:
            submit(lin, item, now=assignment.opens_at + timedelta(minutes=2))
        assert "1" in caught.value.errors["assignment"][0]

    def test_outsiders_and_unpublished_assignments_take_no_submissions(self):
        course = course_create()
        outsider = student_create("outsider")
        assignment = assignment_create(course, is_published=False)
        lin = member_add(course, "lin")
        for user in (outsider, lin):
            with pytest.raises(CoursePermissionDenied):
                submit(user, assignment.items.get())

    def test_exam_variants_are_reproducible_per_student_or_shared(self, questions):
        course = course_create()
        lin, mei = member_add(course, "lin"), member_add(course, "mei")
        exam = exam_create(questions)
        shared = assignment_create(course, exam=exam).items.get()
        own = assignment_create(course, exam=exam, exam_variants="per_student").items.get()

        def draw(user: User, item: AssignmentItem) -> list:
            attempt = services.assignment_exam_start(user=user, item=item)
            services.assignment_exam_finish(user=user, attempt=attempt)
            return [(i.prompt, i.choices, i.expected) for i in attempt.items.order_by("position")]

        assert draw(lin, shared) == draw(mei, shared)
        first = draw(lin, own)
        assert first == draw(lin, own)  # the same student's next attempt: the same draw
        assert first != draw(mei, own)
        assert ExamAttempt.objects.filter(assignment_link__item=own).count() == 3


class TestGradebook:
    def test_override_with_comment_wins_and_the_history_keeps_the_old_score(self):
        course = course_create()
        lin = member_add(course, "lin")
        ta = member_add(course, "ta", Enrollment.Role.TA)
        item = assignment_create(course).items.get()
        graded(submit(lin, item), 6)
        received: list[dict] = []

        def receiver(**kwargs):
            received.append(kwargs)

        grade_changed.connect(receiver)
        try:
            with self.captured_on_commit():
                services.grade_override_set(
                    item=item, actor=ta, user=lin, score=9, comment="手算推导正确，加分"
                )
        finally:
            grade_changed.disconnect(receiver)
        grade = selectors.item_grade(item=item, user=lin)
        assert (grade.score, grade.computed, grade.comment) == (9, 6, "手算推导正确，加分")
        entry = GradeHistory.objects.get()
        assert (entry.old_score, entry.new_score, entry.changed_by) == (6, 9, ta)
        assert [(r["user"], r["assignment"]) for r in received] == [(lin, item.assignment)]
        services.grade_override_remove(item=item, actor=ta, user=lin)
        assert selectors.item_grade(item=item, user=lin).score == 6
        assert GradeHistory.objects.count() == 2

    captured_on_commit = None  # set by the fixture below

    @pytest.fixture(autouse=True)
    def _on_commit(self, django_capture_on_commit_callbacks):
        self.captured_on_commit = lambda: django_capture_on_commit_callbacks(execute=True)

    def test_override_scores_stay_within_the_item_points(self):
        course = course_create()
        lin = member_add(course, "lin")
        item = assignment_create(course).items.get()
        for score in (-1, 10.5, float("nan")):
            with pytest.raises(CourseError):
                services.grade_override_set(
                    item=item, actor=instructor_of(course), user=lin, score=score, comment=""
                )

    def test_regrade_keeps_the_old_score_in_the_history(self):
        course = course_create()
        lin = member_add(course, "lin")
        assignment = assignment_create(course)
        item = assignment.items.get()
        submission = graded(submit(lin, item), 4)
        job = services.assignment_regrade(assignment=assignment, actor=instructor_of(course))
        assert job is not None and job.total == 1
        submission.refresh_from_db()
        assert submission.status == Submission.Status.QUEUED
        entry = GradeHistory.objects.get()
        assert (entry.reason, entry.old_score, entry.new_score) == ("regrade", 4, None)
        graded(submission, 10)  # the worker grades it again
        services.submission_graded_notify(submission_id=submission.pk)
        entry.refresh_from_db()
        assert entry.new_score == 10
        assert selectors.item_grade(item=item, user=lin).score == 10

    def test_gradebook_per_section_and_csv_with_bom(self):
        course = course_create()
        prof = instructor_of(course)
        one = services.section_create(course=course, actor=prof, name="1班")
        lin = member_add(course, "lin")
        lin.first_name, lin.last_name, lin.email = "林", "一", "lin@example.com"
        lin.save()
        services.enrollment_set(course=course, actor=prof, user=lin, role="student", section=one)
        member_add(course, "=mei")
        item = assignment_create(course).items.get()
        graded(submit(lin, item), 7.5)
        book = selectors.gradebook(course=course, viewer=prof)
        assert book is not None
        assert [(r.enrollment.user.username, r.total) for r in book.rows] == [
            ("=mei", 0),
            ("lin", 7.5),
        ]
        section_book = selectors.gradebook(course=course, viewer=prof, section=one)
        assert section_book is not None and len(section_book.rows) == 1
        text = selectors.gradebook_csv(book=book)
        assert text.startswith("\ufeffusername,full_name,email,section,作业一: softmax,total")
        assert "lin,林 一,lin@example.com,1班,7.5,7.5" in text
        assert "'=mei" in text  # never a formula

    def test_gradebook_queries_do_not_grow_with_students(self, django_assert_max_num_queries):
        course = course_create()
        item = assignment_create(course).items.get()
        for n in range(12):
            graded(submit(member_add(course, f"s{n}"), item), n % 10)
        prof = instructor_of(course)
        with django_assert_max_num_queries(8):
            book = selectors.gradebook(course=course, viewer=prof)
            assert book is not None and len(book.rows) == 12

    def test_students_and_other_courses_staff_get_no_gradebook(self):
        course = course_create(code="a")
        other = course_create(code="b")
        ta_b = member_add(other, "ta-b", Enrollment.Role.TA)
        lin = member_add(course, "lin")
        assert selectors.gradebook(course=course, viewer=lin) is None
        assert selectors.gradebook(course=course, viewer=ta_b) is None

    def test_exam_mode_withholds_scores_and_comments_until_release(self):
        course = course_create()
        lin = member_add(course, "lin")
        mei = member_add(course, "mei")
        assignment = assignment_create(course, exam_mode=True)
        item = assignment.items.get()
        graded(submit(lin, item), 8)
        prof = instructor_of(course)
        services.grade_override_set(item=item, actor=prof, user=lin, score=9, comment="好")
        mine = selectors.assignment_grade_for(assignment=assignment, user=lin, viewer=lin)
        assert mine is not None and mine.withheld
        assert (mine.items[0][1].score, mine.items[0][1].comment) == (None, "")
        assert mine.items[0][1].attempts == 1
        assert selectors.assignment_grade_for(assignment=assignment, user=lin, viewer=mei) is None
        staff = selectors.assignment_grade_for(assignment=assignment, user=lin, viewer=prof)
        assert staff is not None and staff.items[0][1].score == 9
        services.assignment_release(assignment=assignment, actor=prof)
        mine = selectors.assignment_grade_for(assignment=assignment, user=lin, viewer=lin)
        assert mine is not None and not mine.withheld and mine.items[0][1].comment == "好"
