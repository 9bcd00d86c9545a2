"""Shared fixtures of the Python package's tests (run by python/tests/run.sh)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
CORPUS_RULES = SHARED / "corpus" / "sigmahq" / "rules"


@pytest.fixture
def repo() -> Path:
    return REPO


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def rule_text(title: str = "Test", detection: str = "    sel:\n        fieldA: valueA\n    condition: sel\n",
              logsource: str = "    category: test_category\n    product: test_product\n", extra: str = "") -> str:
    return f"title: {title}\nstatus: test\nlogsource:\n{logsource}detection:\n{detection}{extra}"


def sigma_cli() -> str:
    """The sigma command of the test environment running these tests."""
    import sys

    return os.path.join(os.path.dirname(sys.executable), "sigma")
