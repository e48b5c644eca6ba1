from django.urls import path

from dlquiz.courses import api

# Path parameters are plain strings so that a malformed one still reaches the API view and gets
# the JSON 404 of CONTRACT §2.

urlpatterns = [
    path("courses/", api.CourseListCreateApi.as_view(), name="api-course-list"),
    path("courses/join/", api.CourseJoinApi.as_view(), name="api-course-join"),
    path(
        "courses/assignments/<str:assignment_id>/",
        api.AssignmentDetailApi.as_view(),
        name="api-assignment-detail",
    ),
    path(
        "courses/assignments/<str:assignment_id>/submissions/",
        api.AssignmentSubmitApi.as_view(),
        name="api-assignment-submit",
    ),
    path(
        "courses/assignments/<str:assignment_id>/exam/",
        api.AssignmentExamStartApi.as_view(),
        name="api-assignment-exam",
    ),
    path(
        "courses/assignments/<str:assignment_id>/extensions/",
        api.AssignmentExtensionApi.as_view(),
        name="api-assignment-extensions",
    ),
    path(
        "courses/assignments/<str:assignment_id>/release/",
        api.AssignmentReleaseApi.as_view(),
        name="api-assignment-release",
    ),
    path(
        "courses/assignments/<str:assignment_id>/regrade/",
        api.AssignmentRegradeApi.as_view(),
        name="api-assignment-regrade",
    ),
    path(
        "courses/items/<str:item_id>/grades/<str:username>/",
        api.ItemGradeApi.as_view(),
        name="api-item-grade",
    ),
    path("courses/<str:course_id>/", api.CourseDetailApi.as_view(), name="api-course-detail"),
    path(
        "courses/<str:course_id>/members/",
        api.CourseMembersApi.as_view(),
        name="api-course-members",
    ),
    path(
        "courses/<str:course_id>/sections/",
        api.CourseSectionsApi.as_view(),
        name="api-course-sections",
    ),
    path(
        "courses/<str:course_id>/roster/", api.CourseRosterApi.as_view(), name="api-course-roster"
    ),
    path(
        "courses/<str:course_id>/assignments/",
        api.CourseAssignmentsApi.as_view(),
        name="api-course-assignments",
    ),
    path(
        "courses/<str:course_id>/gradebook/",
        api.CourseGradebookApi.as_view(),
        name="api-course-gradebook",
    ),
]
