"""The machine a benchmark ran on, and docs/benchmarks.md, where each benchmark owns a section."""

import os
import platform
import re
import textwrap
from pathlib import Path

DOCS_HEADER = """# Benchmarks

Measured numbers, rewritten by the benchmark that produced them. Each benchmark owns
the text between its `<!-- bench:NAME:start -->` and `<!-- bench:NAME:end -->`
markers and rewrites only that on a full run; everything outside the markers is
left alone, so write notes there.

"""


def machine() -> dict[str, str]:
    info = {"CPUs (nproc)": str(len(os.sched_getaffinity(0)))}
    try:
        with open("/proc/meminfo") as f:
            kib = int(re.search(r"MemTotal:\s+(\d+)", f.read()).group(1))
        info["memory"] = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        info["memory"] = "unknown"
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    info["CPU"] = model
    info["kernel"] = platform.release()
    info["Python"] = platform.python_version()
    return info


def reflow(markdown: str, width: int = 88) -> str:
    """Rewrap the prose paragraphs of `markdown`; headings and tables stay as they are."""
    blocks = []
    for block in markdown.strip().split("\n\n"):
        if block.startswith(("#", "|", "    ", "```", "<!--")):
            blocks.append(block)
        else:
            blocks.append(textwrap.fill(" ".join(block.split()), width=width))
    return "\n\n".join(blocks)


def write_section(path: Path, name: str, body: str) -> None:
    """Replace this benchmark's section in `path` (creating the file or section if needed)."""
    start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
    section = f"{start}\n{reflow(body)}\n{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else DOCS_HEADER
    if start in text and end in text and text.index(start) < text.index(end):
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1]
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
