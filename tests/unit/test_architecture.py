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


def test_the_command_line_spawns_the_backend_before_anything_heavy_is_imported():
    """The app's first screen waits for the backend process's configuration: everything ``tui-chat`` imports
    before it spawns that process (all that ``tui_chat.cli.main`` imports) is on that path, so neither the
    parser and its handlers (~30 ms), nor typing, asyncio, the engine or Textual."""
    code = (
        "import sys, tui_chat.cli.main; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'argparse', 'typing', 'asyncio', 'textual', 'pydantic', 'openai'}), "
        "sorted(m for m in sys.modules if m.startswith(('tui_chat.engine', 'tui_chat.cli.'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[] ['tui_chat.cli.main']", result.stdout + result.stderr
