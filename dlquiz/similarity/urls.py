from django.urls import path

from dlquiz.similarity import views

urlpatterns = [
    path("similarity/", views.exercise_list, name="similarity-exercises"),
    path("similarity/runs/", views.run_start, name="similarity-run-start"),
    path("similarity/runs/<int:run_id>/", views.run_detail, name="similarity-run"),
    path("similarity/pairs/<int:pair_id>/", views.pair_detail, name="similarity-pair"),
]
