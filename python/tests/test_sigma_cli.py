"""The command lines of the Python reference's README with sigma-cli from PyPI and this package's
backend (`sigma convert -t libsigma`). sigma-cli 3.x needs pySigma 1.x: run.sh runs this file in
the pySigma 1.x environment only."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import libsigma

from conftest import CLOUDTRAIL, LAKE_PIPELINE, LAKE_QUERY, rule_text, sigma_cli, write


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sigma_cli(), *args], capture_output=True, text=True, cwd=cwd)


def rules_dir(tmp_path: Path) -> Path:
    d = tmp_path / "rules" / "cloud" / "aws" / "cloudtrail"
    write(d / "a_login.yml", CLOUDTRAIL)
    write(d / "b_quote.yml", rule_text("Quote", "    sel:\n        http_request.user_agent|contains: \"it's\"\n    condition: sel\n",
                                        "    product: aws\n    service: cloudtrail\n"))
    return d


def test_cli_lists_the_target_and_pipeline() -> None:
    out = cli("list", "targets")
    assert out.returncode == 0 and re.search(r"\| libsigma +\| libsigma: Athena", out.stdout)
    out = cli("list", "pipelines", "libsigma")
    assert out.returncode == 0 and "athena_security_lake_table_name" in out.stdout


def test_cli_convert_directory(tmp_path: Path) -> None:
    d = rules_dir(tmp_path)
    out = cli("convert", "-t", "libsigma", str(d))
    assert out.returncode == 0, out.stderr
    # the queries of libsigma.convert_paths, in the order pySigma sorts the collection
    assert sorted(out.stdout.rstrip("\n").split("\n\n")) == sorted(libsigma.convert_paths(d).queries)
    assert "LIKE '%it''s%'" in out.stdout


def test_cli_security_lake_pipeline_by_name(tmp_path: Path) -> None:
    d = rules_dir(tmp_path)
    out = cli("convert", "-t", "libsigma", "-O", "aws_table_region=eu-west-2", "-p", "athena_security_lake_table_name", str(d))
    assert out.returncode == 0, out.stderr
    assert LAKE_QUERY in out.stdout.rstrip("\n").split("\n\n")


def test_cli_pipeline_file(tmp_path: Path) -> None:
    d = rules_dir(tmp_path)
    p = write(tmp_path / "security_lake.yml", LAKE_PIPELINE)
    out = cli("convert", "-t", "libsigma", "-p", str(p), str(d / "a_login.yml"))
    assert (out.returncode, out.stdout) == (0, LAKE_QUERY + "\n"), out.stderr


def test_cli_errors(tmp_path: Path) -> None:
    d = rules_dir(tmp_path)
    write(d / "c_keywords.yml", rule_text("Keywords", "    keywords: [evil]\n    condition: keywords\n"))
    out = cli("convert", "-t", "libsigma", str(d))
    assert out.returncode == 1 and "keyword_fields" in out.stderr and out.stdout == ""
    out = cli("convert", "-t", "libsigma", "-s", str(d))
    assert out.returncode == 0 and out.stdout.count("SELECT") == 2
    assert "Ignored errors" in out.stderr and "c_keywords.yml" in out.stderr
    out = cli("convert", "-t", "libsigma", "-O", "table=not valid", str(d))
    assert out.returncode == 1 and "invalid table name 'not valid'" in out.stderr
    out = cli("convert", "-t", "libsigma", "-p", "athena_security_lake_table_name", str(d / "a_login.yml"))
    assert out.returncode == 1 and "aws_table_region" in out.stderr


def test_cli_security_lake_mapping_by_name(tmp_path: Path) -> None:
    rule = write(tmp_path / "raw_login.yml", rule_text("Raw login", "    sel:\n        eventName: ConsoleLogin\n    condition: sel\n",
                                                        "    product: aws\n    service: cloudtrail\n"))
    out = cli("convert", "-t", "libsigma", "-O", "aws_table_region=eu-west-2", "-p", "athena_security_lake", str(rule))
    assert (out.returncode, out.stdout) == (0, "SELECT * FROM amazon_security_lake_table_eu_west_2_cloud_trail_mgmt_2_0 "
                                               "WHERE LOWER(api.operation) = 'consolelogin'\n"), out.stderr
