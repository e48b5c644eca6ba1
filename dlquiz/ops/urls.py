from django.urls import path

from dlquiz.ops import views

urlpatterns = [path("metrics", views.metrics, name="metrics")]
