"""The baseline: the plain openai SDK streaming an answer and printing it as it comes.

Run in the same tmux pane as the app; it waits for Enter, like the app, before it sends the request.
"""

from __future__ import annotations

import asyncio
import sys

from openai import AsyncOpenAI


async def main(base_url: str, model: str, api: str) -> None:
    client = AsyncOpenAI(base_url=base_url, api_key="benchmark", max_retries=0)
    sys.stdin.readline()
    if api == "responses":
        events = await client.responses.create(model=model, input=[{"role": "user", "content": "go"}], stream=True)
        async with events:
            async for event in events:
                if event.type == "response.output_text.delta":
                    sys.stdout.write(event.delta)
                    sys.stdout.flush()
    else:
        stream = await client.chat.completions.create(
            model=model,
            messages=[{"role": "user", "content": "go"}],
            stream=True,
            stream_options={"include_usage": True},
        )
        async with stream:
            async for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    sys.stdout.write(chunk.choices[0].delta.content)
                    sys.stdout.flush()
    await client.close()
    await asyncio.sleep(3600)  # stay on screen until the benchmark ends the pane


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "chat"))
