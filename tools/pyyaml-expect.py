#!/usr/bin/env python3
"""pyyaml-expect.py - write what PyYAML's SafeLoader makes of YAML test cases.

    python3 tools/pyyaml-expect.py tests/yaml/NAME.cases...

For each NAME.cases (cases separated by lines "=== title"), writes
NAME.pyyaml: for every case its title, then either one line per document
("--- " and the document in the canonical form below) or one line
"error LINE:COL: PROBLEM" (PyYAML's problem message and mark, 1-based).
tests/unit/test_yaml.c loads every case with the project's loader, prints it
in the same form and compares, so the expectations are PyYAML's own output.
The tests do not need Python; this script is only run to write or extend
the expectations, with the pinned PyYAML version below (pip install
pyyaml==6.0.3 into a virtual environment).

Canonical form: null, true, false, integers in decimal ("int~" and 17
significant digits beyond 64 bits), "float:" and 17 significant digits
(inf, -inf, nan), strings in double quotes (\\" \\\\ and \\xNN for control
and non-ASCII bytes of the UTF-8 text), "date:" and the ISO text of a date
or a time stamp without fraction or zone, [items] and {key: value} in
order. A case whose result has no such form (bytes, sets, pairs) or whose
failure is not a PyYAML error with a position (a Python ValueError, say)
is refused: such cases belong in the unit tests.
"""
import datetime
import sys

import yaml

PYYAML = "6.0.3"


def qstr(s):
    out = ['"']
    for c in s.encode("utf-8", "surrogatepass"):
        if c == 0x22:
            out.append('\\"')
        elif c == 0x5C:
            out.append("\\\\")
        elif c < 0x20 or c >= 0x7F:
            out.append("\\x%02x" % c)
        else:
            out.append(chr(c))
    out.append('"')
    return "".join(out)


def dump(v):
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        if -(2**63) <= v < 2**63:
            return str(v)
        return "int~%.17g" % float(v)
    if isinstance(v, float):
        return "float:nan" if v != v else "float:%.17g" % v
    if isinstance(v, str):
        return qstr(v)
    if isinstance(v, datetime.datetime):
        if v.microsecond or v.tzinfo:
            raise ValueError("time stamp with fraction or zone")
        return "date:" + v.isoformat()
    if isinstance(v, datetime.date):
        return "date:" + v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(dump(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(dump(k) + ": " + dump(x) for k, x in v.items()) + "}"
    raise ValueError("no canonical form for %s" % type(v).__name__)


def expect(text):
    try:
        docs = list(yaml.safe_load_all(text))
    except yaml.MarkedYAMLError as e:
        m = e.problem_mark
        return ["error %d:%d: %s" % (m.line + 1, m.column + 1, e.problem)]
    return ["--- " + dump(d) for d in docs]


def cases(path):
    title, body, out = None, [], []
    with open(path, encoding="utf-8", newline="") as f:
        pieces = f.read().split("\n")  # lines end at LF only, as in the C test
        for i, line in enumerate(pieces):
            if i + 1 < len(pieces):
                line += "\n"
            if line.startswith("=== "):
                if title is not None:
                    out.append((title, "".join(body)))
                title, body = line[4:].rstrip("\n"), []
            elif title is not None:
                body.append(line)
    if title is not None:
        out.append((title, "".join(body)))
    return out


def main():
    if yaml.__version__ != PYYAML:
        sys.exit("PyYAML %s needed, found %s" % (PYYAML, yaml.__version__))
    for path in sys.argv[1:]:
        lines = ["# PyYAML %s SafeLoader (tools/pyyaml-expect.py)" % PYYAML]
        for title, text in cases(path):
            try:
                res = expect(text)
            except Exception as e:  # noqa: BLE001 - report and stop
                sys.exit("%s: case %r: %s: %s" % (path, title, type(e).__name__, e))
            lines.append("=== " + title)
            lines.extend(res)
        dst = path[: -len(".cases")] + ".pyyaml"
        with open(dst, "w", encoding="ascii", newline="\n") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
