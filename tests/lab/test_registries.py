"""The lab answers for Docker Hub and gcr.io the way the notes use them, through a real daemon."""

from __future__ import annotations

import re
import secrets
import socket
import time
import urllib.request
from pathlib import Path

import pytest

from contracts.lab_state import LabState
from lab import engines
from tests.lab.conftest import Docker, lab_login

pytestmark = pytest.mark.lab

DIGEST = re.compile(r"Digest: (sha256:[0-9a-f]{64})")


def pull_digest(docker: Docker, reference: str) -> str:
    result = docker("pull", reference)
    assert result.returncode == 0, result.stdout + result.stderr
    found = DIGEST.search(result.stdout)
    assert found, result.stdout
    return found.group(1)


def test_every_name_form_pulls_the_same_image(docker: Docker) -> None:
    forms = [
        "debian",
        "debian:latest",
        "library/debian:latest",
        "docker.io/library/debian:latest",
        "index.docker.io/library/debian:latest",
    ]
    digests = {form: pull_digest(docker, form) for form in forms}
    assert len(set(digests.values())) == 1, digests
    assert docker("pull", "debian:bookworm").returncode == 0


def test_digest_form_pulls_by_content(docker: Docker) -> None:
    digest = pull_digest(docker, "debian:latest")
    docker("rmi", "debian:latest", check=True)
    assert pull_digest(docker, f"debian@{digest}") == digest
    listed = docker("images", "--digests", "--format", "{{.Repository}} {{.Digest}}").stdout
    assert f"debian {digest}" in listed


def test_unknown_tag_is_not_found_like_on_docker_hub(docker: Docker, lab_state: LabState) -> None:
    result = docker("pull", "debian:no-such-tag")
    assert result.returncode == 1
    assert lab_state.engine is not None
    if engines.ENGINES[lab_state.engine.name].store == "containerd":
        # containerd's resolver says it so: what Engine 29's default store prints.
        said = 'failed to resolve reference "docker.io/library/debian:no-such-tag": '
        assert f"{said}docker.io/library/debian:no-such-tag: not found" in result.stderr
    else:
        assert "manifest for debian:no-such-tag not found" in result.stderr


def test_search_prints_the_catalogue_table(docker: Docker) -> None:
    result = docker("search", "httpd")
    assert result.returncode == 0, result.stderr
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["NAME", "DESCRIPTION", "STARS", "OFFICIAL"]
    httpd = next(row for row in rows if row.startswith("httpd "))
    assert "stand-in" in httpd and "[OK]" in httpd


def test_login_right_and_wrong_password(docker: Docker, lab_state: LabState) -> None:
    login = lab_login(lab_state)
    wrong = docker("login", "-u", login.username, "--password-stdin", input="wrong-password\n")
    assert wrong.returncode == 1
    # Docker Hub's own answer to a wrong password, relayed by the daemon.
    assert wrong.stderr == (
        'Error response from daemon: Get "https://registry-1.docker.io/v2/": '
        "unauthorized: incorrect username or password\n"
    )
    right = docker("login", "-u", login.username, "--password-stdin", input=login.password + "\n")
    assert right.returncode == 0, right.stderr
    assert "Login Succeeded" in right.stdout


def test_push_then_pull_back(docker: Docker, lab_state: LabState) -> None:
    login = lab_login(lab_state)
    repo = f"yhkim951107/lab-test-{secrets.token_hex(4)}:2.0"
    docker("pull", "httpd:latest", check=True)
    docker("image", "tag", "httpd:latest", repo, check=True)
    assert docker("push", repo).returncode != 0  # not logged in yet: refused
    docker(
        "login",
        "-u",
        login.username,
        "--password-stdin",
        input=login.password + "\n",
        check=True,
    )
    pushed = docker("push", repo)
    assert pushed.returncode == 0, pushed.stderr
    digest = re.search(r"digest: (sha256:[0-9a-f]{64})", pushed.stdout)
    assert digest, pushed.stdout
    docker("rmi", repo, check=True)
    assert pull_digest(docker, repo) == digest.group(1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def http_get(url: str, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return urllib.request.urlopen(url, timeout=2).read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_gcr_hello_app_answers_like_upstream(docker: Docker) -> None:
    pull_digest(docker, "gcr.io/google-samples/hello-app:1.0")
    port = free_port()
    run = docker(
        "run",
        "-d",
        "--name",
        "hello",
        "-h",
        "hello-host",
        "-p",
        f"127.0.0.1:{port}:8080",
        "gcr.io/google-samples/hello-app:1.0",
    )
    assert run.returncode == 0, run.stderr
    body = http_get(f"http://127.0.0.1:{port}/")
    assert body == "Hello, world!\nVersion: 1.0.0\nHostname: hello-host\n"


def test_mysql_refuses_to_start_without_a_password_option(docker: Docker) -> None:
    result = docker("run", "--name", "nopw", "mysql:5.7")
    assert result.returncode == 1
    assert "Database is uninitialized and password option is not specified" in (
        result.stdout + result.stderr
    )


def test_mysql_starts_with_a_root_password(docker: Docker) -> None:
    docker("run", "-d", "--name", "db", "-e", "MYSQL_ROOT_PASSWORD=secret", "mysql:5.7", check=True)
    deadline = time.monotonic() + 90
    # The entrypoint's temporary server is ready first (port: 0); wait for the real one.
    while "port: 3306" not in (logs := docker("logs", "db")).stdout + logs.stderr:
        assert time.monotonic() < deadline, logs.stdout + logs.stderr
        time.sleep(0.5)
    query = docker("exec", "db", "mysql", "-uroot", "-psecret", "-N", "-e", "SELECT 1+1")
    assert query.returncode == 0, query.stderr
    assert query.stdout.strip() == "2"


def test_the_mirror_is_read_only_to_pages(lab_state: LabState) -> None:
    from lab import build
    from lab.paths import MIRROR

    upload = f"http://{MIRROR[0]}:{MIRROR[1]}/v2/library/debian/blobs/uploads/"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(urllib.request.Request(upload, method="POST"), timeout=10)
    assert refused.value.code == 405, refused.value.read()
    assert build.in_registry("debian:latest")  # reading goes on


def test_what_runs_pushed_is_forgotten_and_the_seeded_images_stay(
    lab_state: LabState, tmp_path: Path
) -> None:
    from lab import pushed

    root = tmp_path / "repositories"
    for name in ("library/debian", "google-samples/hello-app", "yhkim951107/web", "x/y/z"):
        (root / name / "_manifests").mkdir(parents=True)
    assert pushed.forget(root) == ["x/y/z", "yhkim951107/web"]
    assert pushed.repositories(root) == ["google-samples/hello-app", "library/debian"]
    assert "library/debian" in pushed.repositories()  # the lab's real storage


def test_mysql_9_7_is_real_mysql_with_upstreams_rules(docker: Docker) -> None:
    env = ["-e", "MYSQL_ROOT_PASSWORD=secret", "-e", "MYSQL_DATABASE=shop"]
    env += ["-e", "MYSQL_USER=shopuser", "-e", "MYSQL_PASSWORD=shoppass"]
    docker("run", "-d", "--name", "db97", *env, "mysql:9.7", check=True)
    # First start initialises, loads time zones and restarts: minutes on a busy 2-CPU machine.
    deadline = time.monotonic() + 300
    while "port: 3306" not in (logs := docker("logs", "db97")).stdout + logs.stderr:
        assert time.monotonic() < deadline, logs.stdout + logs.stderr
        time.sleep(1)
    log = logs.stdout + logs.stderr
    assert "[Entrypoint]: Giving user shopuser access to schema shop" in log
    assert "X Plugin ready for connections. Bind-address: '::' port: 33060" in log
    sql = "SELECT VERSION(), (SELECT COUNT(*) > 0 FROM mysql.time_zone_name)"
    query = docker("exec", "db97", "mysql", "-uroot", "-psecret", "-N", "-e", sql)
    assert query.returncode == 0, query.stderr
    assert query.stdout.split() == ["9.7.4-2", "1"]  # the real server, time zones loaded
    # The real client's warning, which the MariaDB stand-in never printed.
    assert query.stderr == (
        "mysql: [Warning] Using a password on the command line interface can be insecure.\n"
    )
    shop = docker("exec", "db97", "mysql", "-ushopuser", "-pshoppass", "-N", "-e", "SHOW DATABASES")
    assert "shop" in shop.stdout.split()
    owner = docker("exec", "db97", "sh", "-c", "id -u mysql; grep ^Uid /proc/1/status")
    assert owner.stdout.split()[:3] == ["999", "Uid:", "999"]  # mysqld runs as mysql
