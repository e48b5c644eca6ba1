from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from dlquiz.core.views import api_not_found

# The API documentation pages (Swagger UI, Redoc) carry and inject <style> elements, and Redoc
# runs its search in a blob: worker; their scripts still come from this site only.
docs_csp = csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]})

api_patterns = [
    path("", include("dlquiz.accounts.api_urls")),
    path("", include("dlquiz.content.api_urls")),
    path("", include("dlquiz.coding.api_urls")),
    path("", include("dlquiz.quiz.api_urls")),
    path("", include("dlquiz.courses.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/", docs_csp(SpectacularSwaggerSplitView.as_view(url_name="schema")), name="swagger-ui"
    ),
    path("redoc/", docs_csp(SpectacularRedocView.as_view(url_name="schema")), name="redoc"),
    # Only URLs ending in "/", so that APPEND_SLASH still redirects "/api/exercises" to its view.
    re_path(r"^(?:.*/)?$", api_not_found, name="api-not-found"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("dlquiz.ops.urls")),
    path("", include("dlquiz.core.urls")),
    path("", include("dlquiz.accounts.urls")),
    path("", include("dlquiz.content.urls")),
    path("", include("dlquiz.coding.urls")),
    path("", include("dlquiz.quiz.urls")),
    path("", include("dlquiz.similarity.urls")),
    path("", include("dlquiz.lti.urls")),
    path("", include("dlquiz.courses.urls")),
]

# Under /api/ errors raised outside an API view are JSON like the API's own (CONTRACT §2).
handler400 = "dlquiz.core.views.bad_request"
handler404 = "dlquiz.core.views.not_found"
handler500 = "dlquiz.core.views.server_error"
