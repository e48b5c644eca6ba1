"""Hooks other code subscribes to (LMS grade passback, notifications).

`grade_changed` is sent after the transaction that changed a student's grade on an assignment
commits, with keyword arguments `course`, `assignment` and `user` (the student). It is sent for a
manual override (set or removed), an extension, a graded submission linked to the assignment,
a regrade, an exam attempt graded (handed in on the quiz pages or the API, opened after its
deadline, or graded by the deadline sweep), and a release of exam-mode results. Receivers re-read the grade through
`dlquiz.courses.selectors.assignment_grade_for`; the signal carries no score so that a late
receiver never acts on a stale one."""

from django.dispatch import Signal

grade_changed = Signal()
