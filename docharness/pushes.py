"""What a run pushed to the lab's Docker Hub stand-in, removed when the run ends.

Pages may ``docker login`` and ``docker push`` to the hub registry, into the lab account's own
namespace (the lab's token server grants nothing else), and its storage is shared with the
mirror that every later run pulls from. The run holding a lab daemon follows that daemon's
``push`` events (``Watch``); ``docharness.runs`` notes each pushed repository in the run's
record on disk as it happens, and at the run's end, or when the next run sweeps a dead one,
deletes those repositories (``remove``), except one that a run still going pushed too. What
the lab seeded (``library/…``, ``google-samples/…``) is outside the account's namespace, so
never on a run's list; ``make lab`` still deletes any repository it did not seed
(``lab.pushed``).
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from contracts.layout import Layout
from docharness import cleanup

HUB_NAMES = ("docker.io", "index.docker.io", "registry-1.docker.io")


def repository(reference: str) -> str | None:
    """The hub repository a pushed reference names, None for another registry.

    ```python
    from docharness.pushes import repository

    assert repository("yhkim951107/httpd:2.0") == "yhkim951107/httpd"
    assert repository("docker.io/yhkim951107/httpd@sha256:0a1b") == "yhkim951107/httpd"
    assert repository("busybox") == "library/busybox"
    assert repository("localhost:5000/web:1") is None  # another registry
    ```
    """
    name = reference.split("@", 1)[0]
    slash = name.rfind("/")
    if ":" in name[slash + 1 :]:
        name = name[: name.rindex(":")]
    first, _, rest = name.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        if first not in HUB_NAMES:
            return None
        name = rest
    return name if "/" in name else f"library/{name}"


def storage(root: Path) -> Path:
    """The lab registry's repositories folder (``contracts.layout``, as the lab has it)."""
    return Layout.from_env(os.environ, root).repositories


def remove(root: Path, names: Iterable[str], keep: set[str]) -> list[str]:
    """Delete the repositories ``names`` from the registry's storage, but those in ``keep``.

    Their blobs stay until the storage is rebuilt; the repository is gone for every reader at
    once (the registry caches no list of repositories). Returns the names deleted.
    """
    folder, gone = storage(root), []
    for name in dict.fromkeys(names):
        path = folder / name
        if name in keep or ".." in Path(name).parts or not (path / "_manifests").is_dir():
            continue
        shutil.rmtree(path)
        gone.append(name)
    return gone


class Watch:
    """Follow a daemon's ``push`` events from now on; ``noted`` gets each hub repository of
    ``owner``'s namespace (more than once, maybe)."""

    FILTERS = {"type": ["image"], "event": ["push"]}

    def __init__(self, host: str, owner: str | None, noted: Callable[[str], None]) -> None:
        self._api = cleanup.client_for(host)
        self._since = int(time.time()) - 1  # a push that ends as we start is not missed
        self._stream: Any = self._api.events(since=self._since, filters=self.FILTERS, decode=True)
        self._owner, self._noted = owner, noted
        self._thread = threading.Thread(target=self._follow, name="docharness-pushes", daemon=True)
        self._thread.start()

    def _follow(self) -> None:
        try:
            for event in self._stream:
                self._note(event)
        except Exception:  # the stream was closed (stop), or the daemon went away
            return

    def _note(self, event: dict[str, Any]) -> None:
        name = repository(str(event.get("Actor", {}).get("ID", "")))
        if name is not None and (self._owner is None or name.startswith(self._owner + "/")):
            self._noted(name)

    def stop(self) -> None:
        """Stop following; a push the stream had not delivered yet is read back from the
        daemon's recent events."""
        self._stream.close()
        self._thread.join(timeout=5)
        try:
            recent = self._api.events(
                since=self._since, until=time.time(), filters=self.FILTERS, decode=True
            )
            for event in recent:
                self._note(event)
        except Exception:  # the daemon went away: what the stream gave is all we know
            pass
        finally:
            self._api.close()
