"""A pool process warms up before its first submission: fork server started, expected values
computed, every performance reference timed on its device."""

from __future__ import annotations

import os

from exercises.registry import exercise_list
from grader import grading, worker


def test_warm_up_starts_the_sandbox_and_times_every_reference():
    try:
        times = worker.grading_warm_up()
        expected_keys = {
            f"{exercise.slug}/{framework}"
            for exercise in exercise_list()
            for framework in exercise.frameworks
            if any(case.performance is not None for case in exercise.cases())
        }
        assert set(times) == expected_keys
        assert all(0 < ms < 10_000 for ms in times.values()), times
        pid = worker.sandbox_get().pid
        assert pid is not None
        os.kill(pid, 0)  # alive
        # Expected values are cached: computing one again is a cache hit.
        before = grading._expected.cache_info().hits
        exercise = exercise_list()[0]
        case = exercise.cases()[0]
        grading.expected_for(
            exercise=exercise, framework=exercise.frameworks[0], case=case, device="cpu"
        )
        assert grading._expected.cache_info().hits == before + 1
    finally:
        worker.sandbox_close()
