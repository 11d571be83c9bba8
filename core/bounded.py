"""Parsing untrusted files in a child process with a time and a memory limit, never in the calling process.

A small file can cost a parser a great deal: a 40 KB PDF whose content streams expand kept pypdf busy for
24.5 s, an 8.4 MB workbook kept openpyxl busy for 55 s, each in a web worker that served nobody else
meanwhile. ``run_bounded`` forks a child that does the parsing under ``RLIMIT_AS`` (its address space may
grow by ``memory_bytes`` past what it inherited) and ``RLIMIT_CPU``, while the caller waits at most
``wall_seconds`` and then kills it. The caller gets the function's result, its exception, or
``LimitExceededError`` naming the limit; its own memory and CPU are untouched by whatever the file does.

Only plain functions of plain data belong here: the child is a fork and must not use the parent's database
connection or sockets, and it sends back its result pickled.
"""

from __future__ import annotations

import multiprocessing
import resource
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


class LimitExceededError(Exception):
    """The child went past a limit (``what`` is ``"time"`` or ``"memory"``) and was stopped."""

    def __init__(self, what: str, limit: float) -> None:
        super().__init__(f"parsing stopped at its {what} limit ({limit:g})")
        self.what = what
        self.limit = limit


def _address_space() -> int:
    """This process's virtual size in bytes (VmSize), which ``RLIMIT_AS`` bounds."""
    with Path("/proc/self/status").open(encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _child(
    send: Connection, func: Callable[..., Any], args: tuple[Any, ...], memory_bytes: int, cpu_seconds: int
) -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    inherited = _address_space()
    if inherited:
        resource.setrlimit(resource.RLIMIT_AS, (inherited + memory_bytes, inherited + memory_bytes))
    try:
        outcome: tuple[str, Any] = ("ok", func(*args))
    except MemoryError:
        outcome = ("memory", None)
    except Exception as exc:  # handed to the caller, which raises it as if the call had been its own
        outcome = ("error", exc)
    try:
        send.send(outcome)
    except Exception as exc:  # an unpicklable result or exception: say what it was
        send.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    send.close()


def run_bounded(
    func: Callable[..., T],
    *args: Any,
    wall_seconds: float,
    memory_bytes: int,
    cpu_seconds: int | None = None,
) -> T:
    """``func(*args)`` in a forked child under the limits; its result, its exception, or LimitExceededError."""
    cpu = cpu_seconds or max(1, int(wall_seconds))
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(send, func, args, memory_bytes, cpu), daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(wall_seconds):
            raise LimitExceededError("time", wall_seconds)
        try:
            status, payload = receive.recv()
        except EOFError:
            # Died without a word: SIGXCPU at the CPU limit, or killed when memory ran out below Python.
            child.join(timeout=5)
            killed_by_cpu = child.exitcode is not None and -child.exitcode in {24, 9}
            if killed_by_cpu:
                raise LimitExceededError("time", cpu) from None
            raise LimitExceededError("memory", memory_bytes) from None
    finally:
        if child.is_alive():
            child.kill()
        child.join(timeout=5)
        receive.close()
    if status == "ok":
        return payload
    if status == "memory":
        raise LimitExceededError("memory", memory_bytes)
    raise payload
