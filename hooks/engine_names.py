"""How the site names Docker Engines to a reader: one form for the badges, their tooltips, the
box under each title and the failure's diff.

An engine is "도커 엔진 28.5": its major.minor. The Debian package's full version
(``28.5.2+dfsg4``) tells a reader nothing the major.minor does not, and showing it in some places
and not others made one engine look like two; the report keeps it. An engine range
(``<!-- test: engine <25 -->``) is said as which engines print that output, in plain Korean.
"""

from __future__ import annotations

from contracts.matrix import STORE_LABEL
from docharness.engines import Bound, EngineRange

# A lower bound says where the output starts, an upper bound where it ends.
_FROM = {">=": "{v}부터", ">": "{v} 다음 버전부터"}
_UNTIL = {"<": "{v} 이전", "<=": "{v}"}


def engine_number(version: str) -> str:
    """``28.5.2+dfsg4`` -> ``28.5``; ``20.10.24+dfsg1`` -> ``20.10``; ``?`` stays ``?``; a
    store label stays (``28.5 (containerd 저장소)``)."""
    label = STORE_LABEL if version.endswith(STORE_LABEL) else ""
    number = version.removesuffix(STORE_LABEL)
    return ".".join(number.split("+")[0].split("-")[0].split(".")[:2]) + label


def engine_numbers(versions: tuple[str, ...]) -> str:
    """Several engines, oldest first as given: ``20.10 · 26.1 · 28.5``."""
    return " · ".join(engine_number(v) for v in versions)


def engine_name(version: str) -> str:
    """``28.5.2+dfsg4`` -> ``도커 엔진 28.5``."""
    return f"도커 엔진 {engine_number(version)}"


def _number(bound: Bound) -> str:
    return ".".join(map(str, bound.version))


def range_words(engines: EngineRange) -> str:
    """Which engines print a block's output, e.g. ``<25`` -> ``엔진 25 이전에서만 나오는 출력``,
    ``>=28`` -> ``엔진 28부터 나오는 출력``,
    ``>=23,<26`` -> ``엔진 23부터 26 이전까지 나오는 출력``,
    ``20.10`` -> ``엔진 20.10에서만 나오는 출력``."""
    lower = [b for b in engines.bounds if b.operator in _FROM]
    upper = [b for b in engines.bounds if b.operator in _UNTIL]
    equal = [b for b in engines.bounds if b.operator == "=="]
    if equal and not lower and not upper:
        return f"엔진 {' · '.join(map(_number, equal))}에서만 나오는 출력"
    if len(lower) > 1 or len(upper) > 1 or equal:
        # Not a span (e.g. `>=23,>=24`): each bound in turn, still in words.
        spelled = ", ".join(
            _FROM.get(b.operator, _UNTIL.get(b.operator, "{v}")).format(v=_number(b))
            for b in engines.bounds
        )
        return f"엔진 범위({spelled})에서만 나오는 출력"
    start = _FROM[lower[0].operator].format(v=_number(lower[0])) if lower else ""
    if not upper:
        return f"엔진 {start} 나오는 출력"
    end = _UNTIL[upper[0].operator].format(v=_number(upper[0]))
    if start:
        return f"엔진 {start} {end}까지 나오는 출력"
    return f"엔진 {end}{'에서만' if upper[0].operator == '<' else '까지만'} 나오는 출력"
