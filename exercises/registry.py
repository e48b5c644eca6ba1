"""All exercises, by slug, discovered from the packages under exercises/ (adding an exercise is
adding its package). The Django side syncs them into the database from exercise_list()."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from exercises.base import Exercise

PACKAGE_DIR = Path(__file__).resolve().parent


class ExerciseNotFound(KeyError):
    pass


def exercise_classes() -> tuple[type[Exercise], ...]:
    """Every package's exercise class, in catalogue order. Importing a package validates its
    class (Exercise.__init_subclass__), so an incomplete package fails here, loudly."""
    found = [
        _package_class(module_info.name)
        for module_info in pkgutil.iter_modules([str(PACKAGE_DIR)])
        if module_info.ispkg
    ]
    slugs = [cls.slug for cls in found]
    if len(set(slugs)) != len(slugs):
        raise TypeError(f"duplicate exercise slugs: {sorted(slugs)}")
    return tuple(sorted(found, key=lambda cls: (cls.position, cls.slug)))


def _package_class(name: str) -> type[Exercise]:
    module = importlib.import_module(f"exercises.{name}")
    classes = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, Exercise)
        and value.__module__ == module.__name__
        and "slug" in value.__dict__
    ]
    if len(classes) != 1:
        raise TypeError(f"exercises/{name} must define exactly one exercise class")
    if classes[0].slug.replace("-", "_") != name:
        raise TypeError(f"exercises/{name} must be named after its slug {classes[0].slug!r}")
    return classes[0]


# One instance per slug and process: case generation and the solutions' loading are cached on it.
_INSTANCES: dict[str, Exercise] = {}


def exercise_list() -> list[Exercise]:
    """Every exercise, in catalogue order (imports every package: a broken one fails here)."""
    return [_instance(cls) for cls in exercise_classes()]


def exercise_get(slug: str) -> Exercise:
    """The exercise with this slug. Only its own package is imported (a package is named after
    its slug), so grading one exercise never depends on the others loading."""
    if slug in _INSTANCES:
        return _INSTANCES[slug]
    name = slug.replace("-", "_")
    if not name.isidentifier() or not (PACKAGE_DIR / name / "__init__.py").is_file():
        raise ExerciseNotFound(slug)
    cls = _package_class(name)
    if cls.slug != slug:
        raise ExerciseNotFound(slug)
    return _instance(cls)


def _instance(cls: type[Exercise]) -> Exercise:
    if cls.slug not in _INSTANCES:
        _INSTANCES[cls.slug] = cls()
    return _INSTANCES[cls.slug]
