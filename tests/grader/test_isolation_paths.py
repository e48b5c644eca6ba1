"""Where the sandbox builds its root and puts its work dir: never over a path it must show
(a virtualenv under /tmp once made every child fail to start)."""

from __future__ import annotations

import pytest

from grader import isolation


def test_the_usual_layout_uses_tmp_for_both():
    paths = ["/usr/lib", "/work/app/.venv", "/usr/local/lib"]
    assert isolation.staging_dir(paths=paths) == "/tmp"
    assert isolation.work_dir_for(paths=paths) == "/tmp"


def test_a_runtime_under_tmp_moves_root_and_work_dir_elsewhere():
    paths = ["/usr/lib", "/tmp/ci/app/.venv"]
    assert isolation.staging_dir(paths=paths) not in ("/tmp",)
    assert isolation.work_dir_for(paths=paths) == "/sandbox"


def test_a_bound_path_inside_the_candidate_or_above_it_counts():
    assert isolation.work_dir_for(paths=["/tmp"]) == "/sandbox"
    with pytest.raises(isolation.IsolationError):
        isolation.work_dir_for(paths=["/tmp/x", "/sandbox/y"])


def test_this_hosts_plan_binds_nothing_under_its_own_root_or_work_dir():
    plan = isolation.fs_plan()
    bound = plan.read_only + plan.extra_read_only + plan.devices
    for path in bound:
        for place in (plan.new_root, plan.work_dir):
            assert not (path == place or path.startswith(place + "/")), (path, place)


def test_cgroups_on_a_host_without_v1_controllers(monkeypatch):
    """A host that shows no v1 memory or pids controller (cgroup v2 only, or none at all) gets
    Cgroups with nothing in them rather than an error: the sandbox self-test then says what is
    missing."""
    monkeypatch.setattr(isolation, "_own_cgroups", lambda: {})
    cgroups = isolation.Cgroups(name="dlquiz-sandbox-test")
    assert cgroups.describe() == {"memory": None, "pids": None, "v2": None}
    assert cgroups.procs_files == [] and not cgroups.limits_memory
