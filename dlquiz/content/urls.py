from django.urls import path

from dlquiz.content import views

app_name = "content"

urlpatterns = [
    path("topics/", views.topic_list, name="topic-list"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic-detail"),
    path("topics/<slug:slug>/random/", views.topic_random, name="topic-random"),
    path("cards/<int:pk>/", views.card_detail, name="card-detail"),
    path("search/", views.search, name="search"),
]
