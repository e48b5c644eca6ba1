"""gunicorn hooks of `make run`, the bench and the tests that start the server:
`gunicorn -c python:dlquiz.gunicorn_conf dlquiz.wsgi:application --workers N --threads M`."""

from __future__ import annotations

from typing import Any


def post_worker_init(worker: Any) -> None:
    """Tell the app its thread count, so that requests waiting for a grade always leave one
    thread of the process free for everything else."""
    from dlquiz.coding import notify

    notify.web_threads_set(threads=worker.cfg.threads)
