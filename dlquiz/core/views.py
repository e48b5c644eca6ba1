from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from dlquiz.core.api import api_error_response, is_api_request, request_too_large_detail
from dlquiz.core.health import health_report


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    report = health_report()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: JSON under /api/ (e.g. for a body over the limit read by a middleware before
    any API view), Django's page elsewhere."""
    if not is_api_request(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return api_error_response(status_code=400, detail=request_too_large_detail())
    return api_error_response(status_code=400, detail="Bad request.")


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: an API client gets JSON it can parse (nothing of the error itself)."""
    if not is_api_request(request):
        return defaults.server_error(request)
    return api_error_response(status_code=500, detail="Internal server error.")


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: URLs under /api/ that match no endpoint answer like the API's own 404s."""
    if not is_api_request(request):
        return defaults.page_not_found(request, exception)
    return api_not_found(request)


@csrf_exempt
def api_not_found(request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
    """The last route under /api/. handler404 alone is not enough: with DEBUG on Django answers
    an unmatched URL with its HTML debug page instead; csrf_exempt because a token client's
    POST to a wrong URL deserves the 404, not the CSRF failure page."""
    return api_error_response(status_code=404, detail="Not found.")
