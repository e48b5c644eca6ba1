"""The benchmark run behind `make bench` (entry point: bench/run_all.py)."""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.exam_burst import ExamBurst, capacity_rows, exam_burst_run
from bench.grading_load import (
    Burst,
    Floor,
    Latency,
    Sustained,
    burst_run,
    latency_run,
    naive_floor,
    sustained_run,
)
from bench.hosts import HostsRun, hosts_print, hosts_run
from bench.stack import ROOT, VENV_BIN, StackConfig, running_stack
from bench.stages import (
    OVERHEAD_TARGET,
    StageBreakdown,
    recent_clear,
    recent_grades,
    stage_breakdown,
)
from bench.web_load import PageLoad, web_run

LATENCY_RATIO_TARGET = 20.0
BURST_RATE_TARGET = 15.0


@dataclass
class Machine:
    nproc: int
    cpu_model: str
    memory_gib: float
    kernel: str
    python: str
    torch: str
    sandbox: str


def machine_describe(*, unsafe_no_sandbox: bool) -> Machine:
    cpu = "unknown"
    memory_kib = 0
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory_kib = int(line.split()[1])
    torch_version = subprocess.run(
        [str(VENV_BIN / "python"), "-c", "import torch; print(torch.__version__)"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return Machine(
        nproc=os.cpu_count() or 0,
        cpu_model=cpu,
        memory_gib=round(memory_kib / 2**20, 1),
        kernel=platform.release(),
        python=platform.python_version(),
        torch=torch_version,
        sandbox="OFF (--unsafe-no-sandbox)" if unsafe_no_sandbox else "on",
    )


@dataclass
class Plan:
    floor_runs: int
    latency_count: int
    burst_count: int
    sustained_seconds: float
    web_seconds: int


def plan_for(args: argparse.Namespace) -> Plan:
    if args.quick:
        plan = Plan(
            floor_runs=3, latency_count=8, burst_count=100, sustained_seconds=10, web_seconds=3
        )
    else:
        plan = Plan(
            floor_runs=5, latency_count=30, burst_count=100, sustained_seconds=60, web_seconds=10
        )
    if args.sustained_seconds is not None:
        plan.sustained_seconds = args.sustained_seconds
    if args.web_seconds is not None:
        plan.web_seconds = args.web_seconds
    return plan


def ms(seconds: float) -> str:
    return "n/a" if math.isnan(seconds) else f"{seconds * 1000:.0f} ms"


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def report_print(
    *,
    machine: Machine,
    floor: Floor,
    latency: Latency | None,
    burst: Burst | None,
    sustained: Sustained | None,
    web: list[PageLoad],
) -> None:
    print()
    print(f"machine: {machine.nproc} CPUs ({machine.cpu_model}), {machine.memory_gib} GiB RAM,")
    print(f"         Linux {machine.kernel}, Python {machine.python}, torch {machine.torch}")
    print(f"         sandbox {machine.sandbox}")
    print()
    print("grading through the API (POST /api/submissions/, poll until graded)")
    print(f"  naive floor: fresh `python -c 'import torch'`   median {ms(floor.median_s)}")
    if latency:
        ratio = floor.median_s / latency.p50_s
        print(
            f"  latency over {latency.count} sequential submissions   "
            f"p50 {ms(latency.p50_s)}   p95 {ms(latency.p95_s)}   "
            f"(first after start {ms(latency.first_s)}, server-side p50 {ms(latency.server_p50_s)})"
        )
        print(
            f"  floor / p50 = {ratio:.1f}x   (target >= {LATENCY_RATIO_TARGET:.0f}x: "
            f"{verdict(ratio >= LATENCY_RATIO_TARGET)})   verdicts {latency.verdicts}"
        )
    if burst:
        print(
            f"  burst of {burst.submitted} at once ({burst.accounts} accounts): all graded in "
            f"{burst.span_s:.2f} s = {burst.per_second:.1f} submissions/s "
            f"(target >= {BURST_RATE_TARGET:.0f}/s: {verdict(burst.per_second >= BURST_RATE_TARGET)})"
        )
        print(
            f"      graded {burst.graded}, failed {burst.failed}, lost {burst.lost}, "
            f"accepted {burst.accepted}; POSTs took {burst.post_phase_s:.2f} s"
        )
    if sustained:
        print(
            f"  sustained {sustained.seconds:.0f} s with {sustained.backlog} in flight: "
            f"{sustained.per_second:.1f} graded/s; submitted {sustained.submitted}, graded "
            f"{sustained.graded}, failed {sustained.failed}, lost {sustained.lost}; "
            f"queue+grade p50 {ms(sustained.latency_p50_s)} p95 {ms(sustained.latency_p95_s)}"
        )
    if web:
        print()
        print("web pages under gunicorn (wrk, loopback)")
        print(f"  {'page':26} {'path':28} {'req/s':>8} {'p50':>9} {'p95':>9} {'non-2xx':>8}")
        for page in web:
            if page.status != 200:
                print(f"  {page.name:26} {page.path:28} answered {page.status}: not measured")
                continue
            print(
                f"  {page.name:26} {page.path:28} {page.rps:8.0f} {ms(page.p50_ms / 1000):>9} "
                f"{ms(page.p95_ms / 1000):>9} {page.non_2xx:8d}"
            )
    print()


def stages_print(*, stages: StageBreakdown | None, exam: ExamBurst | None) -> None:
    if stages and stages.grades:
        print(f"where a grade's time goes ({stages.exercise}, p50 of {stages.grades} sequential)")
        print("  " + "   ".join(f"{k} {v:.1f} ms" for k, v in stages.p50_ms.items()))
        ok = stages.overhead_ratio_p50 <= OVERHEAD_TARGET
        print(
            f"  overhead beyond the tests' own compute: {stages.overhead_ratio_p50:.0%} at p50 "
            f"(target <= {OVERHEAD_TARGET:.0%}: {verdict(ok)}); with queue wait "
            f"{stages.overhead_with_queue_ratio_p50:.0%}"
        )
    if exam:
        print(
            f"exam burst: {exam.students} students within {exam.window_s:.0f} s "
            f"({', '.join(exam.by_exercise)})"
        )
        print(
            f"  submitted {exam.submitted}, graded {exam.graded}, failed {exam.failed}, "
            f"lost {exam.lost}, accepted {exam.accepted}"
        )
        print(
            f"  drained {exam.drain_s:.1f} s after the first POST ({exam.after_window_s:+.1f} s "
            f"after the window) = {exam.per_second:.1f} graded/s (earlier figure: 18-24 graded/s "
            f"for softmax alone)"
        )
        print(
            f"  queue wait p50 {exam.wait_p50_s:.2f} s p95 {exam.wait_p95_s:.2f} s; created->graded "
            f"p50 {exam.grade_p50_s:.2f} s p95 {exam.grade_p95_s:.2f} s; one grade "
            f"{exam.service_mean_s * 1000:.0f} ms on average"
        )
        for slug, row in exam.by_exercise.items():
            print(
                f"    {slug:28} graded {row['graded']:4.0f}   tests p50 {row['tests_p50_ms']:7.1f} ms"
                f"   grade p50 {row['grade_p50_ms']:7.1f} ms   wait p50 {row['wait_p50_s']:.2f} s"
            )
        print("  capacity (same mix, same window): worker processes (= cores) needed")
        for students, wait, processes in capacity_rows(burst=exam):
            print(f"    {students:5d} students, last graded <= {wait:.0f} s after: {processes}")
    print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short run (about 2 minutes)")
    parser.add_argument("--sustained-seconds", type=float, default=None)
    parser.add_argument("--web-seconds", type=int, default=None)
    parser.add_argument(
        "--only",
        choices=["grading", "web", "exam", "hosts"],
        default=None,
        help="run only the grading or only the web part",
    )
    parser.add_argument(
        "--exam", action="store_true", help="also run the exam burst (always with --only exam)"
    )
    parser.add_argument("--exam-students", type=int, default=300)
    parser.add_argument(
        "--hosts",
        action="store_true",
        help="also (always with --only hosts) grade the exam mix on one worker host, then on two "
        "(the second in its own network namespace, on PostgreSQL; needs root)",
    )
    parser.add_argument("--hosts-submissions", type=int, default=120)
    parser.add_argument("--exam-window", type=float, default=30.0)
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument("--keep-workdir", action="store_true", help="keep logs and database")
    parser.add_argument(
        "--unsafe-no-sandbox",
        action="store_true",
        help="grade WITHOUT isolation, only to see what the sandbox costs; never the headline",
    )
    args = parser.parse_args(argv)
    plan = plan_for(args)

    machine = machine_describe(unsafe_no_sandbox=args.unsafe_no_sandbox)
    started_at = datetime.now(UTC)
    t0 = time.monotonic()
    exam_wanted = args.only == "exam" or args.exam
    hosts_wanted = args.only == "hosts" or args.hosts
    hosts: HostsRun | None = None
    if hosts_wanted:
        # A stack of its own (PostgreSQL, one pinned worker per host), before the main one.
        print(f"worker hosts: {args.hosts_submissions} exam submissions on one host, then two")
        hosts = hosts_run(submissions=args.hosts_submissions)
        if args.only == "hosts":
            hosts_print(hosts)
            return _hosts_only_exit(hosts, args.output)
    config = StackConfig(instructors=20, students=1 + (args.exam_students if exam_wanted else 0))
    latency = burst = sustained = None
    stages: StageBreakdown | None = None
    exam: ExamBurst | None = None
    web: list[PageLoad] = []
    with running_stack(
        config, keep_workdir=args.keep_workdir, unsafe_no_sandbox=args.unsafe_no_sandbox
    ) as stack:
        instructors = stack.instructors()
        print(f"naive floor: {plan.floor_runs} fresh Pythons importing torch")
        floor = naive_floor(runs=plan.floor_runs)
        if args.only in (None, "grading", "exam"):
            print(f"latency: {plan.latency_count} sequential submissions")
            recent_clear(redis_url=stack.redis_url)
            latency = latency_run(stack=stack, account=instructors[0], count=plan.latency_count)
            stages = stage_breakdown(
                grades=recent_grades(redis_url=stack.redis_url)[: plan.latency_count],
                exercise="softmax",
            )
        if exam_wanted:
            print(f"exam burst: {args.exam_students} students within {args.exam_window:.0f} s")
            exam = exam_burst_run(
                stack=stack,
                students=stack.students()[1 : 1 + args.exam_students],
                window_s=args.exam_window,
                processes=stack.config.celery_concurrency,
            )
        if args.only in (None, "grading"):
            print(f"burst: {plan.burst_count} submissions at once")
            burst = burst_run(stack=stack, accounts=instructors[1:11], count=plan.burst_count)
            print(f"sustained: {plan.sustained_seconds:.0f} s")
            sustained = sustained_run(
                stack=stack, accounts=instructors[11:15], seconds=plan.sustained_seconds
            )
        if args.only in (None, "web"):
            print(f"web: wrk, {plan.web_seconds} s per page")
            web = web_run(stack=stack, account=stack.students()[0], seconds=plan.web_seconds)

    report_print(
        machine=machine, floor=floor, latency=latency, burst=burst, sustained=sustained, web=web
    )
    stages_print(stages=stages, exam=exam)
    if hosts:
        hosts_print(hosts)
    results = {
        "started_at": started_at.isoformat(),
        "duration_s": round(time.monotonic() - t0, 1),
        "quick": args.quick,
        "machine": asdict(machine),
        "plan": asdict(plan),
        "naive_floor": asdict(floor),
        "latency": asdict(latency) if latency else None,
        "latency_ratio": floor.median_s / latency.p50_s if latency else None,
        "burst": asdict(burst) if burst else None,
        "sustained": asdict(sustained) if sustained else None,
        "web": [asdict(page) for page in web],
        "stages": asdict(stages) if stages else None,
        "exam_burst": asdict(exam) if exam else None,
        "capacity": capacity_rows(burst=exam) if exam else None,
        "hosts": hosts_dict(hosts) if hosts else None,
        "targets": {
            "latency_ratio_min": LATENCY_RATIO_TARGET,
            "burst_per_second_min": BURST_RATE_TARGET,
        },
    }
    args.output.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"results written to {args.output}")
    runs = [burst, sustained, exam] + ([hosts.one_host, hosts.two_hosts] if hosts else [])
    lost = sum(r.lost + r.failed for r in runs if r is not None)
    if lost:
        print(f"{lost} submissions were lost or failed")
        return 1
    return 0


def hosts_dict(hosts: HostsRun) -> dict:
    return asdict(hosts) | {"speedup": hosts.speedup}


def _hosts_only_exit(hosts: HostsRun, output: Path) -> int:
    output.write_text(json.dumps({"hosts": hosts_dict(hosts)}, indent=2, default=str) + "\n")
    print(f"results written to {output}")
    lost = sum(r.lost + r.failed for r in (hosts.one_host, hosts.two_hosts))
    return 1 if lost else 0
