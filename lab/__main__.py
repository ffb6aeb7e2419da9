"""``python -m lab up|down|status|clean``: what ``make lab``, ``make lab-down`` and
``make lab-clean`` run. (The stand-in table of lab/IMAGES.md is written by ``python -m
tools.tables``: a document, above the lab.)"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

try:
    # lab.paths reads LAB_INSTANCE and LAB_DAEMONS on import: a bad value is one line, first.
    from lab import paths  # noqa: F401
except ValueError as error:
    raise SystemExit(f"lab: {error}") from None

from contracts import lab_state  # noqa: E402
from lab import (  # noqa: E402
    build,
    ca,
    claims,
    daemons,
    engines,
    ipv6,
    namespace,
    network,
    procs,
    pushed,
    registries,
)
from lab.errors import LabError  # noqa: E402
from lab.paths import (  # noqa: E402
    BUILDER,
    EXEC_ROOT,
    INSTANCE,
    LAB_DIR,
    MACHINE_RUN,
    STATE_FILE,
    DaemonSpec,
    page_daemons,
)


def up() -> None:
    started = time.monotonic()
    _require_root()
    _require_tools()
    claims.claim()
    if ca.ensure():
        # New certificates (a new machine CA, new host roots): servers and daemons that run
        # with the old ones start again below.
        registries.stop_all()
        for daemon in page_daemons():
            daemons.stop(daemon)
    # The engine's tree, the two Debian bases and the stand-ins built by mmdebstrap
    # (lab.direct, which need no base) are mmdebstraps, side by side on a fresh machine; each
    # is at once when cached. The direct builds go on while the rest of the lab starts.
    pool = ThreadPoolExecutor(len(build.BASES) + 1)
    direct = pool.submit(build.build_direct)
    try:
        engine = engines.selected()
        bases = [pool.submit(build.ensure_base_tar, base) for base in build.BASES]
        versions = engines.ensure(engine)
        for made in bases:
            made.result()
    except (engines.EngineUnavailable, build.BaseUnavailable):
        direct.result()  # not left half made behind the exit
        raise
    finally:
        pool.shutdown(wait=False)
    specs = page_daemons()
    if not STATE_FILE.exists() or not all(daemons.ping(d) for d in specs):
        network.check_subnets_free([*specs, BUILDER])
    for daemon in specs:
        network.ensure_bridge(daemon)  # before the servers: pypi listens on a bridge address
    for name, addr in registries.addresses().items():
        if procs.running_pid(name) is None:
            _require_free_port(name, addr)
    registries.start_missing()
    build.build_all(direct)
    for name in pushed.forget():
        print(f"lab: removed {name}, pushed to the registry by an earlier run", flush=True)
    network.ensure_forwarding()
    for daemon in specs:
        if not daemons.runs(daemon, engine):
            if procs.running_pid(daemon.name) is not None:
                daemons.stop(daemon)  # not answering, or another engine: start it again
            daemons.start(daemon, fresh=True, engine=engine)
            print(
                f"lab: dockerd {daemon.name} ({engine.name}, docker.io "
                f"{versions.get('docker.io', '?')}) on unix://{daemon.socket}",
                flush=True,
            )
    _write_state(specs, engine, versions)
    print(f"lab: ready in {time.monotonic() - started:.1f} s ({STATE_FILE})", flush=True)


def down() -> None:
    _require_root()
    holder = claims.held_elsewhere()
    if holder is not None:
        # The bridges, chain and run folder of this number are that lab's: leave them alone.
        print(f"lab: instance {INSTANCE} is held by the lab of {holder}; not touching it")
        registries.stop_all()
        for daemon in [*page_daemons(), BUILDER]:
            procs.stop(daemon.name)
        STATE_FILE.unlink(missing_ok=True)
        return
    registries.stop_all()
    for daemon in [*page_daemons(), BUILDER]:
        daemons.stop(daemon)
        network.remove_bridge(daemon)
    network.remove_forwarding()
    note = ipv6.remove()
    if note is not None:
        print(f"lab: {note}", flush=True)
    shutil.rmtree(EXEC_ROOT, ignore_errors=True)
    STATE_FILE.unlink(missing_ok=True)
    claims.release()
    _remove_if_empty(claims.CLAIMS)
    _remove_if_empty(MACHINE_RUN)
    print("lab: down", flush=True)


def _remove_if_empty(folder: Path) -> None:
    # OSError: missing, or another lab's things are still in it.
    with contextlib.suppress(OSError):
        folder.rmdir()


def status() -> None:
    print(f"instance {INSTANCE}, {LAB_DIR}")
    state = lab_state.read(STATE_FILE)
    if state is not None and state.engine is not None:
        engine = state.engine
        print(f"engine {engine.name}: docker.io {engine.packages.get('docker.io', '?')}")
    for name in [*registries.SERVERS, *(d.name for d in page_daemons())]:
        pid = procs.running_pid(name)
        print(f"{name:<8} {'running, pid ' + str(pid) if pid else 'stopped'}")


def clean() -> None:
    """``make lab-clean``: the lab down, then the machine-wide cache removed (engines, Debian
    bases, kept images, the lab CA); the next ``make lab`` makes them again."""
    down()
    others = claims.others_running()
    if others:
        # Their engines run on the cached trees: removing them would pull the floor away.
        labs = ", ".join(f"{holder} (instance {n})" for n, holder in others)
        raise SystemExit(
            f"lab: the machine cache {paths.CACHE} is in use by the running lab of {labs}; "
            "stop it first (`make lab-down` there), then `make lab-clean` again"
        )
    shutil.rmtree(paths.CACHE, ignore_errors=True)
    print(f"lab: removed the machine cache {paths.CACHE}", flush=True)


def _write_state(specs: list[DaemonSpec], engine: engines.Engine, versions: dict[str, str]) -> None:
    login = registries.login()
    state = lab_state.LabState(
        daemons=tuple(f"unix://{d.socket}" for d in specs),
        # The name, and the file that holds the password: lab.json itself holds no secret.
        login=lab_state.Login(login["username"], registries.LOGIN_FILE),
        engine=lab_state.Engine(engine.name, engine.release, versions),
        # The engine's own CLI and plugins: the page shell puts them before the host's.
        cli=lab_state.Client(engine.cli_bin, engine.plugins),
        # Shown under a failing block: what the daemon logged while the block ran.
        logs={f"unix://{d.socket}": procs.log_file(d.name) for d in specs},
    )
    lab_state.write(STATE_FILE, state)


def _require_root() -> None:
    if os.geteuid() != 0:
        raise SystemExit(
            "lab: needs root (it starts dockerd, creates bridges and NAT rules): "
            "run `sudo make lab`"
        )


def _require_tools() -> None:
    missing = [
        t
        for t in ("dockerd", "docker-registry", "mmdebstrap", "unshare", "iptables")
        if shutil.which(t) is None
    ]
    if not any(shutil.which(init) for init in namespace.INITS):
        missing.append("tini")  # the engines' reaping init
    if missing:
        raise SystemExit(
            f"lab: missing {', '.join(missing)}: run `make deps` "
            "(apt-get install docker.io docker-registry mmdebstrap iptables tini)"
        )


def _require_free_port(name: str, addr: tuple[str, int]) -> None:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(addr)
        except OSError as error:
            raise SystemExit(
                f"lab: port {addr[0]}:{addr[1]} for the '{name}' registry of lab instance "
                f"{INSTANCE} is already in use ({error.strerror}); stop what holds it, or use "
                "another instance (LAB_INSTANCE=N make lab, N from 0 to 7)"
            ) from None


def main(argv: list[str]) -> None:
    commands = {"up": up, "down": down, "status": status, "clean": clean}
    if len(argv) != 1 or argv[0] not in commands:
        raise SystemExit(f"usage: python -m lab {'|'.join(commands)}")
    try:
        commands[argv[0]]()
    except LabError as error:
        # Library code raises; here, the entry point, a failure is its message and exit 1.
        raise SystemExit(str(error)) from None


if __name__ == "__main__":
    main(sys.argv[1:])
