from django.urls import path

from dlquiz.coding import api

urlpatterns = [
    path("exercises/", api.ExerciseListApi.as_view(), name="api-exercise-list"),
    path("exercises/<slug:slug>/", api.ExerciseDetailApi.as_view(), name="api-exercise-detail"),
    path("submissions/", api.SubmissionListCreateApi.as_view(), name="api-submission-list"),
    path(
        "submissions/run-samples/",
        api.SubmissionRunSamplesApi.as_view(),
        name="api-submission-run-samples",
    ),
    path(
        "submissions/<int:submission_id>/",
        api.SubmissionDetailApi.as_view(),
        name="api-submission-detail",
    ),
]
