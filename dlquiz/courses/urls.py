from django.urls import path

from dlquiz.courses import views

app_name = "courses"

urlpatterns = [
    path("courses/", views.course_list, name="list"),
    path("courses/<int:course_id>/", views.course_detail, name="course"),
    path("courses/<int:course_id>/roster/", views.roster_import, name="roster"),
    path("courses/<int:course_id>/assignments/new/", views.assignment_new, name="assignment-new"),
    path("courses/<int:course_id>/gradebook/", views.gradebook, name="gradebook"),
    path("courses/<int:course_id>/gradebook.csv", views.gradebook_csv, name="gradebook-csv"),
    path("courses/assignments/<int:assignment_id>/", views.assignment_detail, name="assignment"),
    path(
        "courses/assignments/<int:assignment_id>/regrade/",
        views.assignment_regrade,
        name="regrade",
    ),
    path(
        "courses/items/<int:item_id>/grades/<str:username>/",
        views.item_grade,
        name="item-grade",
    ),
]
