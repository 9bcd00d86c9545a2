"""The Python reference's own test vectors (reference_vectors.yml) through the pySigma backend
LibsigmaBackend, twice: rules from SigmaCollection.from_yaml (handed to C through to_dict()) and
rules loaded from a file with SigmaCollection.load_ruleset (the file handed to C as it is)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from sigma.collection import SigmaCollection
from sigma.exceptions import SigmaError

import libsigma
from libsigma.pysigma import LibsigmaBackend, LibsigmaConversionError, builtin_pipeline

VECTORS: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "reference_vectors.yml").read_text(encoding="utf-8"))["vectors"]


def test_vector_file() -> None:
    assert len(VECTORS) == 64
    assert len({v["name"] for v in VECTORS}) == len(VECTORS)
    for v in VECTORS:
        assert ("reference" in v) != ("reference_error" in v), v["name"]
        differs = "expect" in v or "expect_error" in v
        assert differs == ("why" in v), v["name"]  # every departure from the reference is explained


def load(text: str, mode: str, tmp_path: Path) -> SigmaCollection:
    if mode == "from_yaml":
        return SigmaCollection.from_yaml(text)
    path = tmp_path / "rule.yml"
    path.write_text(text, encoding="utf-8")
    collection = SigmaCollection.load_ruleset([str(path)], collect_errors=True)
    errors = [e for r in collection.rules for e in r.errors] + list(collection.errors)
    if errors:
        raise errors[0]
    return collection


def backend(v: dict[str, Any], collect_errors: bool = False) -> LibsigmaBackend:
    pipeline = builtin_pipeline(v["pipeline"]) if v.get("pipeline") else None
    return LibsigmaBackend(processing_pipeline=pipeline, collect_errors=collect_errors, **v["options"])


@pytest.mark.parametrize("mode", ["from_yaml", "file"])
@pytest.mark.parametrize("v", VECTORS, ids=[v["name"] for v in VECTORS])
def test_vector(v: dict[str, Any], mode: str, tmp_path: Path) -> None:
    try:
        collection = load(v["rule"], mode, tmp_path)
    except SigmaError as e:
        # pySigma's loader refuses the rule before any backend sees it, as for the reference;
        # the C compiler refuses the same text too
        assert "reference_error" in v and v["reference_error"].split(": ", 1)[-1] in str(e)
        results = libsigma.convert(v["rule"], options={k: val for k, val in v["options"].items()})
        assert any(r.error and v["expect_error"] in r.error.message for r in results)
        return
    if "expect_error" in v or ("reference_error" in v and "expect" not in v):
        with pytest.raises(LibsigmaConversionError) as e:
            backend(v).convert(collection)
        assert v["expect_error"] in str(e.value)
        if mode == "file":
            assert e.value.line > 0 and str(e.value.source).startswith(str(tmp_path / "rule.yml"))
        # collect_errors (sigma convert -s) keeps the error and converts the rest
        b = backend(v, collect_errors=True)
        assert b.convert(load(v["rule"], mode, tmp_path)) == []
        assert len(b.errors) == 1 and isinstance(b.errors[0][1], LibsigmaConversionError)
        return
    expected = v.get("expect", v.get("reference"))
    assert backend(v).convert(collection) == expected
