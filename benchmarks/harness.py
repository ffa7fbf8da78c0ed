"""What every benchmark needs: the simulator in its own process, timing helpers, the machine's facts."""

from __future__ import annotations

import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent / "tui-chat"
TERMINAL = (120, 40)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SimProcess:
    """``tui-chat sim`` on a free loopback port, in a process of its own so it is not measured."""

    def __init__(self) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> SimProcess:
        self.proc = subprocess.Popen(
            [str(BIN), "sim", "--port", str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base_url + "/models", timeout=1).read()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the simulator did not start")

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and of all its live descendants (the app's engine process), from /proc."""
    total = 0.0
    for proc in [pid, *_descendants(pid)]:
        try:
            fields = Path(f"/proc/{proc}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def rss_mb(pid: int) -> float:
    """Resident memory of one process (the app's UI process; its engine child is reported apart)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def median_of(runs: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(runs))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "?",
    )
    return (
        f"{platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu}), Python "
        f"{platform.python_version()}, textual {version('textual')}, openai {version('openai')}"
    )


def commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


class Contention:
    """A steady neighbour on the machine, beside every run of ``make bench --contended``: a process that keeps
    one core busy ``share`` of the time (15%: what a terminal multiplexer's polling or a busy editor takes)."""

    SCRIPT = (
        "import time\n"
        "busy, period = {share} * 0.02, 0.02\n"
        "end = time.monotonic() + 4 * 3600\n"
        "while time.monotonic() < end:\n"
        "    start = time.monotonic()\n"
        "    while time.monotonic() - start < busy:\n"
        "        pass\n"
        "    time.sleep(period - busy)\n"
    )

    def __init__(self, share: float = 0.15) -> None:
        self.share = share
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Contention:
        self.proc = subprocess.Popen([sys.executable, "-c", self.SCRIPT.format(share=self.share)])
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
