"""Brute-force protection (django-axes) on the web login, the admin login and the API token
endpoint; password rules on sign-up; session expiry."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django.urls import reverse

from dlquiz.accounts.services import instructor_create

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-Passphrase-7"


def fail_logins(client: Client, url: str, *, username: str, times: int) -> list[int]:
    return [
        client.post(url, {"username": username, "password": "wrong-guess"}).status_code
        for _ in range(times)
    ]


def test_the_web_login_locks_a_username_after_the_failure_limit_even_for_the_right_password(
    client,
):
    User.objects.create_user(username="mei", password=PASSWORD)
    limit = settings.AXES_FAILURE_LIMIT
    statuses = fail_logins(client, reverse("login"), username="mei", times=limit)
    assert statuses[:-1] == [200] * (limit - 1)
    assert statuses[-1] == 429
    locked = client.post(
        reverse("login"), {"username": "mei", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "Too many failed logins. Try again in 15 minutes" in locked.content.decode()
    assert int(locked["Retry-After"]) == 15 * 60


def test_the_lockout_message_is_in_chinese_by_default(client):
    fail_logins(client, reverse("login"), username="mei", times=settings.AXES_FAILURE_LIMIT)
    page = client.post(reverse("login"), {"username": "mei", "password": "x"})
    assert page.status_code == 429
    assert "登录失败次数过多" in page.content.decode()


def test_a_successful_login_resets_the_count(client):
    User.objects.create_user(username="mei", password=PASSWORD)
    limit = settings.AXES_FAILURE_LIMIT
    fail_logins(client, reverse("login"), username="mei", times=limit - 1)
    assert (
        client.post(reverse("login"), {"username": "mei", "password": PASSWORD}).status_code == 302
    )
    client.logout()
    assert fail_logins(client, reverse("login"), username="mei", times=limit - 1) == [200] * (
        limit - 1
    )
    assert (
        client.post(reverse("login"), {"username": "mei", "password": PASSWORD}).status_code == 302
    )


def test_another_username_from_the_same_address_is_not_locked(client):
    """A classroom behind one address: one student's lockout does not stop the others."""
    User.objects.create_user(username="lin", password=PASSWORD)
    fail_logins(client, reverse("login"), username="mei", times=settings.AXES_FAILURE_LIMIT)
    assert (
        client.post(reverse("login"), {"username": "lin", "password": PASSWORD}).status_code == 302
    )


def test_the_admin_login_locks_too(client):
    instructor_create(username="prof", password=PASSWORD)
    statuses = fail_logins(
        client, "/admin/login/", username="prof", times=settings.AXES_FAILURE_LIMIT
    )
    assert statuses[-1] == 429
    again = client.post("/admin/login/", {"username": "prof", "password": PASSWORD})
    assert again.status_code == 429


def test_the_api_token_endpoint_locks_with_a_json_429(client):
    User.objects.create_user(username="mei", password=PASSWORD)
    answers = [
        client.post(
            "/api/auth/token/",
            {"username": "mei", "password": "wrong-guess"},
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert [a.status_code for a in answers[:-1]] == [400] * (settings.AXES_FAILURE_LIMIT - 1)
    assert answers[-1].status_code == 429
    locked = client.post(
        "/api/auth/token/",
        {"username": "mei", "password": PASSWORD},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert locked.status_code == 429
    assert locked["Content-Type"] == "application/json"
    assert locked.json()["detail"].startswith("Too many failed logins.")
    assert int(locked["Retry-After"]) > 0


def test_an_instructor_unlocks_a_student_in_the_admin(client):
    User.objects.create_user(username="mei", password=PASSWORD)
    fail_logins(client, reverse("login"), username="mei", times=settings.AXES_FAILURE_LIMIT)
    attempt = AccessAttempt.objects.get(username="mei")

    instructor_create(username="prof", password=PASSWORD)
    staff = Client()
    staff.force_login(User.objects.get(username="prof"))
    assert staff.get("/admin/axes/accessattempt/").status_code == 200
    confirm = staff.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert confirm.status_code == 302
    assert not AccessAttempt.objects.filter(username="mei").exists()

    assert (
        client.post(reverse("login"), {"username": "mei", "password": PASSWORD}).status_code == 302
    )


@override_settings(AXES_FAILURE_LIMIT=3)
def test_the_limit_is_a_setting(client):
    assert fail_logins(client, reverse("login"), username="mei", times=3) == [200, 200, 429]


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short7", "This password is too short"),
        ("password123", "This password is too common"),
        ("83920174651", "This password is entirely numeric"),
        ("meilin-zhang", "The password is too similar to the username"),
    ],
)
def test_signup_refuses_weak_passwords_with_the_validators_message(client, password, message):
    response = client.post(
        reverse("signup"),
        {"username": "meilin-zhang", "password1": password, "password2": password},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["password2"])
    assert not User.objects.filter(username="meilin-zhang").exists()


def test_a_session_expires_after_its_age_and_is_renewed_by_use(client):
    User.objects.create_user(username="mei", password=PASSWORD)
    response = client.post(reverse("login"), {"username": "mei", "password": PASSWORD})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE == 14 * 24 * 3600
    # Every request renews it: an active student stays logged in.
    renewed = client.get(reverse("home"))
    assert settings.SESSION_COOKIE_NAME in renewed.cookies


def test_an_expired_session_is_logged_out(client):
    User.objects.create_user(username="mei", password=PASSWORD)
    client.post(reverse("login"), {"username": "mei", "password": PASSWORD})
    session = client.session
    session.set_expiry(-1)
    session.save()
    assert client.get(reverse("home")).context["user"].is_anonymous


@override_settings(DLQUIZ_PROXY_COUNT=1)
def test_behind_a_proxy_the_lockout_follows_the_forwarded_address(client):
    """Two students behind one proxy are counted apart by the address the proxy saw; a value a
    client puts in front of X-Forwarded-For does not move it."""
    User.objects.create_user(username="mei", password=PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": "mei", "password": "wrong-guess"},
            HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7",
        )
    locked = client.post(
        reverse("login"),
        {"username": "mei", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="9.9.9.9, 198.51.100.7",
    )
    assert locked.status_code == 429
    elsewhere = client.post(
        reverse("login"),
        {"username": "mei", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.8",
    )
    assert elsewhere.status_code == 302
