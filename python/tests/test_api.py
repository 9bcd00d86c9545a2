"""The package's own API: libsigma.convert(), convert_paths(), results, errors, options,
pipelines, exceptions, typing, and the GIL released while compiling."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import libsigma
from libsigma import _libsigma

from conftest import CLOUDTRAIL, LAKE_PIPELINE, LAKE_QUERY, REPO, rule_text, write

TWO_RULES = rule_text("First") + "---\n" + rule_text(
    "Second", "    sel:\n        Image|endswith: '\\cmd.exe'\n        CommandLine|contains: \"it's\"\n    condition: sel\n"
)


def test_convert_returns_one_result_per_rule_in_order() -> None:
    results = libsigma.convert(TWO_RULES)
    assert isinstance(results, list) and len(results) == 2
    assert [r.title for r in results] == ["First", "Second"]
    assert results[0].queries == ["SELECT * FROM <TABLE> WHERE LOWER(fieldA) = 'valuea'"]
    assert results[1].queries == [
        "SELECT * FROM <TABLE> WHERE LOWER(Image) LIKE '%\\\\cmd.exe' ESCAPE '\\' AND LOWER(CommandLine) LIKE '%it''s%' ESCAPE '\\'"
    ]
    assert all(r.error is None and r.ok and r.warnings == [] for r in results)
    assert results.queries == results[0].queries + results[1].queries
    assert results.errors == [] and results.diagnostics == [] and results.output is None


def test_metadata_id_title_type_file() -> None:
    text = (
        "title: Base\nid: 5013332F-8A70-4E04-BCC1-06A98A2CCA2E\nname: base\nstatus: test\n"
        "logsource: {category: test}\ndetection: {sel: {a: 1}, condition: sel}\n---\n"
        "title: Count\ncorrelation: {type: event_count, rules: [base], group-by: [h], timespan: 5m, condition: {gte: 3}}\n"
    )
    base, corr = libsigma.convert(text, name="my.yml")
    assert (base.file, base.id, base.title, base.type) == ("my.yml", "5013332F-8A70-4E04-BCC1-06A98A2CCA2E", "Base", "rule")
    assert base.queries == []  # it only feeds the correlation
    assert (corr.file, corr.id, corr.title, corr.type) == ("my.yml", None, "Count", "correlation")
    assert len(corr.queries) == 1 and "COUNT(*) OVER (PARTITION BY h ORDER BY time" in corr.queries[0]


def test_a_bad_rule_has_an_error_with_position_and_never_stops_the_others() -> None:
    bad = rule_text("Bad", "    sel:\n        fieldA|cased|re: Foo.*bar\n    condition: sel\n")
    results = libsigma.convert(rule_text("Good") + "---\n" + bad + "---\n" + rule_text("Also good"), name="rules.yml")
    assert [r.ok for r in results] == [True, False, True]
    err = results[1].error
    assert err is not None and results[1].queries == []
    assert (err.message, err.line, err.column, err.file, err.severity) == (
        "the re modifier must come first", 18, 9, "rules.yml", "error")
    assert str(err) == "rules.yml:18:9: error: the re modifier must come first"
    assert results.errors == [err]


def test_yaml_syntax_error_is_a_result_error() -> None:
    (r,) = libsigma.convert("title: x\ndetection: [unclosed\n")
    assert r.error is not None and r.error.line == 3 and r.queries == []


def test_bytes_and_non_ascii_text() -> None:
    text = rule_text("Unicode", "    sel:\n        User: 'İSTANBUL ß'\n    condition: sel\n")
    (a,) = libsigma.convert(text)
    (b,) = libsigma.convert(text.encode("utf-8"))
    assert a.queries == b.queries == ["SELECT * FROM <TABLE> WHERE LOWER(User) = 'istanbul ß'"]


def test_options_table_time_field_and_value_types(tmp_path: Path) -> None:
    (r,) = libsigma.convert(rule_text(), options={"table": "db.events"})
    assert r.queries == ["SELECT * FROM db.events WHERE LOWER(fieldA) = 'valuea'"]
    kw = rule_text("Kw", "    keywords:\n        - evil\n    condition: keywords\n")
    (r,) = libsigma.convert(kw, options={"keyword_fields": ["raw", "msg"]})  # a list is joined with commas
    assert r.queries == [
        "SELECT * FROM <TABLE> WHERE (LOWER(raw) LIKE '%evil%' ESCAPE '\\' OR LOWER(msg) LIKE '%evil%' ESCAPE '\\')"
    ]
    results = libsigma.convert(rule_text(), options={"x_int": 5, "x_bool": True, "x_path": tmp_path})
    assert sorted(d.message.split("'")[1] for d in results.diagnostics) == ["x_bool", "x_int", "x_path"]


def test_unused_option_is_a_run_level_warning() -> None:
    results = libsigma.convert(rule_text(), options={"tabel": "x"})
    (d,) = results.diagnostics
    assert d.severity == "warning" and "backend option 'tabel' is not used" in d.message
    assert results[0].ok


def test_invalid_option_value_raises_usage_error() -> None:
    with pytest.raises(libsigma.UsageError, match="invalid table name 'bad table'") as e:
        libsigma.convert(rule_text(), options={"table": "bad table"})
    assert isinstance(e.value, libsigma.LibsigmaError) and isinstance(e.value, ValueError)
    with pytest.raises(libsigma.UsageError, match="cidr"):
        libsigma.convert(rule_text(), options={"cidr": "maybe"})


def test_argument_types_are_checked() -> None:
    with pytest.raises(TypeError):
        libsigma.convert(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        libsigma.convert("x", options=[("table", "t")])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        libsigma.convert("x", options={"table": object()})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        libsigma.convert("x", pipelines=[42])  # type: ignore[list-item]
    with pytest.raises(ValueError):
        libsigma.convert("x", options={"table": "a\0b"})


def test_pipelines_by_name_file_and_text(tmp_path: Path) -> None:
    (r,) = libsigma.convert(CLOUDTRAIL, pipelines=["athena_security_lake_table_name"],
                            options={"aws_table_region": "eu-west-2"})
    assert r.queries == [LAKE_QUERY]
    path = write(tmp_path / "lake.yml", LAKE_PIPELINE)
    for spec in (str(path), path, libsigma.PipelineYAML(LAKE_PIPELINE)):
        (r,) = libsigma.convert(CLOUDTRAIL, pipelines=[spec])
        assert r.queries == [LAKE_QUERY]
    (r,) = libsigma.convert(CLOUDTRAIL, pipelines=str(path))  # one pipeline need not be a list
    assert r.queries == [LAKE_QUERY]


def test_pipeline_errors_name_the_pipeline_not_a_temporary_file() -> None:
    with pytest.raises(libsigma.UsageError, match="no_such_pipeline"):
        libsigma.convert(rule_text(), pipelines=["no_such_pipeline"])
    bad = libsigma.PipelineYAML("name: x\ntransformations:\n  - type: no_such_transformation\n", name="my-pipeline")
    with pytest.raises(libsigma.UsageError) as e:
        libsigma.convert(rule_text(), pipelines=[bad])
    assert "my-pipeline" in str(e.value) and "libsigma-" not in str(e.value)
    assert "no_such_transformation" in str(e.value)


def test_missing_region_is_a_rule_error() -> None:
    (r,) = libsigma.convert(CLOUDTRAIL, pipelines=["athena_security_lake_table_name"])
    assert r.error is not None and "set it with -O aws_table_region=VALUE" in r.error.message


def test_finalizer_output() -> None:
    pipeline = libsigma.PipelineYAML(
        "name: c\nfinalizers:\n  - type: concat\n    separator: \"\\n;\\n\"\n")
    results = libsigma.convert(TWO_RULES, pipelines=[pipeline])
    assert results.output == "\n;\n".join(results.queries) and len(results.queries) == 2


def test_query_over_athena_limit_warns() -> None:
    values = "".join(f"            - value{i:06d}xxxxxxxxxx\n" for i in range(12000))
    (r,) = libsigma.convert(rule_text("Huge", "    sel:\n        fieldA|contains:\n" + values + "    condition: sel\n"))
    assert r.ok and len(r.queries[0]) > 262144
    (w,) = r.warnings
    assert w.severity == "warning" and "Huge" in w.message


def test_convert_paths_walks_directories_in_sorted_order(tmp_path: Path) -> None:
    write(tmp_path / "b" / "z.yml", rule_text("bz"))
    write(tmp_path / "b" / "a.yml", rule_text("ba"))
    write(tmp_path / "a.yml", rule_text("a"))
    write(tmp_path / "B.yml", rule_text("B"))
    write(tmp_path / "c.yaml", rule_text("c-yaml"))
    write(tmp_path / "notes.txt", "not a rule")
    results = libsigma.convert_paths(tmp_path)
    assert [r.title for r in results] == ["B", "a", "ba", "bz"]
    assert results[0].file == os.path.join(str(tmp_path), "B.yml")
    assert [r.title for r in libsigma.convert_paths([tmp_path / "c.yaml", tmp_path / "b"])] == ["c-yaml", "ba", "bz"]
    assert [r.title for r in libsigma.convert_paths(str(tmp_path), pattern="*.yaml")] == ["c-yaml"]


def test_convert_paths_same_as_sigma_command(tmp_path: Path) -> None:
    sigma = REPO / "build" / "sigma"
    if not sigma.exists():
        subprocess.run(["make", "-s", "build/sigma"], cwd=REPO, check=True)
    rules = REPO / "examples" / "rules"
    out = subprocess.run([str(sigma), "convert", "-t", "athena", str(rules)], capture_output=True, text=True)
    ours = libsigma.convert_paths(rules)
    assert out.stdout == ("\n\n".join(ours.queries) + "\n" if ours.queries else "")
    assert (out.returncode == 0) == all(r.ok for r in ours)


def test_missing_input_raises_input_not_found(tmp_path: Path) -> None:
    with pytest.raises(libsigma.InputNotFoundError, match="does not exist") as e:
        libsigma.convert_paths([tmp_path / "nope.yml"])
    assert isinstance(e.value, libsigma.UsageError) and isinstance(e.value, FileNotFoundError)


def test_unreadable_file_is_a_file_result_and_the_run_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a file that disappears between the directory walk and its reading
    good = write(tmp_path / "good.yml", rule_text("Good"))
    gone = str(tmp_path / "gone.yml")
    monkeypatch.setattr(libsigma, "expand_paths", lambda paths, pattern: [gone, str(good)])
    results = libsigma.convert_paths(tmp_path)
    assert [r.type for r in results] == ["file", "rule"]
    assert results[0].file == gone and results[0].error is not None and results[0].queries == []
    assert results[0].error.line == 0 and results[1].ok


def test_file_over_the_size_limit_is_an_error(tmp_path: Path) -> None:
    big = tmp_path / "big.yml"
    with open(big, "wb") as f:
        f.truncate(17 * 1024 * 1024)
    (r,) = libsigma.convert_paths(big)
    assert r.error is not None and r.error.message == "file too large (17825792 bytes, limit 16777216)"


def test_listings() -> None:
    assert libsigma.version() == libsigma.__version__ == (REPO / "VERSION").read_text().strip()
    assert {"athena_security_lake_table_name", "athena_security_lake", "athena_cloudtrail_table"} <= set(
        libsigma.list_pipelines()
    )
    assert {"contains", "windash", "fieldref"} <= set(libsigma.modifiers())


def test_security_lake_pipeline_maps_to_ocsf_columns() -> None:
    text = (
        "title: Trail stopped\nlogsource:\n    product: aws\n    service: cloudtrail\ndetection:\n"
        "    sel:\n        eventName: StopLogging\n        userIdentity.arn|endswith: ':root'\n    condition: sel\n"
    )
    (r,) = libsigma.convert(text, options={"aws_table_region": "eu-west-2"}, pipelines=["athena_security_lake"])
    assert r.error is None
    assert r.queries == [
        "SELECT * FROM amazon_security_lake_table_eu_west_2_cloud_trail_mgmt_2_0 WHERE LOWER(api.operation) = "
        "'stoplogging' AND LOWER(actor.user.uid) LIKE '%:root' ESCAPE '\\'"
    ]
    (c,) = libsigma.convert(text, options={"table": "logs.trail"}, pipelines=["athena_cloudtrail_table"])
    assert c.queries == [
        "SELECT * FROM logs.trail WHERE LOWER(eventname) = 'stoplogging' AND LOWER(useridentity.arn) LIKE '%:root' "
        "ESCAPE '\\'"
    ]


def test_results_are_plain_data() -> None:
    r = libsigma.convert(rule_text())
    assert isinstance(r, libsigma.Results) and isinstance(r[0], libsigma.Result)
    assert r == [libsigma.Result("<string>", None, "Test", "rule", ["SELECT * FROM <TABLE> WHERE LOWER(fieldA) = 'valuea'"],
                                 status="test", logsource=libsigma.LogSource("test_category", "test_product"))]
    with pytest.raises(AttributeError):
        r[0].title = "x"  # type: ignore[misc]


def _rules(n: int) -> str:
    return "---\n".join(
        rule_text(f"R{i}", "    sel:\n        CommandLine|contains|all:\n"
                  + "".join(f"            - 'part{i}_{k}'\n" for k in range(40))
                  + "        Image|endswith: ['\\a.exe', '\\b.exe']\n    condition: sel\n")
        for i in range(n))


def test_threads_convert_in_parallel_with_the_same_results() -> None:
    texts = [_rules(50) + f"---\n{rule_text(f'T{t}')}" for t in range(4)]
    expected = [libsigma.convert(t) for t in texts]
    got: dict[int, libsigma.Results] = {}

    def work(i: int) -> None:
        got[i] = libsigma.convert(texts[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [got[i] for i in range(4)] == expected


def test_gil_is_released_while_compiling() -> None:
    # Another Python thread keeps running while one call of the C library works: with the GIL
    # held for the whole call it could not take a single step inside the call.
    text = _rules(3000).encode()
    ticks: list[float] = []
    stop = threading.Event()

    def ticker() -> None:
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    t = threading.Thread(target=ticker)
    t.start()
    try:
        time.sleep(0.02)
        start = time.perf_counter()
        results, _, _, _ = _libsigma.run([("<bench>", text)], [], [])
        end = time.perf_counter()
    finally:
        stop.set()
        t.join()
    assert len(results) == 3000
    inside = [x for x in ticks if start < x < end]
    assert end - start > 0.05, "the conversion was too short to observe"
    assert len(inside) >= 5, f"{len(inside)} ticks of another thread during a {end - start:.3f}s call"


def test_package_is_typed(tmp_path: Path) -> None:
    import libsigma as pkg

    root = Path(pkg.__file__).parent
    assert (root / "py.typed").is_file() and (root / "_libsigma.pyi").is_file()


def test_package_type_checks(tmp_path: Path) -> None:
    # mypy --strict on the package and on a program using its API (mypy is in the pySigma 2.x
    # test environment only)
    sample = write(tmp_path / "use.py", (
        "import libsigma\n"
        "results: libsigma.Results = libsigma.convert('x', name='n', options={'table': 't', 'l': ['a', 'b']},"
        " pipelines=['p', libsigma.PipelineYAML('name: x')])\n"
        "for r in results:\n"
        "    q: list[str] = r.queries\n"
        "    if r.error is not None:\n"
        "        line: int = r.error.line + r.error.column\n"
        "        msg: str = r.error.message\n"
        "paths: libsigma.Results = libsigma.convert_paths(['a', 'b'], pattern='*.yml')\n"
        "bad = libsigma.convert(1)\n"
    ))
    def mypy(*args: str) -> list[str]:
        out = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir",
                              str(tmp_path / "cache"), *args], capture_output=True, text=True)
        assert "error:" in out.stdout or out.returncode == 0, out.stdout + out.stderr
        return [line for line in out.stdout.splitlines() if ": error:" in line]

    assert mypy("-p", "libsigma") == []
    # exactly the one deliberate mistake is found: the types are real, not Any
    (line,) = mypy(str(sample))
    assert "use.py:9:" in line and "[arg-type]" in line
