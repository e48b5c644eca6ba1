from django.urls import path

from dlquiz.coding import api

# Path parameters are plain strings so that a malformed one still reaches the API view and gets
# the JSON 404 of CONTRACT §2 instead of the HTML page of the URL resolver.

urlpatterns = [
    path("exercises/", api.ExerciseListApi.as_view(), name="api-exercise-list"),
    path("exercises/<str:slug>/", api.ExerciseDetailApi.as_view(), name="api-exercise-detail"),
    path("submissions/", api.SubmissionListCreateApi.as_view(), name="api-submission-list"),
    path(
        "submissions/run-samples/",
        api.SubmissionRunSamplesApi.as_view(),
        name="api-submission-run-samples",
    ),
    path(
        "submissions/<str:submission_id>/",
        api.SubmissionDetailApi.as_view(),
        name="api-submission-detail",
    ),
]
