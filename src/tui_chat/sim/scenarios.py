"""Named, deterministic scenarios of the simulator, chosen by the request's model name.

A model name is a scenario name followed by dash-separated numbers, e.g. ``drop-20-1`` ("drop the
stream after 20 tokens, for the first request only"). Every scenario is listed by ``/v1/models``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import cycle, islice

TOKEN_RE = re.compile(r"\s*\S+\s*|\s+")

NORMAL_REPLY = """\
## A simulated answer

You said: *{prompt}*

This reply comes from the **built-in simulator**, so you can try the client offline. It has:

- a short list with `inline code`,
- a [link](https://example.org) and some *emphasis*,
- and a fenced code block:

```python
def greet(name: str) -> str:
    \"\"\"Say hello.\"\"\"
    return f"Hello, {{name}}!"
```

> Configure a real provider with `OPENAI_API_KEY`, or a profile in the config file
> (`tui-chat config path` shows where it is).
"""

PROSE_SECTIONS = [
    "## Section {n}\n\n",
    "Streaming text arrives one token at a time, and the client must keep up without "
    "re-rendering what it already showed. This paragraph is number {n} of the answer.\n\n",
    "- first point about **throughput** and latency\n- second point with `code` inside\n"
    "- third point, a [link](https://example.org/{n})\n\n",
    "```python\ndef step_{n}(x: int) -> int:\n    return x * {n} + 1\n```\n\n",
    "> A quotation that spans a line, with *emphasis* and a number: {n}.\n\n",
]

MARKUP_REPLY = (
    "Markup must stay text: [bold red]not bold[/bold red] and [link=https://evil.example]x[/link].\n\n"
    "Escapes must stay harmless: \x1b[2J\x1b[31mred?\x1b[0m \x1b]0;pwned title\x07 "
    "\x1b]52;c;ZXZpbA==\x07 bell\x07 end.\n"
)

REASONING = "Let me think about this. The user wants an answer; I will keep it short. "

END_MARK = "end of answer"
"""The last token of ``fast-N`` and ``code-N``: benchmarks poll the screen for it."""


def end_token(count: int) -> str:
    return f"\n\n{END_MARK} {count}\n"


@dataclass(frozen=True)
class Scenario:
    """What the simulator does for one model name."""

    name: str
    args: tuple[float, ...]

    def arg(self, index: int, default: float) -> float:
        return self.args[index] if index < len(self.args) else default

    def int_arg(self, index: int, default: int) -> int:
        return int(self.arg(index, default))


SCENARIOS: dict[str, str] = {
    "normal": "a markdown answer that quotes the prompt, a few ms per token",
    "echo": "echoes the last user message, one token per word",
    "fast-N": "N tokens of mixed markdown as fast as possible, the last one 'end of answer N' (default 2000)",
    "code-N": "one fenced code block of N lines as fast as possible, then 'end of answer N' (default 4000)",
    "slow-N-M": "N tokens, one every M ms (default 40 tokens, 100 ms)",
    "pace-N-M": "N tokens of mixed markdown, one every M ms, the last one 'end of answer N' (default 400, 20 ms)",
    "ratelimit-K-S": "429 with Retry-After S seconds for the first K requests (default 2, 1 s)",
    "quota": "429 insufficient_quota: a billing problem, never worth a retry",
    "5xx-K": "HTTP 500/503 for the first K requests (default 2)",
    "drop-N-K": "streaming requests drop the connection after N tokens, the first K times (default: always)",
    "stall-N-K": "the stream stalls after N tokens, the first K times (default: always)",
    "midstream-N-K": "an SSE error event after N tokens, the first K times (default 1)",
    "malformed-N-K": "one malformed chunk after N tokens, the first K times (default 1)",
    "misshapen-N-K": "one chunk of valid JSON that is not a chunk (a list) after N tokens, the first K times",
    "truncate-N-K": "the stream ends without finish_reason after N tokens, the first K times (default 1)",
    "reword-N": "the first streaming request drops after N tokens; later ones answer with other words",
    "auth": "401 invalid API key",
    "reasoning": "reasoning_content deltas, then the answer",
    "markup": "a reply full of Rich markup and terminal escape sequences",
    "nostream": "400 when stream=true (a server that cannot stream)",
    "nostreamopts": "400 when stream_options is sent",
    # How real providers speak (each from public evidence: provider docs, issues, captured streams)
    "length-N": "the answer stops after N tokens with finish_reason length (max tokens reached; default 10)",
    "filter-N": "Azure: the content filter ends the answer after N tokens (finish_reason content_filter)",
    "finisherror-N-K": "OpenRouter: finish_reason error (native network_error) after N tokens, the first K times",
    "nosysres-N-K": "DeepSeek: finish_reason insufficient_system_resource after N tokens, the first K times",
    "index1": "LiteLLM in front of a thinking model: reasoning on choice 0, the answer on choice 1",
    "empty": "finish_reason stop without any text",
    "hangafter": "a whole answer with its finish_reason, then the connection stays open without [DONE]",
    "gemini429-K": "Gemini: 429 with a JSON array body (RESOURCE_EXHAUSTED) for the first K requests (default 1)",
    "lmstudio400": "LM Studio: 400 with a bare string error: the prompt does not fit the context",
    "ctxevent": "LM Studio: a 200 stream whose only event is an error: the input does not fit the context",
    "html502-K": "a gateway's HTML 502 page for the first K requests (default 1)",
    "orprovider": "OpenRouter: 400 'Provider returned error' with the upstream's reason in metadata.raw",
    "mistral422": "Mistral: 422 (pydantic extra_forbidden) when stream_options is sent",
    "credits402": "OpenRouter: 402 insufficient credits",
    "balance402": "DeepSeek: 402 Insufficient Balance",
    "pings": "200 and then only SSE keep-alive comments, one every 0.2 s, for 30 s: never an answer",
    "escapes": "400 whose message holds terminal escapes (title, clear screen, OSC 52 clipboard) and BiDi controls",
    "echokey": "401 that quotes the Authorization header it was sent (some proxies do)",
    "sseforjson": "answers stream=false with an SSE body (text/event-stream) all the same",
    "error200": "answers 200 with a JSON error object and no choices (the key was refused)",
    "gzipgarbage": "a body that claims gzip encoding and is not gzip",
    "dropthen500-N": "the first streaming request drops after N tokens (default 5); every later one is a 500",
    "huge400": "400 whose error message is 200 KB long",
    "chaos-SEED": "the fault soak: the first 0-3 requests fail at random (by SEED), then the answer comes",
    "failed-N-K": "Responses API: response.failed (server_error) after N tokens, the first K times (default 5, 1)",
    "nobackground": "Responses API: 400 when background mode is asked for",
    "noresponses": "a server without the Responses API: 404 on /v1/responses",
    "redirect": "307 to the same simulator under another origin (localhost): a client must not follow it",
}
CUT_SCENARIOS = {
    "length": "length",
    "filter": "content_filter",
    "finisherror": "error",
    "nosysres": "insufficient_system_resource",
}
"""Scenarios that end the stream after N tokens with this finish_reason."""
ALWAYS = 10**9
FAULT_SCENARIOS = frozenset(
    {
        "drop",
        "stall",
        "midstream",
        "malformed",
        "misshapen",
        "truncate",
        *CUT_SCENARIOS,
        "index1",
        "dropthen500",
        "failed",
    }
)
"""Scenarios whose answer is plain prose, streamed quickly, so that their fault has something to cut."""


def parse_model(model: str) -> Scenario | None:
    """The scenario for a model name, or None for an unknown model (answered with 404)."""
    head, *rest = model.split("-") if not model.startswith("5xx") else ["5xx", *model.split("-")[1:]]
    if not any(key.split("-")[0] == head for key in SCENARIOS):
        return None
    try:
        args = tuple(float(part) for part in rest)
    except ValueError:
        return None
    return Scenario(head, args)


def tokenize(text: str) -> list[str]:
    """Split text into word-sized tokens whose concatenation is the text."""
    return TOKEN_RE.findall(text)


def prose_tokens(count: int) -> list[str]:
    """``count`` tokens of varied markdown: headings, paragraphs, lists, code, quotes."""

    def sections() -> Iterator[str]:
        n = 0
        for template in cycle(PROSE_SECTIONS):
            if template.startswith("## "):
                n += 1
            yield from tokenize(template.format(n=n))

    return list(islice(sections(), count))


def code_tokens(lines: int) -> list[str]:
    """One fenced code block of ``lines`` lines, about four tokens per line."""
    body = [f"    value_{i} = compute({i}, step={i % 7})  # line {i}\n" for i in range(lines)]
    return ["```python\n", *(tok for line in body for tok in tokenize(line)), "```\n"]


REWORDED = "A different answer, worded another way.\n"


def reply_tokens(scenario: Scenario, prompt: str, attempt: int = 1) -> list[str]:
    """The answer text of a scenario, as the tokens it is streamed in; ``attempt`` counts requests."""
    name = scenario.name
    if name == "fast":
        count = max(1, scenario.int_arg(0, 2000))
        return [*prose_tokens(count - 1), end_token(count)]
    if name == "code":
        lines = scenario.int_arg(0, 4000)
        return [*code_tokens(lines), end_token(lines)]
    if name == "pace":
        count = max(1, scenario.int_arg(0, 400))
        return [*prose_tokens(count - 1), end_token(count)]
    if name == "slow":
        return prose_tokens(scenario.int_arg(0, 40))
    if name == "echo":
        return tokenize(prompt) or ["(empty)"]
    if name == "markup":
        return tokenize(MARKUP_REPLY)
    if name == "reword":
        return tokenize(REWORDED if attempt > 1 else "A first try at an answer that will be cut off soon.")
    if name in FAULT_SCENARIOS:
        return prose_tokens(max(scenario.int_arg(0, 20) * 2, 40))
    if name == "empty":
        return []
    short = " ".join(prompt.split())[:200].replace("*", "")
    return tokenize(NORMAL_REPLY.format(prompt=short or "(nothing)"))


def token_delay(scenario: Scenario) -> float:
    """Seconds between two tokens."""
    if scenario.name == "slow":
        return scenario.arg(1, 100) / 1000
    if scenario.name == "pace":
        return scenario.arg(1, 20) / 1000
    if scenario.name in ("normal", "reasoning", "echo"):
        return 0.004
    if scenario.name in FAULT_SCENARIOS:
        return 0.001
    return 0.0
