from django.contrib.auth.models import Group, Permission, User
from django.db import transaction
from django.db.models import Q

INSTRUCTORS = "instructors"
# Apps whose content instructors administer (not users or groups: that stays with superusers).
INSTRUCTOR_APPS = ("content", "coding", "quiz", "similarity", "dlquiz_lti", "lti_tool")


def instructors_group_sync() -> Group:
    """Create or refresh the instructors group with every permission of the content apps."""
    group, _ = Group.objects.get_or_create(name=INSTRUCTORS)
    perms = Permission.objects.filter(
        Q(content_type__app_label__in=INSTRUCTOR_APPS)
        # The audit log and the login lockouts: read-only for instructors.
        | Q(content_type__app_label__in=("ops", "axes"), codename__startswith="view_")
        # Unlocking a student is deleting the access attempts that locked them out.
        | Q(content_type__app_label="axes", codename="delete_accessattempt")
    )
    group.permissions.set(perms)
    return group


@transaction.atomic
def instructor_create(*, username: str, password: str, email: str = "") -> User:
    """An instructor is staff (may enter the admin) in the instructors group, never a superuser."""
    user = User.objects.create_user(username=username, password=password, email=email)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(instructors_group_sync())
    return user


def user_is_instructor(user: User) -> bool:
    return bool(
        user.is_authenticated
        and (user.is_superuser or user.groups.filter(name=INSTRUCTORS).exists())
    )
