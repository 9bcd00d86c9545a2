"""corpus.py - every output format on a whole rule folder of the shared corpus.

    build/python/deploy/bin/python tests/deploy/corpus.py SIGMA RULES_DIR TMPDIR TRINO_CHECK_DIR

Run by tests/corpus/check.sh (only when ../shared exists) in the environment of
tests/deploy/venv.sh. For the folder, converted with -s -O keyword_fields=raw_data:
  * -o DIR/ writes one file per rule (and correlation) that has queries, in every format; the
    default format's files hold exactly the queries of their rule;
  * jsonl has one line per result, the objects of json;
  * cloudformation: the parts of -o FILE hold every query within Athena's limit, each part
    within 400 resources and 800,000 bytes, and cfn-lint reports nothing on any part; every
    per-rule template reads back with its rule's resources;
  * terraform: the HCL parses with one aws_athena_named_query per query within the limit,
    names unique (also across the per-rule files, which form one module), the schema's
    arguments present;
  * views: one statement per query, every one accepted by the Trino grammar
    (trino_syntax.mjs of the shared harness), view names unique.
Prints "ok   ..." / "FAIL ..." lines and "deploy-corpus: N passed, M failed".
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

from cfnlint.decode import decode

from common import Checks, tf_blocks

SIGMA, RULES, TMP, TC = sys.argv[1], sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
BIN = Path(sys.executable).parent
LIMIT = 262144
OPTS = ["-s", "-O", "keyword_fields=raw_data", "-O", "athena_database=security", "-O", "athena_workgroup=primary"]
check = Checks("deploy-corpus")


def convert(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SIGMA, "convert", *OPTS, *args, RULES], capture_output=True, text=True)


def tf_resources(text: str) -> list[tuple[str, dict[str, object]]]:
    return [(label, args) for rtype, label, args in tf_blocks(text) if rtype == "aws_athena_named_query"]


def main() -> int:
    p = convert("-f", "json")
    results = json.loads(p.stdout)
    with_q = [r for r in results if r.get("queries")]
    nq = sum(len(r["queries"]) for r in with_q)
    fits = sum(1 for r in with_q for q in r["queries"] if len(q.encode()) <= LIMIT)
    deployable = sum(1 for r in with_q if any(len(q.encode()) <= LIMIT for q in r["queries"]))
    kinds = Counter(r["type"] for r in with_q)
    print(f"     {len(results)} results, {len(with_q)} with queries ({dict(kinds)}), {nq} queries, "
          f"{nq - fits} over Athena's limit")

    # -o DIR/ in every format
    for fmt, ext, want in (("default", ".sql", len(with_q)), ("json", ".json", len(with_q)),
                           ("jsonl", ".jsonl", len(with_q)), ("cloudformation", ".yml", deployable),
                           ("terraform", ".tf", deployable), ("views", ".sql", len(with_q))):
        d = TMP / f"dir-{fmt}"
        p = convert("-f", fmt, "-o", str(d) + "/")
        names = os.listdir(d) if d.is_dir() else []
        check(p.returncode == 0 and len(names) == want and all(n.endswith(ext) for n in names),
              f"-o DIR/ -f {fmt}: {len(names)} files, one per rule with queries ({want})", p.stderr[-500:])
    got = Counter((TMP / "dir-default" / n).read_text() for n in os.listdir(TMP / "dir-default"))
    want_texts = Counter("\n\n".join(r["queries"]) + "\n" for r in with_q)
    check(got == want_texts, "-o DIR/ -f default: each file holds the queries of its rule")

    p = convert("-f", "jsonl")
    lines = p.stdout.splitlines()
    check(len(lines) == len(results) and [json.loads(x) for x in lines] == results,
          f"jsonl: {len(lines)} lines, the objects of json")

    # cloudformation: parts, cfn-lint
    stack = TMP / "cfn" / "detections.yml"
    stack.parent.mkdir()
    p = convert("-f", "cloudformation", "-o", str(stack))
    parts = sorted((stack.parent / n for n in os.listdir(stack.parent)), key=lambda x: int(x.stem.rsplit("-", 1)[1]))
    counts = [len(decode(str(x))[0]["Resources"]) for x in parts]
    sizes = [x.stat().st_size for x in parts]
    check(p.returncode == 0 and sum(counts) == fits and max(counts) <= 400 and max(sizes) <= 800000,
          f"cloudformation: {len(parts)} templates, {sum(counts)} resources ({counts}), at most {max(sizes)} bytes",
          p.stderr[-500:])
    lint = subprocess.run([str(BIN / "cfn-lint"), *map(str, parts)], capture_output=True, text=True)
    check(lint.returncode == 0 and not lint.stdout.strip(), f"cfn-lint: no finding on any of the {len(parts)} templates",
          lint.stdout[-1500:])
    per = TMP / "dir-cloudformation"
    n_res = sum(len(decode(str(per / n))[0]["Resources"]) for n in os.listdir(per))
    check(n_res == fits, f"cloudformation -o DIR/: the {len(os.listdir(per))} templates hold {n_res} resources")

    # terraform: one resource per query, the schema's arguments, names unique
    p = convert("-f", "terraform")
    res = tf_resources(p.stdout)
    labels = [label for label, _ in res]
    args_ok = all({"name", "database", "query"} <= set(a) <= {"name", "database", "query", "workgroup", "description"}
                  for _, a in res)
    check(p.returncode == 0 and len(res) == fits and len(set(labels)) == len(labels) and args_ok,
          f"terraform: the HCL parses, {len(res)} aws_athena_named_query resources, names unique, arguments")
    module = [r for n in sorted(os.listdir(TMP / "dir-terraform"))
              for r in tf_resources((TMP / "dir-terraform" / n).read_text())]
    check(len(module) == fits and len({label for label, _ in module}) == fits,
          f"terraform -o DIR/: the files form one module of {len(module)} resources")

    # views: the Trino grammar
    p = convert("-f", "views")
    stmts = [s for s in p.stdout.split("\n\n") if s.strip()]
    names = [re.match(r"CREATE OR REPLACE VIEW (\S+) AS ", s).group(1) for s in stmts]  # type: ignore[union-attr]
    check(len(stmts) == nq and len(set(names)) == nq and all(s.rstrip().endswith(";") for s in stmts),
          f"views: {len(stmts)} statements, view names unique")
    qfile = TMP / "views.json"
    qfile.write_text(json.dumps({"views": {"queries": [s.rstrip() for s in stmts]}}))
    out = subprocess.run(["node", str(TC / "trino_syntax.mjs"), str(qfile), "--no-duckdb"], capture_output=True,
                         text=True).stdout
    tot = re.search(r"TOTAL queries=(\d+) pass=(\d+) fail=(\d+)", out)
    check(bool(tot) and tot.group(1) == str(nq) and tot.group(3) == "0",  # type: ignore[union-attr]
          f"views: the Trino grammar accepts every statement ({tot.group(0) if tot else out[-300:]})")

    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
