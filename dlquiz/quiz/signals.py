"""Hooks of the quiz app for other apps (the courses app turns a graded exam into a grade).

`attempt_graded` is sent once per exam attempt, after the transaction that graded it commits,
with keyword argument `attempt` (the graded ExamAttempt). Every way an attempt gets graded sends
it: finished by its student (page or API), opened after its deadline, or graded by the deadline
sweep while nobody looks. A receiver's failure is logged and never undoes the grading."""

from django.dispatch import Signal

attempt_graded = Signal()
