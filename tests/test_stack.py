"""`make run` on the embedded defaults: the site answers and the worker suggests on the example."""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import wait_for

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(opener, url):
    try:
        with opener.open(url, timeout=5) as response:
            return response.status, response.read().decode()
    except OSError:
        return None, ""


def test_make_run_serves_the_example_with_suggestions_and_stops_cleanly(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}}
    env.update(NEWSDESK_STATE_DIR=str(tmp_path), PORT=str(port))
    log = open(tmp_path / "run.log", "w")
    proc = subprocess.Popen(
        ["make", "run"], cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        wait_for(lambda: get(opener, f"{base}/healthz")[0] == 200, timeout=120, interval=0.5)
        output = (tmp_path / "run.log").read_text()
        assert f"site   {base}/" in output
        password = (tmp_path / "admin_password").read_text().strip()
        assert f"login  admin / {password}" in output

        status, page = get(opener, f"{base}/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode(
            {"username": "admin", "password": password, "csrfmiddlewaretoken": token}
        ).encode()
        request = urllib.request.Request(f"{base}/login/", data=form, headers={"Referer": f"{base}/login/"})
        opener.open(request, timeout=5)

        def suggested_count():
            status, page = get(opener, f"{base}/")
            match = re.search(r'data-suggested="(\d+)"', page)
            return status == 200 and match and int(match.group(1)) > 0 and page

        page = wait_for(suggested_count, timeout=60, interval=0.5)
        assert "After the Taliban said it hopes US President Donald Trump" in page
        # The filesystem broker keeps all its files in the state folder, none in the checkout.
        assert any((Path(tmp_path) / "broker" / "control").glob("*.exchange"))
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends
        proc.wait(timeout=60)
        log.close()
    output = (tmp_path / "run.log").read_text()
    assert "stopped the embedded PostgreSQL" in output, output[-3000:]
    assert not (Path(tmp_path) / "pgdata" / "postmaster.pid").exists()
