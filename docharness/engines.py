"""Engine ranges: `<!-- test: engine <26 -->` limits a block to the Docker Engines it is for.

A range is one or more bounds separated by commas, each an operator (``<``, ``<=``, ``>``,
``>=``, ``==``) and a version of one to three numbers; a bare version means ``==``, which
matches every release it names (``20.10`` is 20.10.x). The engine's version is what the daemon
reports (``28.5.2+dfsg4``): its numbers before any ``+`` or ``-`` are compared.

Image stores: `<!-- test: store classic -->` limits a block to the daemons running that image
store, ``classic`` (a graph driver such as overlay2) or ``containerd`` (the containerd image
store, Engine 29's default), as the daemon's `docker info` reports it (``contracts.stores``).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass

from contracts.report import Status
from contracts.stores import STORES

# The skip reason of a block outside its range starts so; the report gives it its own status.
NOT_FOR_ENGINE = "not for this engine"
NOT_FOR_ENGINE_STATUS = Status.NOT_FOR_ENGINE
# A block for the other image store is skipped so, and reported with the same status: a store
# is part of what an engine row runs (lab.engines: "sid-containerd").
NOT_FOR_STORE = "not for this store"

_BOUND = re.compile(r"(<=|>=|<|>|==)?(\d+(?:\.\d+){0,2})")
# Engine versions' numbers are small; a longer one is a typo, and int() of thousands of
# digits raised Python's own advice about sys.set_int_max_str_digits.
MAX_DIGITS = 6
QUOTED = 40  # characters of a bad value a message repeats
_ENGINE = re.compile(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?")
_COMPARE: dict[str, Callable[[tuple[int, ...], tuple[int, ...]], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}

Version = tuple[int, ...]


@dataclass(frozen=True)
class Bound:
    operator: str
    version: Version

    def holds(self, engine: Version) -> bool:
        if self.operator == "==":  # 20.10 names 20.10.x
            return engine[: len(self.version)] == self.version
        padded = self.version + (0,) * (3 - len(self.version))
        return _COMPARE[self.operator](engine, padded)

    def __str__(self) -> str:
        return self.operator + ".".join(map(str, self.version))


@dataclass(frozen=True)
class EngineRange:
    """The engines a block is for; ``str()`` gives the range back in its normal form."""

    bounds: tuple[Bound, ...]

    @classmethod
    def parse(cls, text: str) -> EngineRange:
        """Parse ``<26``, ``>=23, <26``, ``20.10``; ValueError names what is wrong."""
        parts = [part.strip() for part in text.split(",")]
        if not text.strip() or not all(parts):
            raise ValueError(f"engine range {quoted(text)}: expected e.g. <26, >=25 or >=23,<26")
        bounds = []
        for part in parts:
            found = _BOUND.fullmatch(part.replace(" ", ""))
            if found is None:
                raise ValueError(
                    f"engine range {quoted(text)}: {quoted(part)} is not an operator "
                    "(<, <=, >, >=, ==) and a version such as 26 or 20.10"
                )
            digits = found.group(2).split(".")
            if any(len(n) > MAX_DIGITS for n in digits):
                raise ValueError(
                    f"engine range {quoted(text)}: a version number has at most {MAX_DIGITS} "
                    "digits (an engine version is e.g. 26 or 20.10.24)"
                )
            numbers = tuple(int(n) for n in digits)
            bounds.append(Bound(found.group(1) or "==", numbers))
        return cls(tuple(bounds))

    def contains(self, engine: str) -> bool:
        """Whether the engine reporting version ``engine`` (``28.5.2+dfsg4``) is in range."""
        return all(bound.holds(engine_version(engine)) for bound in self.bounds)

    def __str__(self) -> str:
        return ",".join(map(str, self.bounds))


def quoted(value: str, limit: int = QUOTED) -> str:
    """``repr(value)`` for a message, cut after ``limit`` characters (a bad directive's
    100,000-digit value was repeated whole)."""
    if len(value) <= limit:
        return repr(value)
    return f"{value[:limit]!r}… ({len(value):,} characters)"


def engine_version(text: str) -> Version:
    """``28.5.2+dfsg4`` -> (28, 5, 2); ``20.10.24+dfsg1`` -> (20, 10, 24)."""
    found = _ENGINE.match(text)
    if found is None:
        raise ValueError(f"not an engine version: {text!r}")
    return tuple(int(n or 0) for n in found.groups())


def not_for(engine_range: EngineRange, engine: str) -> str:
    """The reason shown for a block outside its range."""
    return f"{NOT_FOR_ENGINE}: engine {engine_range} (this engine: {engine})"


def parse_store(text: str) -> str:
    """A store directive's value: one of STORES; ValueError names what is wrong."""
    if text not in STORES:
        raise ValueError(f"store {quoted(text)}: expected one of {', '.join(STORES)}")
    return text


def not_for_store(store: str, running: str) -> str:
    """The reason shown for a block limited to another image store."""
    return f"{NOT_FOR_STORE}: store {store} (this daemon: {running})"
