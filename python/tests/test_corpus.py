"""The SigmaHQ corpus (../shared, when present) through the pySigma backend: the rules pySigma
loads from their files convert to exactly what libsigma.convert_paths gives for the same files
(every rule matched to its own result)."""

from __future__ import annotations

import pytest
from sigma.collection import SigmaCollection

import libsigma
from libsigma.pysigma import LibsigmaBackend, LibsigmaWarning

from conftest import CORPUS_RULES

pytestmark = pytest.mark.skipif(not CORPUS_RULES.is_dir(), reason="the shared SigmaHQ corpus is not beside the repository")


def test_corpus_through_the_plugin_matches_the_library() -> None:
    paths = libsigma.expand_paths(CORPUS_RULES)
    direct = libsigma.convert_paths(CORPUS_RULES, options={"keyword_fields": "raw"})
    collection = SigmaCollection.load_ruleset(paths, collect_errors=True)
    backend = LibsigmaBackend(collect_errors=True, keyword_fields="raw")
    got: dict[tuple[str, str], list[str]] = {}

    def keep(rule, fmt, index, cond, query):  # type: ignore[no-untyped-def]
        got.setdefault((str(rule.source.path), rule.title), []).append(query)
        return query

    with pytest.warns(LibsigmaWarning, match="over Athena's limit of 262144 bytes"):
        queries = backend.convert(collection, callback=keep)
    want: dict[tuple[str, str], list[str]] = {}
    for r in direct:
        if r.queries:
            want.setdefault((str(r.file), str(r.title)), []).extend(r.queries)
    assert len(paths) > 3000 and len(queries) > 3000
    assert got == want
    failed = {(str(r.file), r.title) for r in direct if r.error}
    assert {(str(rule.source.path), rule.title) for rule, _ in backend.errors} == failed
