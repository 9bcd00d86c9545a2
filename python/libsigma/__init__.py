"""libsigma - Sigma detection rules to AWS Athena (Trino) SQL, with the C compiler of this repository.

    import libsigma
    for result in libsigma.convert(rule_text, options={"table": "security.events"}):
        if result.error:
            print(result.error)          # <string>:12:5: error: ...
        else:
            print("\\n\\n".join(result.queries))

convert() takes rule text, convert_paths() files and directories; both return a Results list with
one Result per rule (and per correlation and filter document) in input order, the same objects
`sigma convert -t athena -f json` prints, with the rule's metadata (level, status, tags, ATT&CK ids,
logsource, ...). With output_format, Results.files also holds the texts of one of the command's
output formats (default, json, jsonl, cloudformation, terraform, views), for the whole output or,
with per_rule=True, one file per rule. `options` are the backend options of `-O KEY=VALUE`
(table, time_field, element_at_fields, keyword_fields, cidr, schema, unknown_fields, any pipeline variable);
`pipelines` are what `-p` takes: a built-in name, a YAML file or a directory of them, plus
PipelineYAML for a pipeline given as text. A rule that fails has `.error` and no queries; it never
stops the others. Bad arguments raise UsageError (an unknown pipeline, an invalid option value) or
InputNotFoundError (a missing input path); TypeError for arguments of the wrong type.

The GIL is released while rules are parsed and compiled: conversions in several threads run in
parallel, each with a compiler of its own. The pySigma backend built on this module is
libsigma.pysigma.LibsigmaBackend (`sigma convert -t libsigma` with sigma-cli).
"""

from __future__ import annotations

import fnmatch
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Union

from . import _libsigma
from ._libsigma import LibsigmaError, UsageError

if TYPE_CHECKING:
    from ._libsigma import _Diag, _Metadata

__all__ = [
    "AttackTactic",
    "Diagnostic",
    "InputNotFoundError",
    "LibsigmaError",
    "LogSource",
    "OutputFile",
    "PipelineYAML",
    "Result",
    "Results",
    "UsageError",
    "convert",
    "convert_paths",
    "expand_paths",
    "list_pipelines",
    "modifiers",
    "version",
]

__version__: str = _libsigma.version()


class InputNotFoundError(UsageError, FileNotFoundError):
    """An input path given to convert_paths() does not exist."""


@dataclass(frozen=True)
class Diagnostic:
    """An error or warning with its position: the file (or source name), 1-based line and
    column (0 when the problem has no position), and the message."""

    message: str
    line: int
    column: int
    file: str | None = None
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        where = self.file or "<unknown>"
        if self.line:
            where += f":{self.line}:{self.column}"
        return f"{where}: {self.severity}: {self.message}"


@dataclass(frozen=True)
class LogSource:
    """The log source a rule names (None for what it does not give)."""

    category: str | None = None
    product: str | None = None
    service: str | None = None
    definition: str | None = None


@dataclass(frozen=True)
class AttackTactic:
    """A MITRE ATT&CK tactic named by an attack.<tactic> tag: id "TA0002", name "Execution"."""

    id: str
    name: str


@dataclass(frozen=True)
class Result:
    """One rule, correlation or filter document and what it converted to.

    type is "rule", "correlation" or "filter", or "file" for a rule file that could not be read.
    queries has one SQL query per condition (empty for a rule that failed, for a filter, and for a
    rule that only feeds a correlation); error is None or the reason the rule failed.

    The metadata is what the rule's document gives (also for a rule that failed): scalars as
    written (dates such as "2024-05-01" included), None or [] when absent. attack_techniques
    ("T1059.001") and attack_tactics come from the attack.* tags, each once, in tag order."""

    file: str | None
    id: str | None
    title: str | None
    type: str
    queries: list[str] = field(default_factory=list)
    error: Diagnostic | None = None
    warnings: list[Diagnostic] = field(default_factory=list)
    level: str | None = None
    status: str | None = None
    description: str | None = None
    author: str | None = None
    date: str | None = None
    modified: str | None = None
    tags: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    falsepositives: list[str] = field(default_factory=list)
    logsource: LogSource | None = None
    attack_techniques: list[str] = field(default_factory=list)
    attack_tactics: list[AttackTactic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the rule converted."""
        return self.error is None


@dataclass(frozen=True)
class OutputFile:
    """A text of an output format: the whole output (name None) or one rule's file, named from
    the rule's file name ("proc_creation_win_x.sql"), as `sigma convert -o DIR/` writes it."""

    name: str | None
    text: str


class Results(list[Result]):
    """The list of Results of one conversion, in input order. Also carries what belongs to no
    rule: diagnostics (e.g. a warning for an option nothing uses), output, the whole text
    produced by the pipelines' finalizers (None when they have none), and files, the texts of
    the output_format asked for (None when none was)."""

    diagnostics: list[Diagnostic]
    output: str | None
    files: list[OutputFile] | None

    def __init__(
        self,
        results: Iterable[Result] = (),
        diagnostics: Iterable[Diagnostic] = (),
        output: str | None = None,
        files: Iterable[OutputFile] | None = None,
    ) -> None:
        super().__init__(results)
        self.diagnostics = list(diagnostics)
        self.output = output
        self.files = None if files is None else list(files)

    @property
    def queries(self) -> list[str]:
        """Every query of every rule, in order."""
        return [q for r in self for q in r.queries]

    @property
    def errors(self) -> list[Diagnostic]:
        """The error of every rule that failed, in order."""
        return [r.error for r in self if r.error is not None]


@dataclass(frozen=True)
class PipelineYAML:
    """A processing pipeline given as YAML text instead of a name or a path. name stands for it
    in error messages."""

    text: str
    name: str = "<pipeline>"


OptionValue = Union[str, int, float, bool, "os.PathLike[str]", Sequence[Union[str, int, float]]]
PipelineSpec = Union[str, "os.PathLike[str]", PipelineYAML]


def version() -> str:
    """The version of the C library (and of this package)."""
    return _libsigma.version()


def list_pipelines() -> dict[str, str]:
    """The built-in pipelines: name -> description (`sigma list pipelines`)."""
    found: dict[str, str] = {}
    for line in _libsigma.listing("pipelines") or ():
        name, _, description = line.partition("\t")
        found[name] = description
    return found


def modifiers() -> list[str]:
    """The value modifiers the compiler knows (`sigma list modifiers`)."""
    return list(_libsigma.modifiers())


def _option_text(key: str, value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, os.PathLike):
        return str(os.fspath(value))
    if isinstance(value, (list, tuple)):
        return ",".join(_option_text(key, v) for v in value)
    raise TypeError(f"option {key!r}: a value must be str, int, float, bool, a path or a list, not {type(value).__name__}")


def _option_pairs(options: Mapping[str, OptionValue] | None) -> list[tuple[str, str]]:
    if options is None:
        return []
    if not isinstance(options, Mapping):
        raise TypeError(f"options must be a mapping of option names to values, not {type(options).__name__}")
    pairs = []
    for key, value in options.items():
        if not isinstance(key, str):
            raise TypeError(f"option names must be str, not {type(key).__name__}")
        pairs.append((key, _option_text(key, value)))
    return pairs


def _diag(t: tuple[str, str | None, int, int, str]) -> Diagnostic:
    severity, file, line, column, message = t
    return Diagnostic(message, line, column, file, severity)


class _Run:
    """One call of the C library: pipelines given as text are written to a private temporary
    directory for its duration, and their temporary paths are replaced by their names in every
    message."""

    def __init__(self, pipelines: PipelineSpec | Sequence[PipelineSpec] | None) -> None:
        self.specs: list[str] = []
        self.renames: dict[str, str] = {}
        self.tmp: tempfile.TemporaryDirectory[str] | None = None
        if pipelines is None:
            return
        if isinstance(pipelines, (str, os.PathLike, PipelineYAML)):
            pipelines = [pipelines]
        for i, p in enumerate(pipelines):
            if isinstance(p, PipelineYAML):
                if self.tmp is None:
                    self.tmp = tempfile.TemporaryDirectory(prefix="libsigma-")
                path = os.path.join(self.tmp.name, f"pipeline-{i + 1}.yml")
                with open(path, "w", encoding="utf-8") as f:
                    f.write(p.text)
                self.specs.append(path)
                self.renames[path] = p.name
            elif isinstance(p, (str, os.PathLike)):
                self.specs.append(os.fspath(p))
            else:
                raise TypeError(
                    f"a pipeline must be a name, a path or a PipelineYAML, not {type(p).__name__}"
                )

    def text(self, s: str) -> str:
        for path, name in self.renames.items():
            s = s.replace(path, name)
        return s

    def diag(self, t: tuple[str, str | None, int, int, str]) -> Diagnostic:
        d = _diag(t)
        if not self.renames:
            return d
        return Diagnostic(self.text(d.message), d.line, d.column, d.file and self.text(d.file), d.severity)

    def __call__(
        self,
        inputs: list[str | tuple[str, bytes]],
        options: Mapping[str, OptionValue] | None,
        output_format: str | None = None,
        per_rule: bool = False,
    ) -> Results:
        pairs = _option_pairs(options)
        if output_format is not None and not isinstance(output_format, str):
            raise TypeError(f"output_format must be str or None, not {type(output_format).__name__}")
        render = None if output_format is None else (output_format, bool(per_rule))
        try:
            results, diags, output, files = _libsigma.run(inputs, pairs, self.specs, render)
        except UsageError as e:
            raise UsageError(self.text(str(e))) from None
        finally:
            if self.tmp is not None:
                self.tmp.cleanup()
        return Results(
            (_result(t, self.diag) for t in results),
            [self.diag(d) for d in diags],
            output,
            None if files is None else [OutputFile(name, text) for name, text in files],
        )


def _result(
    t: tuple[str | None, str | None, str | None, str, tuple[str, ...], _Diag | None, tuple[_Diag, ...], _Metadata],
    diag: Callable[[_Diag], Diagnostic],
) -> Result:
    file, rid, title, rtype, queries, error, warnings, meta = t
    ls = meta["logsource"]
    return Result(
        file,
        rid,
        title,
        rtype,
        list(queries),
        None if error is None else diag(error),
        [diag(w) for w in warnings],
        level=meta["level"],
        status=meta["status"],
        description=meta["description"],
        author=meta["author"],
        date=meta["date"],
        modified=meta["modified"],
        tags=list(meta["tags"]),
        references=list(meta["references"]),
        falsepositives=list(meta["falsepositives"]),
        logsource=None if ls is None else LogSource(*ls),
        attack_techniques=list(meta["attack_techniques"]),
        attack_tactics=[AttackTactic(i, n) for i, n in meta["attack_tactics"]],
    )


def convert(
    text: str | bytes,
    *,
    name: str = "<string>",
    options: Mapping[str, OptionValue] | None = None,
    pipelines: PipelineSpec | Sequence[PipelineSpec] | None = None,
    output_format: str | None = None,
    per_rule: bool = False,
) -> Results:
    """Converts rule text (one or more YAML documents). name stands for the text in diagnostics.
    output_format (a format of `sigma list formats`) also fills Results.files: the whole output,
    or one file per rule with per_rule; the format's options (athena_database, athena_workgroup,
    view_prefix) are options. UsageError for an unknown format or a missing option."""
    if isinstance(text, str):
        data = text.encode("utf-8", "surrogatepass")
    elif isinstance(text, (bytes, bytearray, memoryview)):
        data = bytes(text)
    else:
        raise TypeError(f"text must be str or bytes, not {type(text).__name__}")
    if not isinstance(name, str):
        raise TypeError(f"name must be str, not {type(name).__name__}")
    return _Run(pipelines)([(name, data)], options, output_format, per_rule)


def _walk(directory: str, pattern: str, out: list[str], depth: int = 0) -> None:
    # as the sigma command walks: symbolic links followed, at most 64 levels deep
    if depth > 64:
        return
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    for e in entries:
        try:
            if e.is_dir():
                _walk(os.path.join(directory, e.name), pattern, out, depth + 1)
            elif e.is_file() and fnmatch.fnmatchcase(e.name, pattern):
                out.append(os.path.join(directory, e.name))
        except OSError:
            continue


def expand_paths(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]], pattern: str = "*.yml") -> list[str]:
    """The rule files convert_paths() reads: each file as given, each directory searched
    recursively for files whose name matches pattern, in sorted path order (byte order, as the
    sigma command sorts). InputNotFoundError for a path that does not exist."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    files: list[str] = []
    for p in paths:
        if not isinstance(p, (str, os.PathLike)):
            raise TypeError(f"a path must be str or os.PathLike, not {type(p).__name__}")
        path = os.fspath(p)
        if not os.path.exists(path):
            raise InputNotFoundError(f"Path '{path}' does not exist.")
        if os.path.isdir(path):
            found: list[str] = []
            _walk(path.rstrip("/") or "/", pattern, found)
            files.extend(sorted(found, key=os.fsencode))
        else:
            files.append(path)
    return files


def convert_paths(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    options: Mapping[str, OptionValue] | None = None,
    pipelines: PipelineSpec | Sequence[PipelineSpec] | None = None,
    pattern: str = "*.yml",
    output_format: str | None = None,
    per_rule: bool = False,
) -> Results:
    """Converts rule files and directories (see expand_paths) as `sigma convert` does; the files
    are read and parsed on several threads. A file that cannot be read becomes a Result of type
    "file" with an error; the others are still converted. output_format and per_rule as for
    convert()."""
    return _Run(pipelines)(list(expand_paths(paths, pattern)), options, output_format, per_rule)
