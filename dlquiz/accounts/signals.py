from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate)
def grant_instructor_permissions(sender, **kwargs) -> None:
    """Permissions exist only after every app migrated; refresh the group each time."""
    if getattr(sender, "label", "") != "accounts":
        return
    from dlquiz.accounts.services import instructors_group_sync

    instructors_group_sync()
