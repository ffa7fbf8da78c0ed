"""The layers stay apart: engine, store, config and sim never import Textual, and the app process never
imports the configuration's pydantic or the SDK (import-linter contracts, and the modules really loaded)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_hold():
    lint = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    result = subprocess.run([lint, "--no-cache"], check=False, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: " in result.stdout and " broken" in result.stdout and "0 broken" in result.stdout


def test_the_app_process_imports_neither_pydantic_nor_the_sdk():
    """They load in the backend process (on the other core, while Textual imports): ~0.15 s of startup."""
    code = (
        "import sys, tui_chat.cli, tui_chat.ui.app; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pydantic', 'pydantic_settings', 'openai'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr


def test_the_command_line_forks_the_backend_with_what_both_processes_import_and_nothing_heavier():
    """The app's first screen waits for the backend process's configuration: everything ``tui-chat`` imports
    before it forks that process is on that path, so neither the parser and its handlers (~30 ms), nor the
    engine or Textual; what it imports first, asyncio and the pipe's connection, the child would import too."""
    code = (
        "import os, sys\n"
        "def fork():\n"
        "    print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'argparse', 'asyncio', 'textual', 'pydantic', 'openai'}), "
        "'multiprocessing.connection' in sys.modules, sorted(m for m in sys.modules if m.startswith('tui_chat.')))\n"
        "    os._exit(0)\n"
        "os.fork = fork\n"
        "from tui_chat.cli.main import main\n"
        "main([])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=60)
    expected = "['asyncio'] True ['tui_chat.backend', 'tui_chat.backend.spawn', 'tui_chat.cli', 'tui_chat.cli.main']"
    assert result.stdout.strip() == expected, result.stdout + result.stderr
