"""The usage shown in the Python reference's README (pySigma-backend-athena 0.2.0), run with this
package's backend in place of athenaBackend, from Python (test_sigma_cli.py runs the README's
command lines with sigma-cli)."""

from __future__ import annotations

import re
from pathlib import Path

from sigma.collection import SigmaCollection
from sigma.processing.pipeline import ProcessingPipeline

from libsigma.pysigma import LibsigmaBackend, builtin_pipeline

from conftest import CLOUDTRAIL, LAKE_PIPELINE, LAKE_QUERY, write

CORRELATION = """title: Windows Failed Logon
id: dc9f1a2e-7d3b-4f1c-b8f4-1e23eadf4567
status: stable
logsource:
  product: windows
  service: security
detection:
  selection:
    EventID: 4625
  condition: selection
---
title: Possible Brute-Force Attack via Repeated Logon Failures
id: e8b2c3d4-5f6a-7b8c-9d0e-f1a2b3c4d5e6
status: stable
description: Detects more than 5 failed Windows logon attempts from the same source IP within 10 minutes.
correlation:
  type: event_count
  rules:
    - dc9f1a2e-7d3b-4f1c-b8f4-1e23eadf4567
  group-by:
    - SourceIp
  timespan: 10m
  condition:
    gte: 5
"""
# the README's result, which it prints over several lines
CORRELATION_SQL = """WITH combined_events AS (
    SELECT *
    FROM <TABLE>
    WHERE EventID = 4625
),
event_counts AS (
    SELECT *,
           COUNT(*) OVER (
               PARTITION BY SourceIp
               ORDER BY time
               RANGE BETWEEN INTERVAL '600' SECOND PRECEDING AND CURRENT ROW
           ) AS correlation_event_count
    FROM combined_events
)
SELECT *
FROM event_counts
WHERE correlation_event_count >= 5;"""


def one_line(sql: str) -> str:
    sql = re.sub(r"\s+", " ", sql.strip().rstrip(";"))
    return sql.replace("( ", "(").replace(" )", ")")


def test_from_python() -> None:
    backend = LibsigmaBackend()
    collection = SigmaCollection.from_yaml(CLOUDTRAIL)
    queries = backend.convert(collection)
    assert queries == ["SELECT * FROM <TABLE> WHERE LOWER(api.operation) = 'consolelogin'"]


def test_set_table_name() -> None:
    backend = LibsigmaBackend(table="events")
    assert backend.convert(SigmaCollection.from_yaml(CLOUDTRAIL)) == [
        "SELECT * FROM events WHERE LOWER(api.operation) = 'consolelogin'"]


def test_table_name_from_a_pipeline() -> None:
    pipeline = ProcessingPipeline.from_yaml(LAKE_PIPELINE)
    assert LibsigmaBackend(processing_pipeline=pipeline).convert(SigmaCollection.from_yaml(CLOUDTRAIL)) == [LAKE_QUERY]


def test_security_lake_helper(tmp_path: Path) -> None:
    write(tmp_path / "rules" / "cloudtrail.yml", CLOUDTRAIL)
    pipeline = builtin_pipeline("athena_security_lake_table_name")
    backend = LibsigmaBackend(aws_table_region="eu-west-2", processing_pipeline=pipeline)
    rules = SigmaCollection.load_ruleset([str(tmp_path / "rules")])
    assert backend.convert(rules) == [LAKE_QUERY]


def test_select_column_names() -> None:
    rule = CLOUDTRAIL + "fields:\n  - uid\n  - time_dt\n  - process.command_line as command_line\n"
    (q,) = LibsigmaBackend().convert(SigmaCollection.from_yaml(rule))
    assert q.startswith("SELECT uid, time_dt, process.command_line as command_line FROM ")


def test_event_count_correlation() -> None:
    (q,) = LibsigmaBackend().convert(SigmaCollection.from_yaml(CORRELATION))
    assert q.replace(" as correlation_event_count", " AS correlation_event_count") == one_line(CORRELATION_SQL)


def test_time_field() -> None:
    (q,) = LibsigmaBackend(time_field="time_dt").convert(SigmaCollection.from_yaml(CORRELATION))
    assert "ORDER BY time_dt RANGE BETWEEN INTERVAL '600' SECOND PRECEDING" in q
