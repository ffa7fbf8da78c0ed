"""``make bench``: every figure as a ratio against a baseline measured in the same run.

Options: ``--runs N`` (default 3), ``--quick`` (smaller answers, one run), ``--only NAME[,NAME]`` from
stream, responses, typing, startup, history, engine. Nothing here passes or fails: targets are printed beside ratios.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics

from tui_chat.sim.scenarios import Scenario, reply_tokens

from . import engine, screen
from .harness import SimProcess, commit, machine

ALL = ("engine", "startup", "history", "typing", "stream", "responses")
STARTUP_LAUNCHES = 9
"""At least this many launches for the startup median (and half as many for --resume): a launch takes under a
second, and with 3 the ratio moved by ±0.04x from run to run."""


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default=",".join(ALL))
    args = parser.parse_args()
    chosen = [name.strip() for name in args.only.split(",")]
    runs = 1 if args.quick else args.runs
    rows: list[tuple[str, str, str, str]] = []

    print(f"# tui-chat benchmarks, {dt.date.today()}, commit {commit()}")
    print(f"# {machine()}; terminal {screen.TERMINAL[0]}x{screen.TERMINAL[1]}; medians of {runs} run(s)")
    with SimProcess() as sim:
        if "engine" in chosen:
            tokens = 8000 if args.quick else 32000
            result = engine.measure(sim.base_url, f"fast-{tokens}", max(runs, 3))
            raw = statistics.median(w for w, _ in result["raw"])
            ours = statistics.median(w for w, _ in result["engine"])
            raw_cpu = statistics.median(c for _, c in result["raw"])
            ours_cpu = statistics.median(c for _, c in result["engine"])
            rows.append((f"engine alone, {tokens} tokens", f"raw SDK loop {raw:.2f}s", f"engine {ours:.2f}s",
                         f"{ours / raw:.2f}x (target ≤ 1.1x); CPU {ours_cpu / raw_cpu:.2f}x"))
        if "startup" in chosen:
            launches = max(runs, STARTUP_LAUNCHES)
            pairs = [screen.startup(sim.base_url) for _ in range(launches)]
            base = statistics.median(p[0] for p in pairs)
            ours = statistics.median(p[1] for p in pairs)
            rows.append((f"startup to usable screen ({launches} launches)", f"minimal Textual app {base:.2f}s",
                         f"tui-chat {ours:.2f}s", f"{ours / base:.2f}x (target ≤ 1.3x)"))
        if "history" in chosen:
            count = 2000 if args.quick else 10_000
            launches = max(runs, STARTUP_LAUNCHES // 2)
            results = [screen.long_history(sim.base_url, count) for _ in range(launches)]
            empty_t = statistics.median(r["empty"][0] for r in results)
            long_t = statistics.median(r["long"][0] for r in results)
            empty_m = statistics.median(r["empty"][1] for r in results)
            long_m = statistics.median(r["long"][1] for r in results)
            rows.append((f"--resume {count} messages ({launches} launches)", f"empty {empty_t:.2f}s, {empty_m:.0f} MB",
                         f"long {long_t:.2f}s, {long_m:.0f} MB",
                         f"{long_t / empty_t:.2f}x (target ≤ 1.5x); +{long_m - empty_m:.0f} MB (target ≤ 150)"))
        if "typing" in chosen:
            idle, streaming = screen.typing_latency(sim.base_url, "fast-32000")
            i50, i95 = screen.summary(idle)
            s50, s95 = screen.summary(streaming)
            rows.append(("keystroke → screen", f"idle p50 {i50 * 1000:.0f} ms, p95 {i95 * 1000:.0f} ms",
                         f"streaming p50 {s50 * 1000:.0f} ms, p95 {s95 * 1000:.0f} ms",
                         f"p95 {s95 * 1000:.0f} ms (target ≤ 50 ms); {s95 / i95:.2f}x idle"))
        if "stream" in chosen:
            sizes = [("fast-2000", 2000), ("fast-8000", 8000)] if args.quick else [
                ("fast-2000", 2000), ("fast-8000", 8000), ("fast-32000", 32000), ("code-4000", 4000)]
            own: dict[str, float] = {}
            for model, marker in sizes:
                pairs = [screen.stream_to_screen(sim.base_url, model, marker) for _ in range(runs)]
                base = statistics.median(b.seconds for b, _ in pairs)
                ours = statistics.median(a.seconds for _, a in pairs)
                base_cpu = statistics.median(b.cpu for b, _ in pairs)
                ours_cpu = statistics.median(a.cpu for _, a in pairs)
                own[model] = ours
                note = {"fast-8000": " (target ≤ 1.3x)"}.get(model, "")
                rows.append((f"stream to screen, {model}", f"SDK print {base:.2f}s, CPU {base_cpu:.2f}s",
                             f"app {ours:.2f}s, CPU {ours_cpu:.2f}s",
                             f"{ours / base:.2f}x{note}; CPU {ours_cpu / base_cpu:.2f}x (target ≤ 3x)"))
            if "fast-32000" in own and "fast-8000" in own:
                rows.append(("stream scaling", "app, 8000 tokens", "app, 32000 tokens",
                             f"{own['fast-32000'] / own['fast-8000']:.2f}x (target ≤ 4.4x)"))
            code_tokens = len(reply_tokens(Scenario("code", (4000,)), ""))
            if "code-4000" in own:
                prose = [screen.stream_to_screen(sim.base_url, f"fast-{code_tokens}", code_tokens)[1].seconds
                         for _ in range(runs)]
                rows.append(("4000-line code block", f"app, {code_tokens} tokens of prose {statistics.median(prose):.2f}s",
                             f"app, code block {own['code-4000']:.2f}s",
                             f"{own['code-4000'] / statistics.median(prose):.2f}x (target ≤ 2x)"))

        if "responses" in chosen:
            pairs = [screen.stream_to_screen(sim.base_url, "fast-8000", 8000, api="responses") for _ in range(runs)]
            base = statistics.median(b.seconds for b, _ in pairs)
            ours = statistics.median(a.seconds for _, a in pairs)
            base_cpu = statistics.median(b.cpu for b, _ in pairs)
            ours_cpu = statistics.median(a.cpu for _, a in pairs)
            rows.append(("stream to screen, fast-8000, Responses API", f"SDK print {base:.2f}s, CPU {base_cpu:.2f}s",
                         f"app {ours:.2f}s, CPU {ours_cpu:.2f}s",
                         f"{ours / base:.2f}x (target ≤ 1.15x); CPU {ours_cpu / base_cpu:.2f}x"))

    widths = [max(len(r[i]) for r in rows + [HEADER]) for i in range(4)]
    for row in [HEADER, tuple("-" * w for w in widths), *rows]:
        print("| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths)) + " |")


HEADER = ("measure", "baseline", "tui-chat", "ratio")

if __name__ == "__main__":
    main()
