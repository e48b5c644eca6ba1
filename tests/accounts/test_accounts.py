"""Students sign up and log in on the web and get API tokens; instructors administer content."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from dlquiz.accounts.services import INSTRUCTORS, instructor_create, user_is_instructor

pytestmark = pytest.mark.django_db


def test_student_signs_up_and_is_logged_in(client):
    response = client.post(
        reverse("signup"),
        {"username": "lin", "password1": "a-long-Passphrase-7", "password2": "a-long-Passphrase-7"},
    )
    assert response.status_code == 302
    assert User.objects.filter(username="lin").exists()
    assert client.get(reverse("home")).context["user"].username == "lin"


def test_signup_with_mismatched_passwords_shows_errors_and_creates_nobody(client):
    response = client.post(
        reverse("signup"),
        {"username": "lin", "password1": "a-long-Passphrase-7", "password2": "different-Pass-8"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not User.objects.filter(username="lin").exists()


def test_login_page_logs_in(client):
    User.objects.create_user(username="mei", password="a-long-Passphrase-7")
    response = client.post(reverse("login"), {"username": "mei", "password": "a-long-Passphrase-7"})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_token_endpoint_returns_a_token_that_authenticates(client):
    """POST /api/auth/token/ (CONTRACT §2) returns {"token": key}; the key authenticates."""
    User.objects.create_user(username="mei", password="a-long-Passphrase-7")
    response = client.post(
        "/api/auth/token/",
        {"username": "mei", "password": "a-long-Passphrase-7"},
        content_type="application/json",
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert len(token) == 40
    again = client.post(
        "/api/auth/token/",
        {"username": "mei", "password": "a-long-Passphrase-7"},
        content_type="application/json",
    )
    assert again.json()["token"] == token


def test_token_endpoint_rejects_bad_credentials_with_a_message(client):
    User.objects.create_user(username="mei", password="a-long-Passphrase-7")
    response = client.post(
        "/api/auth/token/",
        {"username": "mei", "password": "wrong"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_token_endpoint_names_missing_fields(client):
    response = client.post("/api/auth/token/", {}, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


def test_instructor_is_staff_in_group_with_content_permissions_but_not_superuser():
    teacher = instructor_create(username="teacher", password="a-long-Passphrase-7")
    assert teacher.is_staff and not teacher.is_superuser
    assert teacher.groups.filter(name=INSTRUCTORS).exists()
    assert teacher.has_perm("coding.change_exercise")
    assert teacher.has_perm("coding.change_submission")
    assert not teacher.has_perm("auth.change_user")
    assert user_is_instructor(teacher)
    assert not user_is_instructor(User.objects.create_user(username="s", password="x"))


def test_instructor_can_open_the_admin(client):
    instructor_create(username="teacher", password="a-long-Passphrase-7")
    client.login(username="teacher", password="a-long-Passphrase-7")
    assert client.get("/admin/").status_code == 200


def test_account_pages_are_chinese_by_default(client):
    """The login and sign-up pages, form labels included, are in Chinese by default."""
    login_page = client.get(reverse("login")).content.decode()
    assert "还没有账号？" in login_page and "用户名" in login_page
    signup_page = client.get(reverse("signup")).content.decode()
    assert "创建账号" in signup_page and "密码确认" in signup_page


def test_account_pages_are_english_when_the_browser_asks_for_it(client):
    """Accept-Language: en serves the English login and sign-up pages."""
    login_page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No account yet?" in login_page and "Username" in login_page
    signup_page = client.get(reverse("signup"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Create account" in signup_page and "创建账号" not in signup_page


def test_failed_login_says_why_in_the_page_language(client):
    User.objects.create_user(username="mei", password="a-long-Passphrase-7")
    wrong = {"username": "mei", "password": "wrong"}
    assert "请输入一个正确的" in client.post(reverse("login"), wrong).content.decode()
    english = client.post(reverse("login"), wrong, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Please enter a correct username and password" in english
