"""libsigma.pysigma - a pySigma backend that converts with the libsigma C compiler.

    from sigma.collection import SigmaCollection
    from libsigma.pysigma import LibsigmaBackend

    backend = LibsigmaBackend(table="security.events")
    queries = backend.convert(SigmaCollection.from_yaml(rule_text))

It is a drop-in for pySigma-backend-athena's athenaBackend: the same constructor (a processing
pipeline, collect_errors, backend options such as table, time_field, element_at_fields,
aws_table_region), the same list of SQL strings from convert(), and correct Trino SQL where that
backend is wrong. pySigma finds it as the target `libsigma` (sigma.backends.libsigma), so sigma-cli
converts with `sigma convert -t libsigma ...`; the built-in pipelines are registered under their
names (sigma.pipelines.libsigma).

How rules reach the C compiler. pySigma keeps no rule text, only each rule's source file
(rule.source.path, set by SigmaCollection.load_ruleset and so by sigma-cli). When every rule,
correlation and filter of the collection has a readable source file, those files are converted
as they are (their original YAML: same typing, errors at their real line and column) and each
rule of the collection is matched to its result by file, type, id and title; rules of those files
that are not in the collection are left out. Otherwise (rules from SigmaCollection.from_yaml or
built in Python) every rule and correlation is written back to YAML with its to_dict() and that
text is converted; filters are then already applied to the rules by pySigma. Changes made to
rule objects after loading them from files are not seen.

How pipelines reach it. The C compiler reads pipelines as YAML, so a pipeline must be one of:
a built-in of libsigma (by name: sigma.pipelines.libsigma registers each), a pipeline pySigma
read from YAML with ProcessingPipeline.from_yaml (as sigma-cli does for `-p FILE`: importing this
module makes from_yaml remember each pipeline's text and path on its items), or a string or list
given as processing_pipeline (names, paths or YAML text). A pipeline with items built in Python
cannot be handed over and raises LibsigmaPipelineError naming the item.
"""

from __future__ import annotations

import abc
import functools
import inspect
import os
import uuid
import warnings
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, cast

import yaml
from sigma.collection import SigmaCollection
from sigma.conversion.base import Backend
from sigma.correlations import SigmaCorrelationRule
from sigma.exceptions import (
    SigmaBackendError,
    SigmaConfigurationError,
    SigmaError,
    SigmaRuleLocation,
)
from sigma.processing.pipeline import ProcessingItem, ProcessingPipeline
from sigma.processing.transformations.base import PreprocessingTransformation
from sigma.rule import SigmaRule

import libsigma

__all__ = [
    "LibsigmaBackend",
    "LibsigmaConversionError",
    "LibsigmaPipelineError",
    "LibsigmaUsageError",
    "LibsigmaWarning",
    "builtin_pipeline",
]


class LibsigmaConversionError(SigmaError):
    """A rule the compiler could not convert; line and column point into its YAML (0 when the
    problem has no position)."""

    def __init__(self, diagnostic: libsigma.Diagnostic, source: SigmaRuleLocation | None = None) -> None:
        super().__init__(diagnostic.message, source=source)
        self.diagnostic = diagnostic
        self.line = diagnostic.line
        self.column = diagnostic.column


class LibsigmaPipelineError(SigmaConfigurationError):
    """A processing pipeline that cannot be handed to the C compiler."""


class LibsigmaUsageError(SigmaConfigurationError, libsigma.UsageError):
    """An invalid backend option value or pipeline, as the compiler reported it."""


class LibsigmaWarning(UserWarning):
    """A warning of the compiler (an option nothing uses, a query over Athena's size limit)."""


# ---------------------------------------------------------------------------- pipelines

_SOURCE = "_libsigma_source"


@dataclass(frozen=True, eq=False)
class _PipelineSource:
    """Where a pipeline's items came from: a built-in name, or YAML text (and its file)."""

    builtin: str | None = None
    text: str | None = None
    path: str | None = None
    name: str | None = None
    vars: tuple[tuple[str, Any], ...] = ()

    def spec(self) -> str | libsigma.PipelineYAML:
        if self.builtin is not None:
            return self.builtin
        if self.path is not None and os.path.isfile(self.path):
            try:
                with open(self.path, encoding="utf-8") as f:
                    if f.read() == self.text:
                        return self.path
            except (OSError, UnicodeDecodeError):
                pass
        return libsigma.PipelineYAML(self.text or "", self.name or "<pipeline>")


def _tag(pipeline: ProcessingPipeline, source: _PipelineSource) -> None:
    setattr(pipeline, _SOURCE, source)
    for element in (*pipeline.items, *pipeline.postprocessing_items, *pipeline.finalizers):
        setattr(element, _SOURCE, source)


def _remember_yaml_sources() -> None:
    """Wraps ProcessingPipeline.from_yaml so that each pipeline it builds remembers its YAML text
    and path on its items (which survive merging pipelines); it changes nothing else."""
    current = ProcessingPipeline.__dict__["from_yaml"]
    func = current.__func__
    if getattr(func, "_libsigma_remembers", False):
        return
    signature = inspect.signature(func)

    @functools.wraps(func)
    def from_yaml(cls: type[ProcessingPipeline], *args: Any, **kwargs: Any) -> ProcessingPipeline:
        pipeline = cast(ProcessingPipeline, func(cls, *args, **kwargs))
        try:
            bound = signature.bind(cls, *args, **kwargs)
            text = bound.arguments.get("processing_pipeline")
            path = bound.arguments.get("source_path")
        except TypeError:
            return pipeline
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        if isinstance(text, str):
            _tag(
                pipeline,
                _PipelineSource(
                    text=text,
                    path=os.fspath(path) if path is not None else None,
                    name=os.fspath(path) if path is not None else (pipeline.name or None),
                    vars=tuple(pipeline.vars.items()),
                ),
            )
        return pipeline

    from_yaml._libsigma_remembers = True  # type: ignore[attr-defined]
    ProcessingPipeline.from_yaml = classmethod(from_yaml)  # type: ignore[method-assign,assignment]


_remember_yaml_sources()


@dataclass
class LibsigmaBuiltinTransformation(PreprocessingTransformation):
    """Stands for a pipeline built into libsigma inside a pySigma ProcessingPipeline; only the
    libsigma backend can run it."""

    pipeline: str = ""

    def apply(self, rule: Any, *args: Any, **kwargs: Any) -> None:
        raise SigmaConfigurationError(
            f"the pipeline '{self.pipeline}' is built into libsigma: it works only with the libsigma "
            "backend (sigma convert -t libsigma)"
        )


def builtin_pipeline(name: str) -> ProcessingPipeline:
    """The built-in pipeline `name` of libsigma as a pySigma ProcessingPipeline (one item that
    stands for it), for LibsigmaBackend(processing_pipeline=...) and for sigma-cli's `-p NAME`."""
    description = libsigma.list_pipelines().get(name)
    if description is None:
        raise LibsigmaUsageError(f"unknown built-in pipeline '{name}' (known: {', '.join(libsigma.list_pipelines())})")
    priority = 0
    if description.startswith("priority "):
        try:
            priority = int(description.split()[1].rstrip(","))
        except (IndexError, ValueError):
            pass
    pipeline = ProcessingPipeline(
        items=[ProcessingItem(LibsigmaBuiltinTransformation(name), identifier=f"libsigma_{name}")],
        priority=priority,
        name=name,
        allowed_backends=frozenset({"libsigma"}),
    )
    _tag(pipeline, _PipelineSource(builtin=name, name=name))
    return pipeline


def _describe(element: Any) -> str:
    ident = getattr(element, "identifier", None)
    kind = type(getattr(element, "transformation", element)).__name__
    return f"'{ident}' ({kind})" if ident else kind


def _pipeline_specs(pipeline: Any) -> list[str | libsigma.PipelineYAML]:
    """What the C compiler is given for a backend's processing_pipeline argument."""
    if pipeline is None:
        return []
    if isinstance(pipeline, (str, os.PathLike)):
        pipeline = [pipeline]
    if isinstance(pipeline, (list, tuple)):
        specs: list[str | libsigma.PipelineYAML] = []
        for p in pipeline:
            if isinstance(p, str) and "\n" in p:
                specs.append(libsigma.PipelineYAML(p))
            elif isinstance(p, (str, os.PathLike)):
                specs.append(os.fspath(p))
            elif isinstance(p, libsigma.PipelineYAML):
                specs.append(p)
            else:
                specs.extend(_pipeline_specs(p))
        return specs
    if not isinstance(pipeline, ProcessingPipeline):
        raise LibsigmaPipelineError(
            f"a processing pipeline must be a ProcessingPipeline, a name, a path or YAML text, not {type(pipeline).__name__}"
        )
    sources: list[_PipelineSource] = []
    elements = (*pipeline.items, *pipeline.postprocessing_items, *pipeline.finalizers)
    for element in elements:
        source = getattr(element, _SOURCE, None)
        if source is None:
            raise LibsigmaPipelineError(
                f"the processing pipeline item {_describe(element)} was built in Python: the libsigma "
                "backend runs pipelines in C and can only take a built-in pipeline (by name) or one "
                "given as YAML (a file, ProcessingPipeline.from_yaml after importing libsigma.pysigma, "
                "or the YAML text as processing_pipeline)"
            )
        if not any(s is source for s in sources):
            sources.append(source)
    if not elements and getattr(pipeline, _SOURCE, None) is not None:
        sources.append(getattr(pipeline, _SOURCE))
    known: dict[str, Any] = {}
    for s in sources:
        known.update(s.vars)
    extra = sorted(k for k, v in pipeline.vars.items() if k not in known or known[k] != v)
    if extra:
        raise LibsigmaPipelineError(
            f"the processing pipeline has vars that do not come from a pipeline libsigma can read "
            f"({', '.join(extra)}): put them in the pipeline's YAML"
        )
    return [s.spec() for s in sources]


# ---------------------------------------------------------------------------- rules


def _kind(item: Any) -> str:
    return "correlation" if isinstance(item, SigmaCorrelationRule) else "rule"


def _norm_id(value: Any) -> str | None:
    if value is None:
        return None
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return str(value)


def _key(kind: str, rule_id: Any, title: Any) -> tuple[str, str | None, str | None]:
    return (kind, _norm_id(rule_id), None if title is None else str(title))


def _source_file(item: Any) -> str | None:
    source = getattr(item, "source", None)
    path = getattr(source, "path", None)
    if path is None:
        return None
    path = os.fspath(path)
    return path if os.path.isfile(path) else None


def _yaml_text(item: Any) -> bytes:
    return yaml.safe_dump(item.to_dict(), sort_keys=False, allow_unicode=True).encode("utf-8")


@dataclass
class _Plan:
    """The compiler's inputs for a list of rules, and how to find each rule's result."""

    items: list[Any]
    inputs: list[str | tuple[str, bytes]]
    from_files: bool

    @classmethod
    def of(cls, items: list[Any], filters: Sequence[Any]) -> _Plan:
        if items and all(_source_file(x) for x in (*items, *filters)):
            files: dict[str, None] = {}
            for x in (*items, *filters):
                files[_source_file(x)] = None  # type: ignore[index]
            return cls(items, list(files), True)
        return cls(items, [(f"<rule {i + 1}>", _yaml_text(x)) for i, x in enumerate(items)], False)

    def match(self, results: Sequence[libsigma.Result]) -> list[libsigma.Result | None]:
        if not self.from_files:
            by_name: dict[str | None, deque[libsigma.Result]] = defaultdict(deque)
            for r in results:
                by_name[r.file].append(r)
            return [self._take(by_name[f"<rule {i + 1}>"], item) for i, item in enumerate(self.items)]
        pending: dict[str | None, deque[libsigma.Result]] = defaultdict(deque)
        for r in results:
            pending[r.file].append(r)
        return [self._take(pending[_source_file(item)], item) for item in self.items]

    @staticmethod
    def _take(candidates: deque[libsigma.Result], item: Any) -> libsigma.Result | None:
        for r in candidates:
            if r.type == "file":  # the file could not be read: its error stands for each rule
                return r
        key = _key(_kind(item), getattr(item, "id", None), getattr(item, "title", None))
        for r in candidates:
            if _key(r.type, r.id, r.title) == key:
                candidates.remove(r)
                return r
        for r in candidates:  # e.g. a rule whose id or title the compiler rejected
            if r.type == key[0] and r.error is not None:
                candidates.remove(r)
                return r
        return None


# ---------------------------------------------------------------------------- backend


def _not_converted_here(self: Any, *args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("LibsigmaBackend converts whole rules in C; condition-level methods are not used")


class LibsigmaBackend(Backend):
    """Sigma rules to Athena (Trino) SQL with the libsigma C compiler (target `libsigma`).

    processing_pipeline: a ProcessingPipeline read from YAML or made of built-in pipelines, or
    names, paths or YAML text (a string or a list of them). collect_errors: keep going after a
    rule fails and collect (rule, error) in .errors instead of raising. backend_options: the
    options of `-O` (table, time_field, element_at_fields, keyword_fields, cidr, schema,
    unknown_fields, aws_table_region, aws_table_version, ...); a list value is joined with commas."""

    identifier: ClassVar[str] = "libsigma"
    name: ClassVar[str] = "libsigma: Athena (Trino) SQL from the libsigma C compiler"
    formats: ClassVar[dict[str, str]] = {"default": "Athena (Trino) SQL queries"}
    requires_pipeline: ClassVar[bool] = False
    correlation_methods: ClassVar[dict[str, str] | None] = {
        "default": "one query with sliding windows over the time_field column"
    }
    default_correlation_method: ClassVar[str] = "default"

    def __init__(
        self,
        processing_pipeline: Any = None,
        collect_errors: bool = False,
        **backend_options: Any,
    ) -> None:
        super().__init__(None, collect_errors, **backend_options)
        self.processing_pipeline = processing_pipeline

    def init_processing_pipeline(self, output_format: str | None = None) -> None:
        # pipelines run in C; pySigma's own pipeline machinery is not used
        self.last_processing_pipeline = ProcessingPipeline()

    def convert(
        self,
        rule_collection: SigmaCollection,
        output_format: str | None = None,
        correlation_method: str | None = None,
        callback: Callable[..., Any] | None = None,
    ) -> Any:
        """Converts every rule and correlation of the collection: the list of queries in
        collection order, or the finalizers' output when the pipelines have finalizers."""
        queries, output = self._convert(
            list(rule_collection.rules), list(rule_collection.filters), output_format, correlation_method, callback
        )
        return output if output is not None else queries

    def convert_rule(
        self, rule: SigmaRule, output_format: str | None = None, callback: Callable[..., Any] | None = None
    ) -> list[Any]:
        return self._convert([rule], [], output_format, None, callback)[0]

    def convert_correlation_rule(
        self,
        rule: SigmaCorrelationRule,
        output_format: str | None = None,
        method: str | None = None,
        callback: Callable[..., Any] | None = None,
    ) -> list[Any]:
        referenced = [ref.rule for ref in rule.rules or [] if getattr(ref, "rule", None) is not None]
        return self._convert([*referenced, rule], [], output_format, method, callback)[0]

    def _convert(
        self,
        items: list[Any],
        filters: list[Any],
        output_format: str | None,
        correlation_method: str | None,
        callback: Callable[..., Any] | None,
    ) -> tuple[list[Any], str | None]:
        fmt = output_format or self.default_format
        if fmt not in self.formats:
            raise SigmaBackendError(
                f"Unknown output format '{fmt}', must be one of: {', '.join(self.formats.keys())}"
            )
        method = correlation_method or self.default_correlation_method
        if self.correlation_methods is None or method not in self.correlation_methods:
            raise SigmaBackendError(
                f"Correlation method '{method}' is not supported by backend '{self.name}'."
            )
        self.init_processing_pipeline(output_format)
        specs = _pipeline_specs(self.processing_pipeline)
        plan = _Plan.of(items, filters)
        try:
            results = libsigma._Run(specs)(plan.inputs, cast("dict[str, Any]", self.backend_options))
        except libsigma.UsageError as e:
            raise LibsigmaUsageError(str(e)) from None
        for d in results.diagnostics:
            warnings.warn(str(d) if d.line else d.message, LibsigmaWarning, stacklevel=3)
        queries: list[Any] = []
        for item, result in zip(items, plan.match(results)):
            if result is None:
                error: SigmaError | None = SigmaBackendError(
                    f"libsigma returned no result for rule '{getattr(item, 'title', '?')}'", source=item.source
                )
            elif result.error is not None:
                source = item.source
                if plan.from_files and result.error.file and result.error.line:
                    source = SigmaRuleLocation(Path(result.error.file), result.error.line, result.error.column)
                error = LibsigmaConversionError(result.error, source)
            else:
                error = None
            if error is not None:
                if self.collect_errors:
                    self.errors.append((item, error))
                    continue
                raise error
            assert result is not None
            for w in result.warnings:
                warnings.warn(str(w), LibsigmaWarning, stacklevel=3)
            converted: list[Any] = list(result.queries)
            if callback is not None:
                conditions = getattr(getattr(item, "detection", None), "parsed_condition", None) or []
                kept = []
                for index, query in enumerate(converted):
                    cond = conditions[index] if index < len(conditions) else None
                    out = callback(item, output_format, index, cond, query)
                    if out is not None:
                        kept.append(out)
                converted = kept
            item.set_conversion_result(converted)
            queries.extend(converted)
        return queries, results.output


def _fill_abstract(cls: type) -> None:
    """pySigma's Backend declares per-condition methods abstract; conversion happens in C, so
    they only raise."""
    for name in getattr(cls, "__abstractmethods__", ()):
        setattr(cls, name, _not_converted_here)
    abc.update_abstractmethods(cls)


_fill_abstract(LibsigmaBackend)


def _builtin_factories() -> dict[str, Callable[[], ProcessingPipeline]]:
    factories: dict[str, Callable[[], ProcessingPipeline]] = {}
    for name in libsigma.list_pipelines():

        def factory(name: str = name) -> ProcessingPipeline:
            return builtin_pipeline(name)

        factory.__name__ = name
        factory.__doc__ = libsigma.list_pipelines()[name]
        factories[name] = factory
    return factories


def iter_builtin_pipelines() -> Iterable[tuple[str, Callable[[], ProcessingPipeline]]]:
    """(name, factory) of each built-in pipeline, as sigma.pipelines.libsigma registers them."""
    return _builtin_factories().items()
