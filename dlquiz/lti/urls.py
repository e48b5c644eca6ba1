from django.urls import path

from dlquiz.lti import views

urlpatterns = [
    path("lti/jwks/", views.jwks, name="lti-jwks"),
    path("lti/init/<uuid:registration_uuid>/", views.OidcLoginApi.as_view(), name="lti-init"),
    path("lti/launch/", views.LaunchApi.as_view(), name="lti-launch"),
]
