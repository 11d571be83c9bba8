"""A load generator cheap enough to measure thousands of requests per second on the machine it shares.

Gunicorn's sync workers close every connection after one answer, so each request is a fresh TCP connection:
this client writes one fixed request per connection and reads to end of stream, in several processes (the GIL
would make threads the bottleneck), and reports per-request latency. ``cpu_seconds`` reads /proc so a report can
say where the CPU went: on shared cores, wall-clock rates mostly measure the other jobs.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_gunicorn(port: int, env: dict[str, str], workers: int = 2) -> subprocess.Popen[bytes]:
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    process = subprocess.Popen(  # our own interpreter's gunicorn, fixed arguments
        [
            gunicorn,
            "config.wsgi",
            "-w",
            str(workers),
            "-k",
            "sync",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("gunicorn did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def cpu_seconds(*, parent: int | None = None, command: str | None = None) -> float:
    """CPU seconds (user + system) so far of the processes with this parent or this command name."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            head, tail = (entry / "stat").read_text().rsplit(")", 1)
        except OSError:
            continue
        fields = tail.split()
        if (parent is not None and int(fields[1]) == parent) or (command is not None and head.endswith(f"({command}")):
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def request_bytes(path: str, headers: dict[str, str]) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: localhost", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


def _client(port: int, requests: list[bytes], count: int, deadline: float, queue: multiprocessing.Queue) -> None:
    latencies: list[float] = []
    statuses: dict[bytes, int] = {}
    started = time.process_time()
    for n in range(count):
        if time.perf_counter() > deadline:
            break
        began = time.perf_counter()
        with socket.create_connection(("127.0.0.1", port)) as conn:
            conn.sendall(requests[n % len(requests)])
            first = conn.recv(65536)
            while conn.recv(65536):
                pass
        latencies.append(time.perf_counter() - began)
        code = first[9:12]
        statuses[code] = statuses.get(code, 0) + 1
    queue.put((latencies, statuses, time.process_time() - started))


@dataclass
class Result:
    count: int
    elapsed: float
    latencies: list[float]
    statuses: dict[bytes, int]
    client_cpu: float

    @property
    def rate(self) -> float:
        return self.count / self.elapsed

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[max(0, int(len(ordered) * share) - 1)] * 1000


def run(port: int, requests: list[bytes], *, clients: int, total: int, seconds: float) -> Result:
    """``total`` requests (cycling through ``requests``) from ``clients`` processes, for at most ``seconds``."""
    context = multiprocessing.get_context("fork")
    queue: multiprocessing.Queue = context.Queue()
    deadline = time.perf_counter() + seconds
    per_client = total // clients
    processes = [
        context.Process(target=_client, args=(port, requests[i:] + requests[:i], per_client, deadline, queue))
        for i in range(clients)
    ]
    began = time.perf_counter()
    for process in processes:
        process.start()
    results = [queue.get() for _ in processes]
    elapsed = time.perf_counter() - began
    for process in processes:
        process.join()
    latencies = [value for result in results for value in result[0]]
    statuses: dict[bytes, int] = {}
    for result in results:
        for code, number in result[1].items():
            statuses[code] = statuses.get(code, 0) + number
    return Result(len(latencies), elapsed, latencies, statuses, sum(result[2] for result in results))
