"""gunicorn settings: the one configuration the Dockerfile, docker-compose and bench_api use."""

import gc
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
# Long enough for a whole export of a large filtered list: a worker killed mid-stream would
# cut the file off behind a 200 that looks complete.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "300"))


def post_worker_init(worker):
    # Import every view now, not on a worker's first request; then take what start-up made
    # out of the collector's sight: a full collection walks all of it (about 100,000
    # objects, ~90 ms) and would otherwise stall whichever request it lands on.
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (loads the URLconf and its views)
    gc.collect()
    gc.freeze()
