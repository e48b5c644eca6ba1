"""Accounts for a benchmark run, made through the product's own services; prints them as JSON.

Run by bench/stack.py with the stack's environment (database, settings)."""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--instructors", type=int, default=10)
    parser.add_argument("--students", type=int, default=1)
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.contrib.auth.models import User
    from rest_framework.authtoken.models import Token

    from dlquiz.accounts.services import instructor_create

    rows = []
    for role, count in (("instructor", args.instructors), ("student", args.students)):
        for i in range(count):
            username = f"bench-{role}-{i}"
            password = secrets.token_urlsafe(16)
            if role == "instructor":
                user = instructor_create(username=username, password=password)
            elif i == 0:
                user = User.objects.create_user(username=username, password=password)
            else:
                # The exam burst's students use API tokens only: hashing hundreds of passwords
                # would make seeding take minutes.
                user = User(username=username)
                user.set_unusable_password()
                user.save()
                password = ""
            token, _ = Token.objects.get_or_create(user=user)
            rows.append(
                {
                    "username": username,
                    "password": password,
                    "token": token.key,
                    "instructor": role == "instructor",
                }
            )
    json.dump(rows, sys.stdout)


if __name__ == "__main__":
    main()
