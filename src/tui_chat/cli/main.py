"""``tui-chat``: parse, run the command's handler, and turn every failure into one line on stderr and an
exit code, never a traceback.

Exit codes: 0 success, 1 the API failed (after retries), 2 usage or configuration error, 3 the answer was
cut off (max tokens, a content filter), 130 interrupted.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from ..backend.errors import BackendError
from ..config.errors import ConfigError
from .parser import build_parser
from .shared import EXIT_API, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, UsageError, fail


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return int(args.handler(args))
    except UsageError as exc:
        return fail(f"error: {exc}", EXIT_USAGE)
    except ConfigError as exc:
        return fail(str(exc), EXIT_USAGE)
    except BackendError as exc:
        return fail(f"error: {exc}", EXIT_API)
    except KeyboardInterrupt:
        return fail("interrupted", EXIT_INTERRUPTED)
    except BrokenPipeError:  # stdout was closed (| head): end quietly, as cat does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # Python's own flush at exit must not fail
        return EXIT_OK
    except Exception as exc:  # the last line of defence: one line, never a traceback
        if os.environ.get("TUI_CHAT_DEBUG"):
            raise
        return fail(f"internal error: {type(exc).__name__}: {exc} (TUI_CHAT_DEBUG=1 shows a traceback)", 1)


if __name__ == "__main__":
    sys.exit(main())
