"""gunicorn settings (the Dockerfile, docker-compose and bench_api start it with these)."""

import gc


def post_worker_init(worker):
    # Import every view now, not on a worker's first request; then take what start-up made
    # out of the collector's sight: a full collection walks all of it (about 100,000
    # objects, ~90 ms) and would otherwise stall whichever request it lands on.
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (loads the URLconf and its views)
    gc.collect()
    gc.freeze()
