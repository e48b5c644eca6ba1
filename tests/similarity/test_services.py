"""The similarity check itself: which submissions are compared, how copies rank, what counts as
boilerplate, and how shared passages are shown."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from dlquiz.coding.models import Exercise, Submission
from dlquiz.coding.services import exercises_sync
from dlquiz.similarity import selectors, services
from dlquiz.similarity.models import SimilarityRun
from tests.coding.factories import graded_submission_create, student_create, teacher_create
from tests.courses.factories import instructor_of
from tests.similarity.factories import (
    DISGUISED,
    INDEPENDENT,
    ORIGINAL,
    PASSED,
    STARTER,
    assignment_setting,
    attention_exercise,
    course_with_students,
    final_submit,
    handed_in,
)

pytestmark = pytest.mark.django_db


def run_now(exercise: Exercise) -> SimilarityRun:
    run = SimilarityRun.objects.create(
        exercise=exercise, low_signal=services.exercise_is_low_signal(exercise=exercise)
    )
    services.similarity_run_execute(run_id=run.pk)
    run.refresh_from_db()
    return run


def test_only_each_students_last_graded_submission_is_compared():
    """A student's earlier submissions, runs of the samples and ungraded or failed
    submissions are never compared; the last graded one is."""
    exercise = attention_exercise()
    lin, wang = student_create("lin"), student_create("wang")
    first = final_submit(user=lin, exercise=exercise, code=INDEPENDENT)
    last = final_submit(user=lin, exercise=exercise, code=ORIGINAL)
    graded_submission_create(
        user=lin, exercise=exercise, tests=PASSED, code=DISGUISED, kind="samples"
    )
    Submission.objects.create(user=lin, exercise=exercise, framework="torch", code="x")
    Submission.objects.create(
        user=lin,
        exercise=exercise,
        framework="torch",
        code="y",
        status=Submission.Status.FAILED,
    )
    other = final_submit(user=wang, exercise=exercise, code=DISGUISED)
    finals = {s.pk for s in selectors.final_submissions(exercise=exercise)}
    assert finals == {last.pk, other.pk}
    assert first.pk not in finals


def test_a_disguised_copy_ranks_first_and_an_independent_solution_low():
    """Renaming variables and adding a comment does not hide a copy: the pair ranks first
    with a high score; the independent solution scores far below it."""
    exercise = attention_exercise()
    a = final_submit(user=student_create("a"), exercise=exercise, code=ORIGINAL)
    b = final_submit(user=student_create("b"), exercise=exercise, code=DISGUISED)
    c = final_submit(user=student_create("c"), exercise=exercise, code=INDEPENDENT)
    run = run_now(exercise)
    assert run.status == SimilarityRun.Status.DONE
    assert (run.submissions_count, run.pairs_total, run.pairs_done) == (3, 3, 3)
    pairs = list(selectors.run_pairs(run=run))
    top = pairs[0]
    assert {top.submission_a_id, top.submission_b_id} == {a.pk, b.pk}
    assert top.score >= 0.9
    others = [p for p in pairs[1:] if c.pk in (p.submission_a_id, p.submission_b_id)]
    assert all(p.score < 0.3 for p in others)
    assert top.slices_a and top.slices_b


def test_the_starter_code_is_not_counted_as_shared():
    """A student who handed in the starter untouched shares nothing with a full solution: the
    starter is boilerplate. Without it as boilerplate, its signature and docstring make a pair."""
    exercise = attention_exercise()
    final_submit(user=student_create("a"), exercise=exercise, code=ORIGINAL)
    final_submit(user=student_create("b"), exercise=exercise, code=STARTER)
    assert not run_now(exercise).pairs.exists()

    Exercise.objects.filter(pk=exercise.pk).update(starter_code={})
    exercise.refresh_from_db()
    without = run_now(exercise).pairs.get()
    assert without.score >= 0.3
    signature_at = ORIGINAL.index("def attention")
    assert any(start <= signature_at < end for start, end in without.slices_a)


def test_independent_solutions_with_the_same_starter_stay_low():
    """Two different bodies under the same starter signature and docstring score low."""
    exercise = attention_exercise()
    final_submit(user=student_create("a"), exercise=exercise, code=ORIGINAL)
    final_submit(user=student_create("b"), exercise=exercise, code=INDEPENDENT)
    pair = run_now(exercise).pairs.first()
    assert pair is None or pair.score < 0.3


def test_a_run_delivered_again_replaces_its_pairs():
    """Executing the same run twice (a redelivered task) leaves one set of pairs."""
    exercise = attention_exercise()
    final_submit(user=student_create("a"), exercise=exercise, code=ORIGINAL)
    final_submit(user=student_create("b"), exercise=exercise, code=DISGUISED)
    run = SimilarityRun.objects.create(exercise=exercise)
    services.similarity_run_execute(run_id=run.pk)
    SimilarityRun.objects.filter(pk=run.pk).update(status=SimilarityRun.Status.RUNNING)
    services.similarity_run_execute(run_id=run.pk)
    assert run.pairs.count() == 1


def test_fewer_than_two_students_is_a_finished_run_without_pairs():
    """One submission has nothing to be compared with: the run ends done, 0 pairs."""
    exercise = attention_exercise()
    final_submit(user=student_create("a"), exercise=exercise, code=ORIGINAL)
    run = run_now(exercise)
    assert run.status == SimilarityRun.Status.DONE and run.percent == 100
    assert run.pairs_total == 0 and not run.pairs.exists()


def test_a_broken_run_ends_failed_with_the_reason(monkeypatch):
    """A fault inside the check marks the run failed with a message, never stuck running."""
    exercise = attention_exercise()
    final_submit(user=student_create("a"), exercise=exercise, code=ORIGINAL)
    final_submit(user=student_create("b"), exercise=exercise, code=DISGUISED)
    run = SimilarityRun.objects.create(exercise=exercise)

    def broken(**kwargs):
        raise ValueError("fingerprints disagree")

    monkeypatch.setattr(services, "fingerprints_compare", broken)
    services.similarity_run_guarded(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == SimilarityRun.Status.FAILED
    assert "fingerprints disagree" in run.message


def test_arithmetic_exercises_are_low_signal_and_tensor_exercises_are_not():
    """conv-output-size and the other python-only exercises are flagged low-signal."""
    exercises_sync()
    flagged = {
        e.slug for e in Exercise.objects.all() if services.exercise_is_low_signal(exercise=e)
    }
    assert "conv-output-size" in flagged
    assert {"conv-cost", "receptive-field", "conv-transpose-output-size"} <= flagged
    assert "softmax" not in flagged and "multi-head-attention" not in flagged


def test_a_run_of_a_low_signal_exercise_carries_the_flag():
    exercises_sync()
    course, _ = course_with_students("dl-a", students=[])
    run = services.similarity_run_create(
        user=instructor_of(course), exercise_slug="conv-output-size", course_id=course.pk
    )
    assert run.low_signal and run.course == course


def test_only_a_courses_staff_start_a_check():
    """A student, or a site instructor who teaches no course, starts nothing."""
    attention_exercise()
    course, (lin,) = course_with_students("dl-a", students=["lin"])
    for user in (lin, teacher_create("prof-nowhere")):
        with pytest.raises(PermissionError):
            services.similarity_run_create(
                user=user, exercise_slug="attention-copy", course_id=course.pk
            )
    assert not SimilarityRun.objects.exists()


def test_an_unknown_exercise_names_the_field():
    course, _ = course_with_students("dl-a", students=[])
    with pytest.raises(services.SimilarityError) as caught:
        services.similarity_run_create(
            user=instructor_of(course), exercise_slug="nope", course_id=course.pk
        )
    assert caught.value.field == "exercise"


# --- scope: one course, one assignment ---------------------------------------------------------


def test_a_course_check_compares_only_that_courses_students():
    """Course A's check pairs A's students only: B's copy of the same code is not compared, and
    a student of both courses brings only work not handed in to B's assignments."""
    exercise = attention_exercise()
    course_a, (lin, wang, mei) = course_with_students("dl-a", students=["lin", "wang", "mei"])
    course_b, (zhao, _mei) = course_with_students("dl-b", students=["zhao", "mei"])
    for_b = assignment_setting(course_b, exercise)
    a1 = final_submit(user=lin, exercise=exercise, code=ORIGINAL)
    a2 = final_submit(user=wang, exercise=exercise, code=DISGUISED)
    final_submit(user=zhao, exercise=exercise, code=ORIGINAL)
    mei_practice = final_submit(user=mei, exercise=exercise, code=INDEPENDENT)
    handed_in(for_b, final_submit(user=mei, exercise=exercise, code=DISGUISED))

    finals = selectors.final_submissions(exercise=exercise, course=course_a)
    assert {s.pk for s in finals} == {a1.pk, a2.pk, mei_practice.pk}
    run = SimilarityRun.objects.create(exercise=exercise, course=course_a)
    services.similarity_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.submissions_count == 3
    users = {p.submission_a.user_id for p in run.pairs.all()}
    users |= {p.submission_b.user_id for p in run.pairs.all()}
    assert zhao.pk not in users
    everyone = {s.user_id for s in selectors.final_submissions(exercise=exercise)}
    assert everyone == {lin.pk, wang.pk, zhao.pk, mei.pk}


def test_an_assignment_check_compares_only_the_work_handed_in_for_it():
    exercise = attention_exercise()
    course, (lin, wang, mei) = course_with_students("dl-a", students=["lin", "wang", "mei"])
    midterm = assignment_setting(course, exercise, "期中")
    homework = assignment_setting(course, exercise, "作业")
    first = handed_in(midterm, final_submit(user=lin, exercise=exercise, code=ORIGINAL))
    final_submit(user=lin, exercise=exercise, code=INDEPENDENT)  # practice afterwards
    second = handed_in(midterm, final_submit(user=wang, exercise=exercise, code=DISGUISED))
    handed_in(homework, final_submit(user=mei, exercise=exercise, code=ORIGINAL))
    finals = selectors.final_submissions(exercise=exercise, assignment=midterm)
    assert {s.pk for s in finals} == {first.pk, second.pk}
    run = services.similarity_run_create(
        user=instructor_of(course),
        exercise_slug=exercise.slug,
        course_id=course.pk,
        assignment_id=midterm.pk,
    )
    services.similarity_run_execute(run_id=run.pk)
    pair = run.pairs.get()
    assert {pair.submission_a_id, pair.submission_b_id} == {first.pk, second.pk}


def test_staff_start_checks_for_their_own_course_only():
    """A TA starts a check of their course; an instructor of another course gets
    PermissionError (a 404 on the page); only a superuser checks every course at once."""
    from dlquiz.courses.models import Enrollment
    from dlquiz.courses.services import enrollment_set

    exercise = attention_exercise()
    course_a, _ = course_with_students("dl-a", students=[])
    course_b, _ = course_with_students("dl-b", students=[])
    ta = student_create("ta-a")
    enrollment_set(
        course=course_a, actor=instructor_of(course_a), user=ta, role=Enrollment.Role.TA,
        section=None,
    )  # fmt: skip
    run = services.similarity_run_create(
        user=ta, exercise_slug=exercise.slug, course_id=course_a.pk
    )
    assert (run.course, run.assignment, run.created_by) == (course_a, None, ta)
    for user, course_id in ((instructor_of(course_b), course_a.pk), (ta, course_b.pk)):
        with pytest.raises(PermissionError):
            services.similarity_run_create(
                user=user, exercise_slug=exercise.slug, course_id=course_id
            )
    with pytest.raises(services.SimilarityError) as caught:
        services.similarity_run_create(user=ta, exercise_slug=exercise.slug)
    assert caught.value.field == "course"
    admin = User.objects.create_superuser("root", password="pw-root-123456")
    everyone = services.similarity_run_create(user=admin, exercise_slug=exercise.slug)
    assert everyone.course is None


def test_an_assignment_must_be_the_courses_and_set_the_exercise():
    exercise = attention_exercise()
    other_exercise = attention_exercise("attention-other")
    course_a, _ = course_with_students("dl-a", students=[])
    course_b, _ = course_with_students("dl-b", students=[])
    of_b = assignment_setting(course_b, exercise)
    without = assignment_setting(course_a, other_exercise)
    for assignment in (of_b, without):
        with pytest.raises(services.SimilarityError) as caught:
            services.similarity_run_create(
                user=instructor_of(course_a),
                exercise_slug=exercise.slug,
                course_id=course_a.pk,
                assignment_id=assignment.pk,
            )
        assert caught.value.field == "assignment"


def test_shared_passages_are_marked_and_code_is_escaped():
    """Each shared passage is one <mark>; the code's own HTML is escaped, inside and
    outside a passage."""
    code = "a = '<b>'\nshared <i>x</i>\nend"
    start = code.index("shared")
    html = selectors.code_highlight(code=code, slices=[[start, start + 15]])
    assert html.count("<mark>") == 1
    assert "<mark>shared &lt;i&gt;x&lt;/i&gt;</mark>" in html
    assert "&lt;b&gt;" in html and "<b>" not in html and "<i>" not in html


def test_overlapping_and_out_of_range_slices_are_clipped():
    code = "0123456789"
    html = selectors.code_highlight(code=code, slices=[[2, 6], [4, 8], [9, 50]])
    assert html == "01<mark>2345</mark><mark>67</mark>8<mark>9</mark>"


def test_starter_only_is_not_suspicious():
    """Two students who handed in the untouched starter share nothing that counts."""
    exercise = attention_exercise()
    final_submit(user=student_create("a"), exercise=exercise, code=STARTER)
    final_submit(user=student_create("b"), exercise=exercise, code=STARTER)
    run = run_now(exercise)
    assert not run.pairs.exists()
