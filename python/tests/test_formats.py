"""Rule metadata on results and the output formats of the C library (sigma_render) through the
package: Result.level ... attack_tactics, and output_format / per_rule filling Results.files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import libsigma

from conftest import REPO, write

RULE = """title: Encoded PowerShell
id: 5013332f-8a70-4e04-bcc1-06a98a2cca2e
status: test
level: high
description: "it's \\"quoted\\" ${x}"
author: A. Author
date: 2024-05-01
modified: 2024/06/02
references: [https://example.com/a]
falsepositives: [Admins, 42]
tags: [attack.execution, attack.t1059.001, attack.defense-impairment, attack.t1059.001, cve.2021-1]
logsource: {category: process_creation, product: windows}
detection:
    sel:
        CommandLine|contains: ' -enc '
    condition: sel
"""


def test_result_metadata() -> None:
    (r,) = libsigma.convert(RULE)
    assert (r.level, r.status, r.author, r.date, r.modified) == ("high", "test", "A. Author", "2024-05-01", "2024/06/02")
    assert r.description == 'it\'s "quoted" ${x}'
    assert r.tags == ["attack.execution", "attack.t1059.001", "attack.defense-impairment", "attack.t1059.001", "cve.2021-1"]
    assert r.references == ["https://example.com/a"] and r.falsepositives == ["Admins", "42"]
    assert r.logsource == libsigma.LogSource("process_creation", "windows", None, None)
    assert r.attack_techniques == ["T1059.001"]
    assert r.attack_tactics == [libsigma.AttackTactic("TA0002", "Execution"),
                                libsigma.AttackTactic("TA0112", "Defense Impairment")]


def test_metadata_of_a_failed_rule_and_of_a_correlation() -> None:
    bad = RULE.replace("    condition: sel", "    condition: nothere")
    (r,) = libsigma.convert(bad)
    assert not r.ok and r.level == "high" and r.attack_techniques == ["T1059.001"]
    corr = (RULE.replace("status: test", "name: base\nstatus: test") + "---\ntitle: Many\nlevel: critical\n"
            "correlation: {type: event_count, rules: [base], group-by: [h], timespan: 5m, condition: {gte: 3}}\n")
    base, c = libsigma.convert(corr)
    assert c.type == "correlation" and c.level == "critical" and c.logsource is None and c.tags == []


def test_metadata_is_what_json_prints(tmp_path: Path) -> None:
    path = write(tmp_path / "r.yml", RULE)
    results = libsigma.convert_paths(path, output_format="json")
    assert results.files is not None
    (obj,) = json.loads(results.files[0].text)
    r = results[0]
    assert obj["level"] == r.level and obj["tags"] == r.tags and obj["attack"]["techniques"] == r.attack_techniques
    assert obj["attack"]["tactics"] == [{"id": t.id, "name": t.name} for t in r.attack_tactics]
    assert obj["logsource"]["category"] == "process_creation"


def test_output_formats_whole_and_per_rule(tmp_path: Path) -> None:
    write(tmp_path / "a" / "x.yml", RULE)
    write(tmp_path / "b" / "x.yml", RULE.replace("Encoded", "Other"))
    results = libsigma.convert_paths(tmp_path, output_format="terraform", options={"athena_database": "sec"})
    assert results.files is not None and len(results.files) == 1 and results.files[0].name is None
    text = results.files[0].text
    assert text.count('resource "aws_athena_named_query"') == 2 and '"x_2"' in text
    assert '\\u0024{x}' in text  # never an interpolation
    per = libsigma.convert_paths(tmp_path, output_format="views", per_rule=True)
    assert [f.name for f in per.files or []] == ["x.sql", "x_2.sql"]
    assert (per.files or [])[1].text.startswith("CREATE OR REPLACE VIEW sigma_x_2 AS SELECT")
    assert libsigma.convert(RULE).files is None


def test_output_format_errors() -> None:
    with pytest.raises(libsigma.UsageError, match="athena_database"):
        libsigma.convert(RULE, output_format="cloudformation")
    with pytest.raises(libsigma.UsageError, match="unknown output format 'xml'"):
        libsigma.convert(RULE, output_format="xml")
    with pytest.raises(libsigma.UsageError, match="athena_workgroup"):
        libsigma.convert(RULE, output_format="cloudformation", options={"athena_database": "d", "athena_workgroup": "a b"})
    with pytest.raises(TypeError):
        libsigma.convert(RULE, output_format=3)  # type: ignore[arg-type]


def test_the_command_and_the_package_write_the_same(tmp_path: Path) -> None:
    import subprocess

    path = write(tmp_path / "r.yml", RULE)
    sigma = REPO / "build" / "sigma"  # built by make before tests/all.sh runs these tests
    assert sigma.exists(), "build/sigma: run make first"
    for fmt in ("default", "json", "jsonl", "cloudformation", "terraform", "views"):
        cli = subprocess.run([str(sigma), "convert", "-f", fmt, "-O", "athena_database=db", str(path)],
                             capture_output=True, text=True, check=True).stdout
        files = libsigma.convert_paths(path, output_format=fmt, options={"athena_database": "db"}).files
        assert files is not None and files[0].text == cli, fmt
