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


# A CloudTrail rule with the OCSF field name of the Security Lake table's built-in schema (a raw
# CloudTrail name is an unknown field there), the README's table-name pipeline for Security Lake, and
# the query the two give.
CLOUDTRAIL = rule_text(
    "Console login", "    sel:\n        api.operation: ConsoleLogin\n    condition: sel\n",
    "    product: aws\n    service: cloudtrail\n")
LAKE_PIPELINE = """name: AWS Security Lake Table Mapping
priority: 100

vars:
  region: eu_west_2

transformations:
  - id: cloudtrail_mgmt_table
    type: set_state
    key: table_name
    val: "amazon_security_lake_table_{region}_cloud_trail_mgmt_2_0"
    rule_conditions:
      - type: logsource
        product: aws
        service: cloudtrail
"""
LAKE_QUERY = "SELECT * FROM amazon_security_lake_table_eu_west_2_cloud_trail_mgmt_2_0 WHERE LOWER(api.operation) = 'consolelogin'"


def sigma_cli() -> str:
    """The sigma command of the test environment running these tests."""
    import sys

    return os.path.join(os.path.dirname(sys.executable), "sigma")
