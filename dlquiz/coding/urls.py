from django.urls import path

from dlquiz.coding import views

urlpatterns = [
    path("exercises/", views.exercise_list, name="exercise-list"),
    path("exercises/<slug:slug>/", views.exercise_detail, name="exercise-detail"),
    path("submissions/", views.submission_list, name="submission-list"),
    path("submissions/<int:submission_id>/", views.submission_detail, name="submission-detail"),
    path(
        "submissions/<int:submission_id>/result/",
        views.submission_result_fragment,
        name="submission-result",
    ),
]
