from django.urls import path

from dlquiz.quiz import views

app_name = "quiz"

urlpatterns = [
    path("review/", views.review, name="review"),
    path("review/undo/", views.review_undo, name="review-undo"),
    path("review/settings/", views.review_settings, name="review-settings"),
    path("review/<int:card_id>/rate/", views.review_rate, name="review-rate"),
    path("exams/", views.exam_list, name="exam-list"),
    path("exams/new/", views.exam_new, name="exam-new"),
    path("exams/<int:exam_id>/start/", views.exam_start, name="exam-start"),
    path("exams/attempts/<int:attempt_id>/", views.attempt, name="attempt"),
    path("exams/attempts/<int:attempt_id>/finish/", views.attempt_finish, name="attempt-finish"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
