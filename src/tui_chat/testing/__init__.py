"""Helpers for driving tui-chat from outside: used by the test suite and the benchmarks."""
