"""The lock files: every dependency pyproject.toml names is pinned, hashed and inside its range,
and every install path (Makefile, Dockerfile) reads the lock."""

import re
import tomllib
from pathlib import Path

import pytest
from django.conf import settings
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(settings.BASE_DIR)
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def pins(lock: Path) -> dict[str, tuple[Version, int]]:
    """{name: (version, number of hashes)} from a hashed requirements file."""
    found = {}
    for entry in re.split(r"\n(?=\S)", lock.read_text()):
        head = re.match(r"([A-Za-z0-9._-]+)==([^\s;\\]+)", entry)
        if head:
            found[canonicalize_name(head.group(1))] = (Version(head.group(2)), entry.count("--hash=sha256:"))
    return found


@pytest.mark.parametrize("lock, requirements", [
    ("requirements.lock", PYPROJECT["dependencies"]),
    ("requirements-dev.lock", PYPROJECT["dependencies"] + PYPROJECT["optional-dependencies"]["dev"]),
])
def test_every_dependency_is_pinned_with_hashes_inside_its_range(lock, requirements):
    locked = pins(ROOT / lock)
    for line in requirements:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is in pyproject.toml but not in {lock}: run `make lock LOCK_UPGRADE=`"
        version, hashes = locked[name]
        assert requirement.specifier.contains(version, prereleases=True), (name, str(version), lock)
        assert hashes >= 1, (name, lock)
    # Each package of the runtime lock is the same version in the dev lock.
    if lock == "requirements-dev.lock":
        runtime = pins(ROOT / "requirements.lock")
        assert {n: v for n, (v, _) in runtime.items()} == {n: locked[n][0] for n in runtime}


def test_installs_read_the_lock():
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes -r requirements.lock" in makefile
    assert "--require-hashes -r requirements-dev.lock" in makefile
    assert "--no-deps -e ." in makefile
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "--require-hashes -r requirements.lock" in dockerfile
    # No install step in the image resolves dependencies on its own.
    for command in re.findall(r"pip install[^\n]*", dockerfile):
        assert "--require-hashes" in command or "--no-deps" in command, command
