"""Forms of the course pages: proper widgets (date pickers, check boxes, selects), no JSON."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dlquiz.coding.models import Exercise
from dlquiz.courses.models import Assignment, AssignmentItem, Course, Enrollment, Section
from dlquiz.quiz.models import Exam


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class CourseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    code = forms.SlugField(
        label=_("Course code"), max_length=64, help_text=_("Short code, e.g. dl-2026")
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class JoinForm(forms.Form):
    join_code = forms.CharField(label=_("Join code"), max_length=32)


class SectionForm(forms.Form):
    name = forms.CharField(label=_("Section name"), max_length=100)


class MemberForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Enrollment.Role.choices)
    section = forms.ModelChoiceField(
        label=_("Section"), queryset=Section.objects.none(), required=False
    )

    def __init__(self, *args: Any, course: Course, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        section = self.fields["section"]
        assert isinstance(section, forms.ModelChoiceField)
        section.queryset = course.sections.all()


class RosterForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file (UTF-8)"),
        help_text=_("Columns: username, email, full name, section (header row required)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class AssignmentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    opens_at = forms.DateTimeField(
        label=_("Opens at"), required=False, widget=DateTimeInput(), input_formats=DATETIME_FORMATS
    )
    due_at = forms.DateTimeField(
        label=_("Due at"), widget=DateTimeInput(), input_formats=DATETIME_FORMATS
    )
    exercises = forms.ModelMultipleChoiceField(
        label=_("Coding exercises"),
        queryset=Exercise.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    exam = forms.ModelChoiceField(
        label=_("Exam from the question bank"), queryset=Exam.objects.all(), required=False
    )
    exam_variants = forms.ChoiceField(
        label=_("Exam variants"),
        choices=AssignmentItem.ExamVariants.choices,
        initial=AssignmentItem.ExamVariants.SAME,
    )
    points = forms.FloatField(
        label=_("Points per item"), min_value=0.01, max_value=1000, initial=10
    )
    max_attempts = forms.IntegerField(
        label=_("Attempt limit"),
        min_value=0,
        max_value=1000,
        initial=0,
        help_text=_("0: no limit"),
    )
    late_policy = forms.ChoiceField(
        label=_("Late policy"), choices=Assignment.LatePolicy.choices, initial="penalty"
    )
    late_penalty_percent = forms.FloatField(
        label=_("Late penalty (% per day)"), min_value=0, max_value=100, initial=10
    )
    score_policy = forms.ChoiceField(
        label=_("Submission that counts"), choices=Assignment.ScorePolicy.choices, initial="best"
    )
    exam_mode = forms.BooleanField(label=_("Exam mode: hide scores until released"), required=False)
    is_published = forms.BooleanField(label=_("Published"), required=False, initial=True)


class SubmitForm(forms.Form):
    framework = forms.ChoiceField(label=_("Framework"), choices=[])
    code = forms.CharField(
        label=_("Code"),
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false", "class": "code"}),
        strip=False,
    )

    def __init__(self, *args: Any, frameworks: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        framework = self.fields["framework"]
        assert isinstance(framework, forms.ChoiceField)
        framework.choices = [(f, f) for f in frameworks]


class ExtensionForm(forms.Form):
    username = forms.CharField(label=_("Student (username)"), max_length=150)
    due_at = forms.DateTimeField(
        label=_("New due date"), widget=DateTimeInput(), input_formats=DATETIME_FORMATS
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class OverrideForm(forms.Form):
    score = forms.FloatField(label=_("Score"), min_value=0)
    comment = forms.CharField(
        label=_("Comment for the student"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
