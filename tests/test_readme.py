"""Every code block of README.md is run as a reader would run it, so the README cannot rot.

How a block is taken, by its fence's language and the `<!-- readme-test: ... -->` comments
just above it (visible in the README's source):
- a block whose first line is `# NAME.py` / `# NAME.yaml` (a file name) is written to that file;
- `sh`: run with bash; `background`: a server left running until the end of its section,
  ready once it prints `mockgem listening on`; `expect: TEXT`: its output must contain TEXT;
- `python`: run with the `python` on PATH; `yaml`: a rules document or a cassette, loaded and checked;
- `skip: WHY`: not run (output samples, a real API key); any other block must be runnable;
- `install-pip`, `install-clone`: run only by the install tests, in a fresh venv, with the
  repository URL pointed at this checkout; the Quickstart section then runs in that venv.
Each `##` or `###` section runs in an empty directory of its own, with the test venv's `python`,
`mockgem` and `pytest` first on PATH and no API key in the environment. Ports 8080 to 8089 are
replaced by free ports (other servers may hold them), and a `mockgem serve` without `--port`
gets the free port that stands for 8080.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import venv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from mockgem.sources.rules import load_rules

from mockgem.faults import parse_faults
from mockgem.sources.cassettes.formats import read_interactions
from mockgem.sources.rules import RuleSource

ROOT = Path(__file__).parent.parent
README = ROOT / "README.md"
REPOSITORY_URL = "https://github.com/mockgem/mockgem"
RUNNABLE = {"sh", "bash", "python", "yaml"}
_DIRECTIVE = re.compile(r"^\s*<!--\s*readme-test:\s*(.*?)\s*-->\s*$")
_FILE_LINE = re.compile(r"^#\s+([\w./-]+\.(?:py|yaml|yml|ini|toml|json))\s*$")
_SECRETS = ("GEMINI_API_KEY", "GOOGLE_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL", "GOOGLE_GEMINI_BASE_URL", "GOOGLE_VERTEX_BASE_URL")


@dataclass
class Block:
    section: str
    language: str
    code: str
    line: int
    directives: list[str] = field(default_factory=list)

    def has(self, name: str) -> bool:
        return any(directive == name or directive.startswith(name + ":") for directive in self.directives)

    def value(self, name: str) -> str:
        return next(directive.partition(":")[2].strip() for directive in self.directives if directive.startswith(name + ":"))

    @property
    def file_name(self) -> str | None:
        found = _FILE_LINE.match(self.code.splitlines()[0]) if self.code.strip() else None
        return found[1] if found else None

    @property
    def where(self) -> str:
        return f"README.md:{self.line} ({self.section})"


def parse_readme(text: str) -> list[Block]:
    """The fenced blocks, each with its `##` section and the directives just above it."""
    blocks: list[Block] = []
    lines = text.splitlines()
    section, directives, index = "", [], 0
    while index < len(lines):
        line = lines[index]
        fence = line.lstrip()
        if fence.startswith("```"):
            indent = len(line) - len(fence)
            end = next(number for number in range(index + 1, len(lines)) if lines[number].strip() == "```")
            code = "\n".join(body[indent:] for body in lines[index + 1 : end]) + "\n"
            blocks.append(Block(section, fence[3:].strip(), code, index + 1, directives))
            directives, index = [], end + 1
            continue
        if line.startswith(("## ", "### ")):
            section = line.lstrip("#").strip()
        found = _DIRECTIVE.match(line)
        if found:
            directives = [*directives, *(part.strip() for part in found[1].split(";"))]
        elif line.strip():
            directives = []
        index += 1
    return blocks


BLOCKS = parse_readme(README.read_text(encoding="utf-8"))
INSTALLS = {"pip": "install-pip", "clone": "install-clone"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Section:
    """One section's blocks run in order in `directory`, its servers stopped at the end."""

    def __init__(self, directory: Path, path: str, replacements: dict[str, str] | None = None) -> None:
        self.directory = directory
        self.env = {name: value for name, value in os.environ.items() if name not in _SECRETS} | {"PATH": path, "PYTHONDONTWRITEBYTECODE": "1"}
        self.env.pop("VIRTUAL_ENV", None)
        self.ports = {str(port): str(free_port()) for port in range(8080, 8090)}
        self.replacements = replacements or {}
        self.servers: list[subprocess.Popen[str]] = []

    def prepared(self, code: str) -> str:
        for old, new in self.replacements.items():
            code = code.replace(old, new)
        code = re.sub(r"mockgem serve(?![^\n]*--port)", f"mockgem serve --port {self.ports['8080']}", code)
        return re.sub(r"\b(80[89]\d)\b", lambda found: self.ports.get(found[1], found[1]), code)

    def run(self, block: Block) -> None:
        code = self.prepared(block.code)
        if block.file_name:
            target = self.directory / block.file_name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(code)
        elif block.language in {"sh", "bash"}:
            self.serve(block, code) if block.has("background") else self.shell(block, code)
        elif block.language == "python":
            python = shutil.which("python", path=self.env["PATH"]) or sys.executable
            self.check(block, subprocess.run([python, "-c", code], cwd=self.directory, env=self.env, capture_output=True, text=True, timeout=300))
        elif block.language == "yaml":
            check_yaml(block, code)

    def shell(self, block: Block, code: str) -> None:
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", code], cwd=self.directory, env=self.env, capture_output=True, text=True, timeout=600)
        self.check(block, done)

    def check(self, block: Block, done: subprocess.CompletedProcess[str]) -> None:
        output = done.stdout + done.stderr
        assert done.returncode == 0, f"{block.where} failed (exit {done.returncode}):\n{block.code}\n{output}"
        if block.has("expect"):
            assert block.value("expect") in output, f"{block.where}: expected {block.value('expect')!r} in:\n{output}"

    def serve(self, block: Block, code: str) -> None:
        server = subprocess.Popen(["bash", "-c", code], cwd=self.directory, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True, start_new_session=True)
        self.servers.append(server)
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [lines.put(line) for line in server.stdout or []] and lines.put(""), daemon=True).start()
        seen = []
        while True:
            try:
                line = lines.get(timeout=300)
            except queue.Empty:
                pytest.fail(f"{block.where}: no `mockgem listening on` line:\n{''.join(seen)}")
            seen.append(line)
            if line.startswith("mockgem listening on"):
                return
            if not line and server.poll() is not None:
                pytest.fail(f"{block.where}: the server stopped:\n{''.join(seen)}")

    def close(self) -> None:
        for server in self.servers:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)


def check_yaml(block: Block, code: str) -> None:
    document = yaml.safe_load(code)
    if isinstance(document, dict) and "interactions" in document:
        read_interactions(code.encode())
    else:
        assert isinstance(document, dict) and {"rules", "default", "live"} & set(document), f"{block.where}: a yaml block must be rules or a cassette"
        load_rules(document)  # a mistake in it is a ConfigError that names the rule
        RuleSource([document], check_faults=parse_faults)


@pytest.fixture
def section_runner(tmp_path: Path) -> Iterator[list[Section]]:
    opened: list[Section] = []
    yield opened
    for section in opened:
        section.close()


def run_section(runner: list[Section], name: str, directory: Path, path: str, replacements: dict[str, str] | None = None,
                first: list[Block] | None = None) -> None:
    section = Section(directory, path, replacements)
    runner.append(section)
    for block in [*(first or []), *(block for block in BLOCKS if block.section == name and not _is_install(block))]:
        if not block.has("skip"):
            section.run(block)


def _is_install(block: Block) -> bool:
    return any(block.has(directive) for directive in INSTALLS.values())


def test_readme_blocks_each_run_or_say_why_not() -> None:
    for block in BLOCKS:
        if block.has("skip"):
            assert len(block.value("skip")) >= 10, f"{block.where}: a skipped block says why, in a few words"
        else:
            assert block.language in RUNNABLE or block.file_name, f"{block.where}: a ```{block.language} block runs, or says <!-- readme-test: skip: why -->"


def test_readme_table_of_contents_links_every_section() -> None:
    text = README.read_text(encoding="utf-8")
    headings = [line[3:].strip() for line in text.splitlines() if line.startswith("## ") and line[3:].strip() != "Contents"]
    anchors = re.findall(r"^\s*- \[[^\]]+\]\(#([^)]+)\)", text, re.M)
    expected = [re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings]
    assert [anchor for anchor in anchors if anchor in expected] == expected, "the Contents list every ## section, in order"


SECTIONS = sorted({block.section for block in BLOCKS if not block.has("skip") and not _is_install(block)}, key=[b.section for b in BLOCKS].index)


@pytest.mark.timeout(900)
@pytest.mark.parametrize("name", SECTIONS)
def test_readme_section_runs_as_written(name: str, tmp_path: Path, section_runner: list[Section]) -> None:
    run_section(section_runner, name, tmp_path, f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")


@pytest.mark.timeout(900)
@pytest.mark.parametrize("how", sorted(INSTALLS))
def test_readme_install_then_quickstart_reach_a_replayed_answer(how: str, tmp_path: Path, section_runner: list[Section]) -> None:
    """A fresh venv, the README's install commands (the repository URL is this checkout), then its Quickstart."""
    if shutil.which("git") is None:
        pytest.skip("git is needed to install from the repository")
    venv.create(tmp_path / "venv", with_pip=True)
    bin_dir = tmp_path / "venv" / ("Scripts" if os.name == "nt" else "bin")
    install = [block for block in BLOCKS if block.has(INSTALLS[how])]
    assert install, f"the README has no <!-- readme-test: {INSTALLS[how]} --> block"
    work = tmp_path / "work"
    work.mkdir()
    # The checkout under the name of the repository, so that `git clone URL && cd mockgem` works as written.
    (tmp_path / "origin").mkdir()
    (tmp_path / "origin" / "mockgem").symlink_to(ROOT.resolve())
    source = tmp_path / "origin" / "mockgem"
    replacements = {f"git+{REPOSITORY_URL}": f"git+file://{source}", REPOSITORY_URL: str(source)}
    run_section(section_runner, "Quickstart", work, f"{bin_dir}{os.pathsep}{os.environ['PATH']}", replacements, first=install)
