from django.urls import path

from dlquiz.content import api

urlpatterns = [
    path("cards/", api.CardListApi.as_view(), name="api-card-list"),
    path("cards/<int:card_id>/", api.CardDetailApi.as_view(), name="api-card-detail"),
]
