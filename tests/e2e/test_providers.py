"""Every OpenAI-compatible provider as it really speaks: finishes that mean failure or a cut answer, error
bodies of every shape, Mistral's strict parameters, answers on a choice past index 0.

Each simulator scenario is written from public evidence (provider docs, issues with captured bodies); the
scenario list (``tui-chat models --profile sim``) names whose shape each one is.
"""

from __future__ import annotations

import pytest

from support import ask, screen_text, tui_chat, wait_idle
from tui_chat.engine.error_body import code_from_body, is_context_overflow, reason_from_body
from tui_chat.sim.scenarios import prose_tokens
from tui_chat.store import History


def test_ask_marks_a_max_tokens_cut_on_stderr_and_exits_3(sim):
    result = tui_chat("ask", "--model", "length-6", "hi")
    assert result.returncode == 3, result.stderr
    assert result.stdout.rstrip("\n") == "".join(prose_tokens(40)[:6]).rstrip("\n")
    assert result.stderr.splitlines() == [
        "tui-chat: cut off: max tokens reached (finish_reason length; hint: raise max_tokens (or the model's "
        "output limit), or ask it to continue)"
    ]


@pytest.mark.parametrize("stream", [True, False])
def test_ask_marks_a_content_filter_cut(sim, stream):
    result = tui_chat("ask", "--model", "filter-5", "hi", *([] if stream else ["--no-stream"]))
    assert result.returncode == 3
    assert result.stdout.rstrip("\n") == "".join(prose_tokens(40)[:5]).rstrip("\n")
    assert "cut off by the provider's content filter (finish_reason content_filter" in result.stderr


@pytest.mark.parametrize(
    ("model", "words"),
    [
        ("finisherror-4-1", "the provider ended the answer with an error (network_error)"),
        ("nosysres-4-1", "the provider ran out of capacity in the middle of the answer"),
    ],
)
def test_a_failure_finish_is_a_failed_attempt_retried_then_answered_once(sim, model, words):
    result = tui_chat("ask", "--model", model, "hi")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("## Section 1") == 1
    assert "retry 2/5" in result.stderr and "answer aborted by the provider" in result.stderr
    assert sim.stats(model)["requests"] == 2


def test_a_failure_finish_every_time_fails_with_the_reason(sim):
    result = tui_chat(
        "ask",
        "--model",
        "finisherror-4-9",
        "hi",
        env={"TUI_CHAT_RETRY__MAX_ATTEMPTS": "2", "TUI_CHAT_FALLBACK__ENABLED": "false"},
    )
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "tui-chat: error: answer aborted by the provider: gave up after 2 "
        "attempts: the provider ended the answer with an error (network_error)"
    )


@pytest.mark.parametrize("stream", [True, False])
def test_the_answer_on_choice_index_1_is_taken(sim, stream):
    result = tui_chat("ask", "--model", "index1", "hi", *([] if stream else ["--no-stream"]))
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip("\n") == "".join(prose_tokens(40)).rstrip("\n")


def test_an_empty_answer_is_never_a_silent_success(sim):
    result = tui_chat("ask", "--model", "empty", "hi")
    assert result.returncode == 1 and result.stdout == ""
    assert "empty answer: the model finished without sending any text" in result.stderr


def test_a_finished_answer_followed_by_silence_is_complete(sim):
    result = tui_chat("ask", "--model", "hangafter", "--verbose", "hi", env={"TUI_CHAT_TIMEOUTS__IDLE": "30"})
    assert result.returncode == 0, result.stderr
    assert "You said: *hi*" in result.stdout
    assert "retry" not in result.stderr and "1 attempts" not in result.stderr
    assert sim.stats("hangafter")["requests"] == 1


@pytest.mark.parametrize(
    ("model", "line", "requests"),
    [
        ("gemini429-1", None, 2),
        ("html502-1", None, 2),
        (
            "lmstudio400",
            "tui-chat: error: 400 context too long: The number of tokens to keep from the initial prompt is "
            "greater than the context length (n_keep: 13055>= n_ctx: 4096).",
            1,
        ),
        ("ctxevent", "tui-chat: error: context too long: Input does not fit in context length.", 1),
        (
            "orprovider",
            "tui-chat: error: 400 bad request: Model 'sim/vision' supports at most 1 image per prompt. (Crucible)",
            1,
        ),
        ("credits402", "tui-chat: error: 402 payment required: Insufficient credits.", 1),
        (
            "balance402",
            "tui-chat: error: 402 payment required: Insufficient Balance (hint: the account is out of "
            "credits or balance",
            1,
        ),
    ],
)
def test_error_bodies_of_every_shape_give_the_providers_reason(sim, model, line, requests):
    result = tui_chat("ask", "--model", model, "hi")
    assert sim.stats(model)["requests"] == requests, result.stderr
    if line is None:  # retried: the reason is in the retry line, and the answer follows
        assert result.returncode == 0, result.stderr
        assert result.stderr.count("\n") == 1
        return
    assert result.returncode == 1 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(line), result.stderr
    if "context too long" in line:
        assert "start a new one (ctrl+n)" in result.stderr


def test_retry_lines_name_the_reason_of_a_gemini_429_and_a_502_page(sim):
    assert "429 rate limited" in tui_chat("ask", "--model", "gemini429-1", "hi").stderr
    assert "502 server error" in tui_chat("ask", "--model", "html502-1", "hi").stderr


def test_mistral_rejecting_stream_options_is_retried_at_once_and_remembered(sim, tmp_path):
    result = tui_chat("ask", "--model", "mistral422", "--verbose", "hi")
    assert result.returncode == 0, result.stderr
    assert "retry 2/5 in 0.0s: 422 streaming rejected" in result.stderr
    assert result.stdout.count("You said: *hi*") == 1
    assert "stream_options" not in sim.stats("mistral422")["last_request"]


def test_the_mistral_profile_never_sends_stream_options(sim, tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[profiles.mistral]\nbase_url = "{sim.base_url}"\nmodel = "mistral422"\nstream_options = false\n')
    result = tui_chat("ask", "--config", str(cfg), "--profile", "mistral", "hi")
    assert result.returncode == 0 and result.stderr == ""
    assert sim.stats("mistral422")["requests"] == 1


def test_config_show_lists_the_provider_profiles(tmp_path):
    result = tui_chat("config", "show", env={"MISTRAL_API_KEY": "mk-000000000000abcd"})
    assert result.returncode == 0, result.stderr
    for name in ("mistral", "deepseek", "groq", "gemini", "azure", "openrouter"):
        assert f"[profiles.{name}]" in result.stdout
    assert "https://generativelanguage.googleapis.com/v1beta/openai" in result.stdout
    assert "needs the environment variable AZURE_OPENAI_ENDPOINT" in result.stdout
    assert "abcd" in result.stdout and "mk-000000000000abcd" not in result.stdout


def test_azure_sends_its_key_as_api_key_only_and_its_query(sim, tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        '[profiles.azure]\nbase_url = "${AZURE_OPENAI_ENDPOINT}/v1"\napi_key_env = "AZURE_OPENAI_API_KEY"\n'
        'key_header = "api-key"\nmodel = "echo"\nquery = { api-version = "2024-10-21" }\n'
    )
    env = {"AZURE_OPENAI_ENDPOINT": sim.root + "/", "AZURE_OPENAI_API_KEY": "azure-key-1234"}
    result = tui_chat("ask", "--config", str(cfg), "--profile", "azure", "hello", env=env)
    assert result.returncode == 0, result.stderr
    sent = sim.stats("echo")["last_request"]
    assert sent["authorization"] == "absent"
    assert sent["key_header"] == "present" and sent["query"] == {"api-version": "2024-10-21"}


@pytest.mark.parametrize(
    ("body", "reason", "code"),
    [
        ({"message": "plain", "code": "c"}, "plain", "c"),
        (
            [{"error": {"code": 429, "message": "Resource has been exhausted", "status": "RESOURCE_EXHAUSTED"}}],
            "Resource has been exhausted",
            "429",
        ),
        ("The number of tokens to keep", "The number of tokens to keep", None),
        ({"message": "Provider returned error", "metadata": {"raw": "upstream words"}}, "upstream words", None),
        (
            {"message": {"detail": [{"loc": ["body", "stream_options"], "msg": "Extra inputs are not permitted"}]}},
            "body.stream_options: Extra inputs are not permitted",
            None,
        ),
        ("<html><head><title>502 Bad Gateway</title></head></html>", "HTML page: 502 Bad Gateway", None),
        ("x" * 200_000, "x" * 299 + "…", None),
        (None, "", None),
    ],
)
def test_reason_and_code_from_any_body(body, reason, code):
    assert reason_from_body(body) == reason
    assert code_from_body(body) == code


def test_context_overflow_wordings():
    for text in (
        "This model's maximum context length is 8192 tokens",
        "prompt is too long: 227255 tokens > 200000",
        "Input does not fit in context length",
        "n_keep: 13055>= n_ctx: 4096",
    ):
        assert is_context_overflow(text)
    assert is_context_overflow("x", "context_length_exceeded")
    assert not is_context_overflow("Rate limit reached for requests")


async def test_the_app_marks_a_content_filter_cut_and_keeps_the_text(make_app, isolated_env):
    app = make_app("filter-5")
    async with app.run_test(size=(100, 30)) as pilot:
        await ask(pilot, "hi")
        await wait_idle(pilot, app)
        answer = app.conversation.messages[-1]
        assert answer.finish_reason == "content_filter" and answer.content == "".join(prose_tokens(40)[:5])
        assert answer.cut == "cut off by the provider's content filter"
        screen = screen_text(app)
        assert "⚠ cut off by the provider's content filter" in screen and "ctrl+r regenerates" in screen
        assert "● ready · ⚠ cut off by the provider's content filter" in app.status.text()
    history = History(isolated_env / "data")
    stored = history.load(app.conversation.id).messages[-1]
    history.close()
    assert stored.finish_reason == "content_filter" and stored.cut


async def test_the_app_shows_an_answer_sent_on_choice_index_1(make_app):
    app = make_app("index1")
    async with app.run_test(size=(100, 30)) as pilot:
        await ask(pilot, "hi")
        await wait_idle(pilot, app)
        answer = app.conversation.messages[-1]
        assert answer.content == "".join(prose_tokens(40)) and answer.reasoning
        assert "Section 1" in screen_text(app) and not answer.cut


def test_api_redirects_are_not_followed(sim):
    result = tui_chat("ask", "--model", "redirect", "hi")
    assert result.returncode == 1
    assert result.stderr.startswith("tui-chat: error: 307 bad request: the server redirects to http://localhost:")
    assert "make that the profile's base_url" in result.stderr
    assert sim.stats("redirect")["requests"] == 1
