"""The pySigma backend plugin: discovery, how rules and pipelines reach the C compiler, errors,
warnings, callbacks, finalizers."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
from sigma.collection import SigmaCollection
from sigma.exceptions import SigmaBackendError, SigmaConfigurationError, SigmaError
from sigma.plugins import InstalledSigmaPlugins
from sigma.processing.pipeline import ProcessingItem, ProcessingPipeline
from sigma.processing.resolver import ProcessingPipelineResolver
from sigma.processing.transformations import FieldMappingTransformation

import libsigma
from libsigma.pysigma import (
    LibsigmaBackend,
    LibsigmaConversionError,
    LibsigmaPipelineError,
    LibsigmaUsageError,
    LibsigmaWarning,
    builtin_pipeline,
)

from conftest import rule_text, write

LAKE_RULE = rule_text("CloudTrail", "    sel:\n        eventName: ConsoleLogin\n    condition: sel\n",
                      "    product: aws\n    service: cloudtrail\n")
LAKE_QUERY = "SELECT * FROM amazon_security_lake_table_eu_west_2_cloud_trail_mgmt_2_0 WHERE LOWER(eventName) = 'consolelogin'"
MAPPING = """name: mapping
priority: 10
transformations:
  - id: map_event
    type: field_name_mapping
    mapping:
      eventName: api.operation
"""


def test_plugin_discovery() -> None:
    plugins = InstalledSigmaPlugins.autodiscover()
    assert plugins.backends["libsigma"] is LibsigmaBackend
    pipeline = plugins.pipelines["athena_security_lake_table_name"]()
    assert isinstance(pipeline, ProcessingPipeline) and pipeline.priority == 20
    assert pipeline.allowed_backends == frozenset({"libsigma"})


def test_file_rules_are_converted_from_their_files(tmp_path: Path) -> None:
    text = (rule_text("One") + "---\n"
            + rule_text("Two", "    sel:\n        fieldB: 2\n    condition: sel\n") + "---\n"
            + rule_text("Broken", "    sel:\n        fieldC|re|cased: x\n    condition: sel\n"))
    path = write(tmp_path / "rules.yml", text)
    collection = SigmaCollection.load_ruleset([str(path)], collect_errors=True)
    b = LibsigmaBackend(collect_errors=True)
    assert b.convert(collection) == [
        "SELECT * FROM <TABLE> WHERE LOWER(fieldA) = 'valuea'", "SELECT * FROM <TABLE> WHERE fieldB = 2"]
    ((rule, error),) = b.errors
    assert rule.title == "Broken" and isinstance(error, LibsigmaConversionError)
    assert (error.line, error.column) == (28, 26)  # the real position in the file
    assert str(error) == f"modifier 'cased' is not applicable to a regular expression value 'x' in {path}:28:26"
    # a collection of part of a file converts that part
    two = [r for r in collection.rules if r.title == "Two"]
    assert LibsigmaBackend().convert(SigmaCollection(two)) == ["SELECT * FROM <TABLE> WHERE fieldB = 2"]
    assert two[0].get_conversion_result() == ["SELECT * FROM <TABLE> WHERE fieldB = 2"]


def test_an_error_raises_without_collect_errors() -> None:
    c = SigmaCollection.from_yaml(rule_text("Kw", "    keywords: [evil]\n    condition: keywords\n"))
    with pytest.raises(LibsigmaConversionError, match="keyword_fields") as e:
        LibsigmaBackend().convert(c)
    assert isinstance(e.value, SigmaError)
    assert LibsigmaBackend(keyword_fields="raw").convert(c) == [
        "SELECT * FROM <TABLE> WHERE (LOWER(raw) LIKE '%evil%' ESCAPE '\\')"]


def test_correlation_across_files(tmp_path: Path) -> None:
    write(tmp_path / "a_base.yml", rule_text("Base", extra="name: base\n"))
    write(tmp_path / "b_corr.yml", "title: Count\ncorrelation:\n  type: event_count\n  rules: [base]\n"
          "  group-by: [host]\n  timespan: 1h\n  condition: {gte: 3}\n")
    c = SigmaCollection.load_ruleset([str(tmp_path)])
    (q,) = LibsigmaBackend(time_field="time_dt").convert(c)
    assert "PARTITION BY host ORDER BY time_dt RANGE BETWEEN INTERVAL '3600' SECOND PRECEDING" in q
    assert q.endswith("WHERE correlation_event_count >= 3")


def test_filters_from_files_are_applied_once(tmp_path: Path) -> None:
    write(tmp_path / "rule.yml", rule_text("Base", extra="name: base\n"))
    filt = write(tmp_path / "filter.yml", "title: F\nlogsource: {category: test_category, product: test_product}\n"
                 "filter:\n  rules: [base]\n  selection: {User: admin}\n  condition: not selection\n")
    c = SigmaCollection.load_ruleset([str(tmp_path / "rule.yml"), str(filt)])
    (q,) = LibsigmaBackend().convert(c)
    assert q.count("LOWER(User) = 'admin'") == 1 and q.startswith("SELECT * FROM <TABLE> WHERE ")


def test_pipeline_by_name_and_from_yaml_merged(tmp_path: Path) -> None:
    path = write(tmp_path / "mapping.yml", MAPPING)
    resolver = ProcessingPipelineResolver({"athena_security_lake_table_name": lambda: builtin_pipeline("athena_security_lake_table_name")})
    pipeline = resolver.resolve(["athena_security_lake_table_name", str(path)])
    b = LibsigmaBackend(processing_pipeline=pipeline, aws_table_region="eu-west-2")
    assert b.convert(SigmaCollection.from_yaml(LAKE_RULE)) == [LAKE_QUERY.replace("LOWER(eventName)", "LOWER(api.operation)")]


def test_pipeline_as_names_paths_or_text(tmp_path: Path) -> None:
    path = write(tmp_path / "mapping.yml", MAPPING)
    c = SigmaCollection.from_yaml(LAKE_RULE)
    want = [LAKE_QUERY.replace("LOWER(eventName)", "LOWER(api.operation)")]
    for spec in (["athena_security_lake_table_name", str(path)], ["athena_security_lake_table_name", MAPPING]):
        assert LibsigmaBackend(processing_pipeline=spec, aws_table_region="eu-west-2").convert(c) == want
    assert LibsigmaBackend(processing_pipeline=MAPPING).convert(c) == [
        "SELECT * FROM <TABLE> WHERE LOWER(api.operation) = 'consolelogin'"]


def test_python_object_pipeline_is_a_clear_error() -> None:
    item = ProcessingItem(FieldMappingTransformation({"a": "b"}), identifier="my_mapping")
    with pytest.raises(LibsigmaPipelineError, match="'my_mapping' \\(FieldMappingTransformation\\) was built in Python"):
        LibsigmaBackend(processing_pipeline=ProcessingPipeline([item])).convert(SigmaCollection.from_yaml(rule_text()))
    mixed = ProcessingPipeline.from_yaml(MAPPING)
    mixed.vars["region"] = "x"
    with pytest.raises(LibsigmaPipelineError, match="vars .*region"):
        LibsigmaBackend(processing_pipeline=mixed).convert(SigmaCollection.from_yaml(rule_text()))


def test_builtin_pipeline_refuses_other_backends() -> None:
    from sigma.backends.test import TextQueryTestBackend

    with pytest.raises(SigmaConfigurationError, match="built into libsigma"):
        TextQueryTestBackend(builtin_pipeline("athena_security_lake_table_name")).convert(
            SigmaCollection.from_yaml(LAKE_RULE))
    with pytest.raises(LibsigmaUsageError, match="unknown built-in pipeline"):
        builtin_pipeline("nope")


def test_usage_errors_are_sigma_errors() -> None:
    c = SigmaCollection.from_yaml(rule_text())
    with pytest.raises(LibsigmaUsageError, match="invalid table name") as e:
        LibsigmaBackend(table="no such table").convert(c)
    assert isinstance(e.value, SigmaError) and isinstance(e.value, libsigma.UsageError)
    with pytest.raises(SigmaBackendError, match="output format"):
        LibsigmaBackend().convert(c, output_format="json")
    with pytest.raises(SigmaBackendError, match="Correlation method"):
        LibsigmaBackend().convert(c, correlation_method="other")


def test_warnings() -> None:
    with pytest.warns(LibsigmaWarning, match="'tabel' is not used"):
        LibsigmaBackend(tabel="x").convert(SigmaCollection.from_yaml(rule_text()))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LibsigmaBackend(table="t").convert(SigmaCollection.from_yaml(rule_text()))


def test_callback_sees_each_query_and_can_drop_it() -> None:
    text = rule_text("Two", "    a:\n        x: 1\n    b:\n        y: 2\n    condition:\n        - a\n        - b\n")
    seen: list[tuple[Any, ...]] = []

    def callback(rule: Any, fmt: Any, index: int, cond: Any, query: str) -> str | None:
        seen.append((rule.title, fmt, index, cond.condition, query))
        return None if index == 0 else query.lower()

    out = LibsigmaBackend().convert(SigmaCollection.from_yaml(text), callback=callback)
    assert out == ["select * from <table> where y = 2"]
    assert seen == [("Two", None, 0, "a", "SELECT * FROM <TABLE> WHERE x = 1"),
                    ("Two", None, 1, "b", "SELECT * FROM <TABLE> WHERE y = 2")]


def test_finalizer_output_is_returned() -> None:
    fin = "name: c\nfinalizers:\n  - type: concat\n    separator: \" UNION \"\n"
    c = SigmaCollection.from_yaml(rule_text("A") + "---\n" + rule_text("B"))
    assert LibsigmaBackend(processing_pipeline=fin).convert(c) == " UNION ".join(
        ["SELECT * FROM <TABLE> WHERE LOWER(fieldA) = 'valuea'"] * 2)


def test_convert_rule_and_correlation_rule_directly() -> None:
    c = SigmaCollection.from_yaml(rule_text("Base", extra="name: base\n") + "---\n"
                                  "title: Count\ncorrelation: {type: event_count, rules: [base], group-by: [h], timespan: 5m, condition: {gte: 2}}\n")
    rule, corr = c.rules
    b = LibsigmaBackend()
    assert b.convert_rule(SigmaCollection.from_yaml(rule_text()).rules[0]) == [
        "SELECT * FROM <TABLE> WHERE LOWER(fieldA) = 'valuea'"]
    (q,) = b.convert_correlation_rule(corr)
    assert q.startswith("WITH combined_events AS (SELECT * FROM <TABLE> WHERE LOWER(fieldA) = 'valuea')")


# The pipeline files of the repository are pySigma's format: pySigma reads each one, and the
# pipeline it read gives the backend the same query as the built-in of the same name.
REPO_PIPELINES = {
    "athena_security_lake": "SELECT * FROM amazon_security_lake_table_eu_west_2_cloud_trail_mgmt_2_0 "
                            "WHERE LOWER(api.operation) = 'consolelogin'",
    "athena_cloudtrail_table": "SELECT * FROM cloudtrail_logs WHERE LOWER(eventname) = 'consolelogin'",
}


def test_every_repository_pipeline_is_listed_here(repo: Path) -> None:
    assert sorted(p.stem for p in (repo / "pipelines").glob("*.yml")) == sorted(REPO_PIPELINES)


@pytest.mark.parametrize("name", sorted(REPO_PIPELINES))
def test_repository_pipeline_loads_in_pysigma_as_the_builtin(repo: Path, name: str) -> None:
    pipeline = ProcessingPipeline.from_yaml((repo / "pipelines" / f"{name}.yml").read_text(encoding="utf-8"))
    assert pipeline.items
    c = SigmaCollection.from_yaml(LAKE_RULE)
    opts = {"aws_table_region": "eu-west-2"} if name == "athena_security_lake" else {}
    by_file = LibsigmaBackend(processing_pipeline=pipeline, **opts).convert(c)
    by_name = LibsigmaBackend(processing_pipeline=builtin_pipeline(name), **opts).convert(c)
    assert by_file == by_name == [REPO_PIPELINES[name]]
