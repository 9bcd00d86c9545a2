# Types of the C extension (libsigma/_libsigma.c); see the comment at the top of that file.

from typing import TypedDict

_Diag = tuple[str, str | None, int, int, str]

class _Metadata(TypedDict):
    level: str | None
    status: str | None
    description: str | None
    author: str | None
    date: str | None
    modified: str | None
    tags: tuple[str, ...]
    references: tuple[str, ...]
    falsepositives: tuple[str, ...]
    attack_techniques: tuple[str, ...]
    attack_tactics: tuple[tuple[str, str], ...]
    logsource: tuple[str | None, str | None, str | None, str | None] | None

_Result = tuple[
    str | None, str | None, str | None, str, tuple[str, ...], _Diag | None, tuple[_Diag, ...], _Metadata
]

class LibsigmaError(Exception): ...
class UsageError(LibsigmaError, ValueError): ...

def run(
    inputs: list[str | tuple[str, bytes]],
    options: list[tuple[str, str]],
    pipelines: list[str],
    render: tuple[str, bool] | None = None,
) -> tuple[
    tuple[_Result, ...], tuple[_Diag, ...], str | None, tuple[tuple[str | None, str], ...] | None
]: ...
def version() -> str: ...
def listing(what: str) -> tuple[str, ...] | None: ...
def modifiers() -> tuple[str, ...]: ...
