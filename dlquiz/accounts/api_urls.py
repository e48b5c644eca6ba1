from django.urls import path

from dlquiz.accounts import views

urlpatterns = [path("auth/token/", views.TokenObtainApi.as_view(), name="api-token")]
