"""The README's Python section, run as written: a fresh virtual environment, `pip install ./python`
(an isolated build, as on a new machine), and the one-liner, whose output must be the line the
README shows under it."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

from conftest import REPO


def python_section() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "the Python section has a sh block"
    return block.group(1).splitlines()


def test_readme_install_and_one_liner(tmp_path: Path) -> None:
    install, one_liner, shown = python_section()
    assert install == "sh tools/setup.sh && python3 -m venv venv && venv/bin/pip install ./python"
    assert one_liner.startswith('venv/bin/python -c "') and shown.startswith("# ")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    out = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", "./python"],
                         cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    args = shlex.split(one_liner)
    args[0] = str(venv / "bin" / "python")
    run = subprocess.run(args, cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout == shown[2:] + "\n"
