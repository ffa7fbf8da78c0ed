"""The simulator's model names: a scenario and its numbers."""

from __future__ import annotations

from tui_chat.sim.scenarios import Scenario, parse_model, reply_tokens


def test_a_model_name_is_a_scenario_and_its_numbers():
    assert parse_model("drop-20-1") == Scenario("drop", (20.0, 1.0))
    assert parse_model("5xx-3") == Scenario("5xx", (3.0,))
    assert parse_model("normal") == Scenario("normal", ())
    assert parse_model("gpt-4o") is None and parse_model("drop-x") is None


def test_fast_n_is_n_tokens_ending_with_its_mark():
    tokens = reply_tokens(Scenario("fast", (50,)), "")
    assert len(tokens) == 50 and tokens[-1].strip() == "end of answer 50"
