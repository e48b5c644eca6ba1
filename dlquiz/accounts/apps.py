from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dlquiz.accounts"
    label = "accounts"

    def ready(self) -> None:
        from dlquiz.accounts import signals  # noqa: F401
