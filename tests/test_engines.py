"""Engine ranges of the `engine` directive: parsing, normal form, which engines they hold."""

from __future__ import annotations

import pytest

from docharness.engines import EngineRange, engine_version


@pytest.mark.parametrize(
    ("text", "normal"),
    [("<26", "<26"), (">= 23 , <26", ">=23,<26"), ("20.10", "==20.10"), ("==28.5.2", "==28.5.2")],
)
def test_ranges_parse_to_their_normal_form(text: str, normal: str) -> None:
    assert str(EngineRange.parse(text)) == normal


@pytest.mark.parametrize(
    ("text", "engine", "holds"),
    [
        ("<26", "20.10.24+dfsg1", True),
        ("<26", "26.1.5+dfsg1", False),
        ("<26", "28.5.2+dfsg4", False),
        (">=26", "26.1.5+dfsg1", True),
        (">=25,<27", "26.1.5+dfsg1", True),
        (">=25,<27", "28.5.2+dfsg4", False),
        ("20.10", "20.10.24+dfsg1", True),
        ("20.10", "20.1.0", False),
        (">28.5", "28.5.2", True),  # 28.5 means 28.5.0
        ("<=28.5.2", "28.5.2+dfsg4", True),
    ],
)
def test_range_holds_the_engines_it_names(text: str, engine: str, holds: bool) -> None:
    assert EngineRange.parse(text).contains(engine) is holds


@pytest.mark.parametrize("text", ["", "26,", "newer", "<26.x", "=>26", "<1.2.3.4", "~26"])
def test_bad_range_is_a_value_error_naming_it(text: str) -> None:
    with pytest.raises(ValueError, match="engine range"):
        EngineRange.parse(text)


def test_engine_version_reads_the_leading_numbers() -> None:
    assert engine_version("28.5.2+dfsg4") == (28, 5, 2)
    assert engine_version("20.10.24+dfsg1-1+deb12u1") == (20, 10, 24)
    with pytest.raises(ValueError):
        engine_version("unknown")
