"""The lab's library code raises ``LabError``; only ``python -m lab`` turns it into an exit.

Each failure is forced without root or a daemon (the function's probes are replaced), so a
caller such as a test or the engine matrix can catch it; ``main`` gives the one-message exit.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import urllib.request
from pathlib import Path

import pytest

from lab import daemons, network, reap, registries
from lab.errors import LabError
from lab.paths import DaemonSpec

LAB = Path(__file__).resolve().parents[1] / "lab"
SPEC = DaemonSpec("labtest", "doclabtest", "10.213.250.1/24", "10.250.0.0/18")


def test_a_taken_subnet_raises_naming_the_subnet_and_the_route(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    routes = '[{"dst": "10.213.250.0/24", "dev": "eth9"}]'

    def run(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(argv, 0, routes, "")

    monkeypatch.setattr(network, "_run", run)
    with pytest.raises(LabError, match=r"subnet 10\.213\.250\.0/24 of labtest is already taken"):
        network.check_subnets_free([SPEC])


def test_container_processes_that_survive_raise_naming_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    killed: list[int] = []
    monkeypatch.setattr(reap, "container_ids", lambda daemon: ["c0ffee"])
    monkeypatch.setattr(reap, "processes", lambda container: {4242})
    monkeypatch.setattr(reap.os, "kill", lambda pid, sig: killed.append(pid))
    with pytest.raises(LabError, match=r"processes \[4242\] of dead labtest survive"):
        reap.kill_containers(SPEC, timeout=0.0)


def test_a_dockerd_that_dies_while_starting_raises_with_its_log(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(daemons.procs, "running_pid", lambda name: None)
    monkeypatch.setattr(daemons.procs, "log_tail", lambda name: "failed to start daemon")
    with pytest.raises(LabError, match="lab: dockerd 'labtest' did not start:\nfailed to start"):
        daemons.wait_ready(SPEC, timeout=5.0)


def test_a_registry_that_dies_while_starting_raises_with_its_log(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refused(*args: object, **kwargs: object) -> None:
        raise ConnectionRefusedError

    monkeypatch.setattr(urllib.request, "urlopen", refused)
    monkeypatch.setattr(registries.procs, "running_pid", lambda name: None)
    monkeypatch.setattr(registries.procs, "log_tail", lambda name: "bind: address in use")
    # The mirror answers over HTTP: no lab CA needed, so the test runs without a lab.
    with pytest.raises(LabError, match=r"registry 'mirror' did not start on .*\nbind: address"):
        registries._wait_ready("mirror", timeout=5.0)


def test_the_command_line_turns_a_lab_error_into_its_message_and_exit_1(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    main = importlib.import_module("lab.__main__")

    def status() -> None:
        raise LabError("lab: something named")

    monkeypatch.setattr(main, "status", status)
    with pytest.raises(SystemExit) as raised:
        main.main(["status"])
    assert raised.value.code == "lab: something named"  # printed to stderr, exit status 1


def test_only_the_command_line_exits() -> None:
    exits = []
    for path in sorted(LAB.glob("*.py")):
        if path.name == "__main__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            called = node.func if isinstance(node, ast.Call) else node
            name = ast.unparse(called) if isinstance(node, ast.Call | ast.Name) else ""
            if name in ("SystemExit", "sys.exit", "exit", "os._exit"):
                exits.append(f"{path.name}:{node.lineno}: {name}")
    assert exits == [], "library code raises LabError instead: " + ", ".join(exits)
