"""The fenced code blocks of an answer, from its raw text (not the rendered segments)."""

from __future__ import annotations

from dataclasses import dataclass

from .markdown_render import PARSER


@dataclass(frozen=True)
class CodeBlock:
    language: str
    code: str

    @property
    def label(self) -> str:
        first = next((line.strip() for line in self.code.splitlines() if line.strip()), "")
        lines = self.code.count("\n") or 1
        return f"{self.language or 'text'} · {lines} lines · {first[:50]}"


def code_blocks(markdown: str) -> list[CodeBlock]:
    return [
        CodeBlock(token.info.strip().split(" ")[0], token.content)
        for token in PARSER.parse(markdown)
        if token.type in ("fence", "code_block")
    ]
