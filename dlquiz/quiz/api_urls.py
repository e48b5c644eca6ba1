from django.urls import path

from dlquiz.quiz import api

urlpatterns = [
    path("reviews/due/", api.ReviewDueApi.as_view(), name="api-review-due"),
    path("reviews/undo/", api.ReviewUndoApi.as_view(), name="api-review-undo"),
    path("reviews/<int:card_id>/rate/", api.ReviewRateApi.as_view(), name="api-review-rate"),
    path("exams/attempts/", api.AttemptCreateApi.as_view(), name="api-attempt-create"),
    path(
        "exams/attempts/<int:attempt_id>/",
        api.AttemptDetailApi.as_view(),
        name="api-attempt-detail",
    ),
    path(
        "exams/attempts/<int:attempt_id>/answers/<int:position>/",
        api.AttemptAnswerApi.as_view(),
        name="api-attempt-answer",
    ),
    path(
        "exams/attempts/<int:attempt_id>/finish/",
        api.AttemptFinishApi.as_view(),
        name="api-attempt-finish",
    ),
]
