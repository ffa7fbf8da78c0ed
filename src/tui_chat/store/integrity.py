"""``PRAGMA quick_check`` of an existing history database, on a thread of its own.

A database with damaged pages can still open and answer some reads, and writing into it can make the
damage worse: nothing is written before the check said "ok". The check reads the whole file (10,000
messages, 44 MB: ~28 ms warm), so it runs beside the first screen (SQLite releases the GIL) and only the
first write waits for it.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from pathlib import Path


class IntegrityCheck:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._problem = ""
        self._thread = threading.Thread(target=self._run, name="tui-chat-quick-check", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            with closing(sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)) as db:
                rows = db.execute("PRAGMA quick_check(3)").fetchall()
        except sqlite3.DatabaseError as exc:
            self._problem = str(exc)
            return
        if rows != [("ok",)]:
            self._problem = "; ".join(str(row[0]) for row in rows)

    def problem(self) -> str:
        """What the check found wrong ('' for a sound file), once it has finished."""
        self._thread.join()
        return self._problem
