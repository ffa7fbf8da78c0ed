"""``ask``'s writer: stdout never carries the same text twice when an answer restarts."""

from __future__ import annotations

import io

from tui_chat.cli.answer_writer import SEPARATOR, AnswerWriter


def writer() -> tuple[AnswerWriter, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    return AnswerWriter(out, err), out, err


def test_a_restart_that_repeats_what_was_printed_prints_only_the_rest():
    w, out, err = writer()
    w.write("Hello, wor")
    w.restart()
    for piece in ("Hel", "lo, ", "world", "!"):
        w.write(piece)
    w.finish()
    assert out.getvalue() == "Hello, world!\n" and err.getvalue() == ""


def test_a_restart_with_other_words_goes_after_a_separator_and_says_so():
    w, out, err = writer()
    w.write("First try")
    w.restart()
    w.write("Second")
    w.finish()
    assert out.getvalue() == "First try" + SEPARATOR + "Second\n"
    assert "differs" in err.getvalue()


def test_a_shorter_complete_restart_differs_and_a_failed_one_adds_nothing():
    w, out, _ = writer()
    w.write("Long answer")
    w.restart()
    w.write("Long")
    w.finish()
    assert out.getvalue().endswith(SEPARATOR + "Long\n")
    w, out, _ = writer()
    w.write("Long answer")
    w.restart()
    w.write("Long")
    w.finish(answered=False)
    assert out.getvalue() == "Long answer\n"
