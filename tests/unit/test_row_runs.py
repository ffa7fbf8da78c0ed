"""The runs of rows a partial screen update asks each widget for."""

from tui_chat.ui.row_cropping_compositor import row_runs


def test_rows_in_any_order_become_runs_of_consecutive_rows() -> None:
    assert row_runs([38, 20, 21, 5, 22, 39]) == [(5, 6), (20, 23), (38, 40)]


def test_no_rows_no_runs() -> None:
    assert row_runs([]) == []
