from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

api_patterns = [
    path("", include("dlquiz.accounts.api_urls")),
    path("", include("dlquiz.content.api_urls")),
    path("", include("dlquiz.coding.api_urls")),
    path("", include("dlquiz.quiz.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("dlquiz.core.urls")),
    path("", include("dlquiz.accounts.urls")),
    path("", include("dlquiz.content.urls")),
    path("", include("dlquiz.coding.urls")),
    path("", include("dlquiz.quiz.urls")),
]
