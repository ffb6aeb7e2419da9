"""The lab's dockerds, each in a mount namespace of its own.

The page daemons run the lab's engine (``lab.engines``: sid's docker.io on the containerd
image store by default) inside its Debian tree (``lab.namespace``); the builder runs the host's
docker.io. In each namespace a bind-mounted hosts file points Docker Hub's and gcr.io's names
at the lab registries on loopback; the host's ``/etc/hosts`` is never written. The daemons
trust the lab CA (an engine sees the trust bundle as its system roots, the host's dockerd reads
``SSL_CERT_FILE``), so no system trust store is touched either.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

import docker

from lab import ca, claims, engines, namespace, procs, reap
from lab.engines import Engine
from lab.errors import LabError
from lab.paths import CACHE, HOSTS, LAB_DIR, MIRROR, REPO, DaemonSpec

HOSTS_FILE = LAB_DIR / "config" / "hosts"


def _write_hosts() -> None:
    lines = [Path("/etc/hosts").read_text().rstrip("\n"), "# docker-commands-ko lab"]
    lines += [f"{ip} {' '.join(names)}" for ip, names in HOSTS.items()]
    HOSTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    HOSTS_FILE.write_text("\n".join(lines) + "\n")


# dockerd's default options for new networks (Engine 24+; older engines refuse the key, so
# their user-defined networks publish on every interface: the threat model says so).
LOOPBACK_NETWORKS_SINCE = 24
HOST_BINDING = "com.docker.network.bridge.host_binding_ipv4"


def _config(daemon: DaemonSpec, engine: Engine | None) -> Path:
    config: dict[str, object] = {
        "hosts": [f"unix://{daemon.socket}"],
        "iptables": False,
        # Else dockerd makes its IPv6 chains (DOCKER, DOCKER-FORWARD, ...) and leaves them.
        "ip6tables": False,
        "ip-forward": False,
        "bridge": daemon.bridge,
        "default-address-pools": [{"base": daemon.pool, "size": 24}],
        "registry-mirrors": [f"http://{MIRROR[0]}:{MIRROR[1]}"],
        "storage-driver": "overlay2",
        "log-level": "warn",
    }
    if engine is None:  # the host's dockerd: its folders are the lab's; the legacy builder
        config |= {
            "data-root": str(daemon.data_root),
            "exec-root": str(daemon.exec_root),
            "pidfile": str(daemon.run_dir / "dockerd.pid"),
            "features": {"buildkit": False},
        }
    else:  # an engine's folders are its namespace's defaults; -p binds loopback only
        config["ip"] = "127.0.0.1"
        # What the firewall cannot confine (other subnets, IPv6, -p 0.0.0.0) is refused.
        config["authorization-plugins"] = [namespace.AUTHZ_PLUGIN]
        # BuildKit's `docker build --network host` (and RUN --network=host) asks over the
        # build's gRPC stream, which the plugin never sees: the entitlement is refused here.
        config["builder"] = {"entitlements": {"network-host": False}}
        if engine.major >= LOOPBACK_NETWORKS_SINCE:
            # "ip" holds for the default bridge only: a network a page makes (docker network
            # create, every Compose project) would publish on all interfaces.
            config["default-network-opts"] = {"bridge": {HOST_BINDING: "127.0.0.1"}}
        if engine.store == "containerd":
            # The containerd image store (Engine 29's default). Its storage driver names a
            # containerd snapshotter: "overlay2" is none (pulls failed "snapshotter not
            # loaded: overlay2"), "overlayfs" is what a fresh install of Engine 29 uses.
            config["features"] = {"containerd-snapshotter": True}
            config["storage-driver"] = "overlayfs"
    # In the run folder: an engine reads it after pivot_root, where that folder is shared.
    path = daemon.run_dir / "daemon.json"
    path.write_text(json.dumps(config, indent=2))
    return path


def start(daemon: DaemonSpec, fresh: bool, engine: Engine | None = None) -> None:
    """Start ``daemon`` from ``engine``'s tree (None: the host's dockerd); with ``fresh`` its
    data-root starts empty (no image loaded)."""
    reap.leftovers(daemon)  # a dead predecessor's containers: while its data-root lists them
    if fresh and daemon.data_root.exists():
        shutil.rmtree(daemon.data_root)
    # A daemon that died (kill -9) leaves its pidfile and its containerd, whose own pidfile and
    # socket in the exec-root would make the new dockerd wait for it: all ours, clear them.
    procs.wait_gone(procs.kill_matching(str(daemon.exec_root)))
    shutil.rmtree(daemon.exec_root, ignore_errors=True)
    (daemon.run_dir / "dockerd.pid").unlink(missing_ok=True)
    daemon.socket.unlink(missing_ok=True)
    for folder in (daemon.run_dir, daemon.exec_root):
        folder.mkdir(parents=True, exist_ok=True)
    _write_hosts()
    if engine is not None:
        _start_authz(daemon)
        launch = namespace.Launch(
            name=daemon.name,
            rootfs=engine.rootfs,
            top=daemon.exec_root,
            hosts=HOSTS_FILE,
            bundle=ca.TRUST_BUNDLE,
            config=_config(daemon, engine),
            authz=authz_socket(daemon),
            shared=(daemon.run_dir,),
            covered=covered_folders(),
        )
        namespace.start(launch)
        wait_ready(daemon)
        info = client(daemon).info()
        missing = engines.store_missing(engine, info.get("DriverStatus") or [])
        if missing is not None:
            stop(daemon)
            raise engines.EngineUnavailable(missing)
        _engine_note(daemon).write_text(engine.ident)
        return
    daemon.data_root.mkdir(parents=True, exist_ok=True)  # an engine's is a tmpfs of its own
    # unshare execs sh which execs dockerd: the PID we keep is dockerd's.
    script = 'mount --bind "$1" /etc/hosts && exec dockerd --config-file "$2"'
    argv = [
        "unshare",
        "--mount",
        "--propagation",
        "private",
        "sh",
        "-c",
        script,
        "sh",
        str(HOSTS_FILE),
        str(_config(daemon, None)),
    ]
    procs.start(daemon.name, argv, "dockerd", env={"SSL_CERT_FILE": str(ca.TRUST_BUNDLE)})
    wait_ready(daemon)


def authz_socket(daemon: DaemonSpec) -> Path:
    """The socket of ``daemon``'s authorization plugin, in its run folder (shared inside)."""
    return daemon.run_dir / "authz.sock"


def _authz_name(daemon: DaemonSpec) -> str:
    return f"{daemon.name}-authz"


def _start_authz(daemon: DaemonSpec) -> None:
    """Start ``daemon``'s authorization plugin (lab.authz) and wait for its socket: dockerd
    refuses every request while it cannot reach it."""
    procs.stop(_authz_name(daemon))
    socket = authz_socket(daemon)
    socket.unlink(missing_ok=True)
    argv = [sys.executable, "-m", "lab.authz", str(socket), daemon.pool]
    procs.start(_authz_name(daemon), argv, "lab.authz", env={"PYTHONPATH": str(REPO)})
    deadline = time.monotonic() + 10
    while not socket.exists():
        if time.monotonic() > deadline or procs.running_pid(_authz_name(daemon)) is None:
            raise LabError(
                f"lab: the authorization plugin of {daemon.name} did not start:\n"
                f"{procs.log_tail(_authz_name(daemon))}"
            )
        time.sleep(0.05)


def covered_folders() -> tuple[Path, ...]:
    """What no container of a lab daemon may mount: this lab's folder (registry storage,
    secrets, state), every other running lab's, and the machine cache."""
    others = tuple(holder for _, holder in claims.others_running())
    return tuple(dict.fromkeys((LAB_DIR, *others, CACHE)))


def _engine_note(daemon: DaemonSpec) -> Path:
    return daemon.run_dir / "engine"


def runs(daemon: DaemonSpec, engine: Engine) -> bool:
    """Whether ``daemon`` answers and runs ``engine``'s tree (not another release's)."""
    note = _engine_note(daemon)
    if procs.running_pid(_authz_name(daemon)) is None:
        return False  # dockerd would refuse every request: start both again
    return ping(daemon) and note.exists() and note.read_text() == engine.ident


def wait_ready(daemon: DaemonSpec, timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if procs.running_pid(daemon.name) is None:
            break
        if ping(daemon):
            return
        time.sleep(0.2)
    raise LabError(f"lab: dockerd '{daemon.name}' did not start:\n{procs.log_tail(daemon.name)}")


def ping(daemon: DaemonSpec) -> bool:
    if not daemon.socket.exists():
        return False
    try:
        return bool(client(daemon).ping())
    except Exception:  # noqa: BLE001 - any failure means "not ready yet"
        return False


def client(daemon: DaemonSpec, timeout: int = 5) -> docker.DockerClient:
    return docker.DockerClient(base_url=f"unix://{daemon.socket}", timeout=timeout)


def stop(daemon: DaemonSpec) -> None:
    """Stop dockerd, then any containerd it left behind (one whose state is in our exec-root)."""
    if namespace.engine_pid(daemon.name) is not None:
        namespace.stop(daemon.name)  # the namespace ends with its dockerd: nothing is left
    procs.stop(daemon.name, grace=30.0)
    procs.kill_matching(str(daemon.exec_root))
    procs.stop(_authz_name(daemon))
