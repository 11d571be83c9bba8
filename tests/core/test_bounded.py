"""``core.bounded``: a function run in a child process under time and memory limits; the caller keeps its own
CPU and memory whatever the function does."""

from __future__ import annotations

import resource
import time

import pytest

from core.bounded import LimitExceededError, run_bounded

MIB = 1024 * 1024


def _add(a: int, b: int) -> int:
    return a + b


def _refuse(text: str) -> None:
    raise ValueError(text)


def _spin() -> None:
    while True:
        pass


def _hoard(megabytes: int) -> int:
    return len(bytearray(megabytes * MIB))


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def test_the_result_and_the_exception_come_back_as_from_a_call() -> None:
    assert run_bounded(_add, 2, 3, wall_seconds=30, memory_bytes=64 * MIB) == 5
    with pytest.raises(ValueError, match="not a report"):
        run_bounded(_refuse, "not a report", wall_seconds=30, memory_bytes=64 * MIB)


def test_a_function_that_never_ends_is_stopped_at_the_time_limit_on_the_child_s_cpu() -> None:
    cpu, started = _own_cpu(), time.monotonic()
    with pytest.raises(LimitExceededError) as stopped:
        run_bounded(_spin, wall_seconds=1.5, memory_bytes=64 * MIB)
    assert stopped.value.what == "time"
    assert time.monotonic() - started < 10
    assert _own_cpu() - cpu < 0.5  # the spinning was the child's


def test_a_function_that_takes_too_much_memory_is_stopped_and_the_caller_keeps_its_own() -> None:
    with pytest.raises(LimitExceededError) as stopped:
        run_bounded(_hoard, 1024, wall_seconds=30, memory_bytes=128 * MIB)
    assert stopped.value.what == "memory"
    assert run_bounded(_hoard, 16, wall_seconds=30, memory_bytes=128 * MIB) == 16 * MIB
