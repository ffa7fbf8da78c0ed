"""Drive a real terminal program in tmux: a private server socket, send-keys, capture-pane.

Each command normally runs a tmux client process. ``Tmux.attach_control()`` switches to one control-mode
client (``tmux -C``) that takes commands on a pipe instead: a capture then costs about 0.1 ms instead of a
process spawn of about 3 ms, so polling the screen every few milliseconds no longer steals the CPU of the
program being timed (benchmarks poll that fast; on two cores the spawns were a third of a core).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import time
import uuid
from pathlib import Path


def ensure_tmux() -> str:
    """tmux's path, installing it with apt-get when it is missing (CI machines start without it)."""
    found = shutil.which("tmux")
    if found:
        return found
    apt = shutil.which("apt-get")
    if apt is None:
        raise RuntimeError("tmux is not installed and there is no apt-get to install it")
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, apt, "update", "-qq"], check=True, env=env, capture_output=True, timeout=300)
    subprocess.run([*sudo, apt, "install", "-y", "-qq", "tmux"], check=True, env=env, capture_output=True, timeout=300)
    found = shutil.which("tmux")
    if found is None:
        raise RuntimeError("apt-get installed tmux but it is not on PATH")
    return found


class Tmux:
    """One tmux server of our own (``-L``), so tests never touch the user's sessions."""

    def __init__(self, width: int, height: int) -> None:
        self.tmux = ensure_tmux()
        self.socket = f"tui-chat-test-{uuid.uuid4().hex[:8]}"
        self.socket_path = Path(os.environ.get("TMUX_TMPDIR") or "/tmp") / f"tmux-{os.getuid()}" / self.socket
        """Where tmux(1) makes the server's socket (``-L``): it stays there after the server exits."""
        self.width, self.height = width, height
        self._control: _ControlClient | None = None

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [self.tmux, "-L", self.socket, *args], capture_output=True, text=True, check=check, timeout=30
        )

    def start(self, command: list[str], env: dict[str, str]) -> None:
        line = " ".join(["env", *(f"{k}={shlex.quote(v)}" for k, v in env.items()), *map(shlex.quote, command)])
        self.run("new-session", "-d", "-s", "main", "-x", str(self.width), "-y", str(self.height), line)

    def attach_control(self) -> None:
        """Send every later command through one control-mode client (after ``start``)."""
        self._control = _ControlClient([self.tmux, "-L", self.socket])

    def _command(self, *args: str) -> str:
        if self._control is not None:
            return self._control.command(args)
        return self.run(*args).stdout

    def screen(self) -> str:
        return self._command("capture-pane", "-p", "-t", "main")

    def pane_pid(self) -> int:
        """The pid of the program in the pane (``env`` execs it, so it is the program itself)."""
        return int(self._command("display-message", "-p", "-t", "main", "#{pane_pid}").strip())

    def send(self, *keys: str, literal: bool = False) -> None:
        self._command("send-keys", "-t", "main", *(["-l"] if literal else []), *keys)

    def wait_for(self, text: str, timeout: float = 30.0, interval: float = 0.05) -> str:
        """Poll the pane until ``text`` shows (bounded by ``timeout``); return the screen."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(interval)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")

    def alive(self) -> bool:
        return self.run("has-session", "-t", "main", check=False).returncode == 0

    def close(self) -> None:
        if self._control is not None:
            self._control.close()
            self._control = None
        self.run("kill-server", check=False)
        self.socket_path.unlink(missing_ok=True)


class _ControlClient:
    """A ``tmux -C`` client with pane output notifications off: one command at a time, its reply read back."""

    def __init__(self, tmux: list[str]) -> None:
        self.proc = subprocess.Popen(
            [*tmux, "-C", "attach-session", "-t", "main"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            bufsize=1,
        )
        for _ in range(100):  # the client may not be current yet right after the session starts
            try:
                self.command(("refresh-client", "-f", "no-output"))
                break
            except RuntimeError:
                time.sleep(0.01)
        else:
            raise RuntimeError("the tmux control client never attached")

    def command(self, args: tuple[str, ...]) -> str:
        self._write(args)
        return self._reply(args)

    def _write(self, args: tuple[str, ...]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(" ".join(shlex.quote(arg) for arg in args) + "\n")
        self.proc.stdin.flush()

    def _reply(self, args: tuple[str, ...]) -> str:
        assert self.proc.stdout is not None
        lines: list[str] = []
        reply: str | None = None
        for line in self.proc.stdout:
            if reply is None:
                fields = line.split()
                if len(fields) == 4 and fields[0] == "%begin" and fields[3] == "1":  # 1: a command of ours
                    reply = fields[2]  # its number, repeated on its %end or %error line
                continue
            fields = line.split()
            if len(fields) >= 3 and fields[0] in ("%end", "%error") and fields[2] == reply:
                if fields[0] == "%error":
                    raise RuntimeError(f"tmux {' '.join(args)}: {''.join(lines).strip()}")
                return "".join(lines)
            lines.append(line)
        raise RuntimeError("the tmux control client ended")

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
