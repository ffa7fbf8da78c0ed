"""Drive a real terminal program in tmux: a private server socket, send-keys, capture-pane."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import time
import uuid


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
    subprocess.run([*sudo, apt, "install", "-y", "-qq", "tmux"], check=True, env=env, capture_output=True,
                   timeout=300)
    found = shutil.which("tmux")
    if found is None:
        raise RuntimeError("apt-get installed tmux but it is not on PATH")
    return found


class Tmux:
    """One tmux server of our own (``-L``), so tests never touch the user's sessions."""

    def __init__(self, width: int, height: int) -> None:
        self.tmux = ensure_tmux()
        self.socket = f"tui-chat-test-{uuid.uuid4().hex[:8]}"
        self.width, self.height = width, height

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([self.tmux, "-L", self.socket, *args], capture_output=True, text=True,
                              check=check, timeout=30)

    def start(self, command: list[str], env: dict[str, str]) -> None:
        line = " ".join(["env", *(f"{k}={shlex.quote(v)}" for k, v in env.items()), *map(shlex.quote, command)])
        self.run("new-session", "-d", "-s", "main", "-x", str(self.width), "-y", str(self.height), line)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "main").stdout

    def pane_pid(self) -> int:
        """The pid of the program in the pane (``env`` execs it, so it is the program itself)."""
        return int(self.run("display-message", "-p", "-t", "main", "#{pane_pid}").stdout.strip())

    def send(self, *keys: str, literal: bool = False) -> None:
        self.run("send-keys", "-t", "main", *(["-l"] if literal else []), *keys)

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
        self.run("kill-server", check=False)
