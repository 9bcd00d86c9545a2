"""common.py - what check.py and corpus.py share: the "ok"/"FAIL" lines and their count, and
the resources of Terraform text as python-hcl2 reads them back."""

from __future__ import annotations

import hcl2
from hcl2.utils import SerializationOptions


class Checks:
    """check(ok, what, detail) prints "ok   what" or "FAIL what" (and the start of detail) and
    counts it; summary() prints "LABEL: N passed, M failed" and returns the exit status."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.passed = self.failed = 0

    def __call__(self, ok: bool, what: str, detail: object = None) -> bool:
        if ok:
            self.passed += 1
            print(f"ok   {what}")
        else:
            self.failed += 1
            print(f"FAIL {what}")
            if detail is not None:
                print(f"     {str(detail)[:2000]}")
        return ok

    def summary(self) -> int:
        print(f"{self.label}: {self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0


def tf_blocks(text: str) -> list[tuple[str, str, dict[str, object]]]:
    """(type, label, arguments) of each resource block, strings decoded by python-hcl2."""
    opts = SerializationOptions(strip_string_quotes=True, with_comments=False, explicit_blocks=False)
    return [(rtype, label, args) for block in hcl2.loads(text, serialization_options=opts).get("resource", [])
            for rtype, body in block.items() for label, args in body.items()]
