"""What the benchmarks say: console lines, verdicts, the machine they ran on, and
docs/benchmarks.md, where each benchmark owns a section."""

import os
import platform
import re
import sys
import textwrap
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DOCS = BASE_DIR / "docs" / "benchmarks.md"
DOCS_HEADER = """# Benchmarks

Measured numbers, rewritten by the benchmark that produced them. Each benchmark owns
the text between its `<!-- bench:NAME:start -->` and `<!-- bench:NAME:end -->`
markers and rewrites only that on a full run; everything outside the markers is
left alone, so write notes there.

"""


def say(text: str = "", end: str = "\n") -> None:
    # Flushed at once: progress lines end in "\r" and the runs take minutes.
    sys.stdout.write(text + end)
    sys.stdout.flush()


def verdict(ok: bool) -> str:
    # MISS, not FAIL: a missed target is a finding, the run itself succeeded.
    return "PASS" if ok else "MISS"


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


def last_run_note(postgres_version: str) -> str:
    """When and on what a benchmark ran, the opening paragraph of its section."""
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    box = machine()
    return (
        f"Last run {started} on {box['CPUs (nproc)']} CPUs ({box['CPU']}), {box['memory']}, "
        f"Python {box['Python']}, PostgreSQL {postgres_version} on the same machine.\n\n"
    )


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def reflow(markdown: str, width: int = 88) -> str:
    """Rewrap the prose paragraphs of `markdown`; headings and tables stay as they are."""
    blocks = []
    for block in markdown.strip().split("\n\n"):
        if block.startswith(("#", "|", "    ", "```", "<!--")):
            blocks.append(block)
        else:
            # Never after a hyphen: markdown joins the lines with a space ("auto- approvable").
            blocks.append(
                textwrap.fill(" ".join(block.split()), width=width, break_on_hyphens=False)
            )
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
    # Written aside and renamed: an interrupted run never leaves half a file.
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def publish(section: str, markdown: str, *, skipped_because: str | None) -> None:
    """Rewrite `section` of docs/benchmarks.md, or say why this run leaves it alone."""
    if skipped_because:
        say(f"\n  docs/benchmarks.md not updated ({skipped_because}; --docs writes it)")
        return
    write_section(DOCS, section, markdown)
    say(f"\n  wrote {DOCS.relative_to(BASE_DIR)}")
