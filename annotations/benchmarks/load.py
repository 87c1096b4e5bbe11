"""A small HTTP load driver: sequential latency percentiles and threaded throughput."""

import http.client
import statistics
import threading
import time
import urllib.parse


def _request(conn, path, headers):
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"GET {path} -> {response.status}: {body[:200]!r}")
    return body


def latency(base: str, paths: list[str], headers: dict, requests: int, warmup: int = 20) -> dict:
    """p50/p95 in ms over `requests` sequential requests cycling through `paths`."""
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    for i in range(warmup):  # every gunicorn worker answers a few before timing starts
        _request(conn, paths[i % len(paths)], headers)
    samples = []
    for i in range(requests):
        started = time.perf_counter()
        _request(conn, paths[i % len(paths)], headers)
        samples.append((time.perf_counter() - started) * 1000)
    conn.close()
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 2),
    }


def throughput(base: str, paths: list[str], headers: dict, seconds: float, threads: int) -> float:
    url = urllib.parse.urlsplit(base)
    counts = [0] * threads
    deadline = time.perf_counter() + seconds

    def worker(n):
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        i = n
        while time.perf_counter() < deadline:
            _request(conn, paths[i % len(paths)], headers)
            counts[n] += 1
            i += threads
        conn.close()

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    started = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return round(sum(counts) / (time.perf_counter() - started), 1)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_server(base: str, tries: int = 100) -> None:
    """Return once `base`/healthz answers; raise after `tries` polls 0.2 s apart."""
    import urllib.request

    for _ in range(tries):
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server at {base} did not start")
