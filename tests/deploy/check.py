"""check.py - the output formats, each read back by its ecosystem's own parser.

    build/python/deploy/bin/python tests/deploy/check.py SIGMA TMPDIR

Run by tests/deploy/run.sh in the environment of tests/deploy/venv.sh (pinned cfn-lint and
python-hcl2). Every check prints "ok   what" or "FAIL what"; the last line is
"deploy-formats: N passed, M failed".

What is checked:
  * strings from rules (titles, descriptions, authors, tags, references, ids) with quotes,
    newlines, ${...} and %{...}, YAML specials, backslashes, control characters, C1 and line
    separators, non-ASCII text: json, jsonl, cloudformation (cfn-lint's own YAML loader) and
    terraform (python-hcl2, with the parse tree checked for interpolations) give back exactly
    the original strings, and the views never contain them;
  * cfn-lint reports nothing on the templates (also when split into parts, by resources and
    by bytes); the Terraform resources have the schema's arguments;
  * names: file keys, CloudFormation logical ids, Terraform labels and view names are unique,
    valid and stable; -o DIR/ writes one file per rule with the format's text for that rule;
  * the policy for existing files (--force) and atomic writing (no partial directory when a
    write fails), finalizers, options, metadata and the ATT&CK ids.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from cfnlint.decode import decode
from hcl2.api import parses_to_tree

from common import Checks, tf_blocks

SIGMA = sys.argv[1]
TMP = Path(sys.argv[2])
VENV_BIN = Path(sys.executable).parent
check = Checks("deploy-formats")



def run(*args: str, limit_bytes: int | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    def limits() -> None:
        # a file size limit makes write() fail with EFBIG (SIGXFSZ ignored), also as root
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return subprocess.run(
        [SIGMA, "convert", *args],
        capture_output=True,
        text=True,
        input=stdin,
        preexec_fn=limits if limit_bytes is not None else None,
    )


def yq(s: str) -> str:
    """A YAML double-quoted scalar of s, everything but printable ASCII escaped."""
    out = []
    for ch in s:
        c = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 0x20 <= c < 0x7F:
            out.append(ch)
        elif c <= 0xFFFF:
            out.append(f"\\u{c:04x}")
        else:
            out.append(f"\\U{c:08x}")
    return '"' + "".join(out) + '"'


def write_rule(path: Path, title: str, *, rid: str | None = None, value: str = "x", extra: str = "",
               description: str | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = f"title: {yq(title)}\n"
    if rid:
        text += f"id: {rid}\n"
    if description is not None:
        text += f"description: {yq(description)}\n"
    text += extra
    text += (
        "logsource: {product: windows, category: process_creation}\n"
        f"detection:\n    sel:\n        CommandLine|contains: {yq(value)}\n    condition: sel\n"
    )
    path.write_text(text, encoding="utf-8")


# ---------------------------------------------------------------- adversarial strings

ADVERSARIAL = [
    'He said "hi" \\ back\\slash \\n \\u0041',
    "line1\nline2\r\n\ttab\n",
    "${var.x} and %{ if true }x%{ endif } $${y} %%{z} $ { % { ${ %{",
    "key: value # comment & anchor *alias !tag | pipe > fold ? [a, b] {c: d}",
    "- leading dash",
    "yes",
    "no",
    "on",
    "null",
    "~",
    "@at `tick` 'single' quotes",
    "ctl \x01\x07\x08\x0b\x0c\x1b\x7f end",
    "C1 \x85 \x80 \x9f, LS \u2028 PS \u2029 BOM \ufeff nbsp \xa0 zwsp \u200b",
    "Ünïcödé — 日本語 🎉 \U0001F600 עברית",
    '{"json": [1, 2]} <script>alert(1)</script> ]]> --> */ -- ; DROP TABLE x;',
    "\\u0024{not interpolated} \\${x} $$ %% $",
    "ends with percent %",
    " leading and trailing spaces ",
    "!Ref AWS::StackName",
    "&anchor",
    "*alias",
    "| literal",
    "> folded",
    "%YAML 1.2",
    "---",
    "'",
    '"',
]


def adversarial_rules(d: Path) -> list[dict[str, object]]:
    """One rule per adversarial string: it is the title, in the description, author, a tag,
    a reference and the false positives, and the searched value. Returns what each rule
    gives, in file order."""
    expect = []
    for i, s in enumerate(ADVERSARIAL):
        title = s
        desc = "desc: " + s
        extra = (
            f"status: test\nlevel: high\nauthor: {yq('author ' + s)}\ndate: 2024-01-02\nmodified: 2024/02/03\n"
            f"tags: [attack.execution, attack.t1059.001, {yq('custom.' + s)}]\n"
            f"references: [{yq('https://example.com/?q=' + s)}]\n"
            f"falsepositives: [{yq(s)}, {yq('other')}]\n"
        )
        write_rule(d / f"r{i:02d}.yml", title, rid=f"00000000-0000-4000-8000-{i:012d}", value=s or "x",
                   extra=extra, description=desc)
        expect.append({"title": title, "description": desc, "author": "author " + s,
                       "tags": ["attack.execution", "attack.t1059.001", "custom." + s],
                       "references": ["https://example.com/?q=" + s], "falsepositives": [s, "other"]})
    return expect


def check_json(d: Path, expect: list[dict[str, object]]) -> list[dict[str, object]]:
    p = run("-f", "json", str(d))
    check(p.returncode == 0, "json: adversarial rules convert", p.stderr)
    got = json.loads(p.stdout)
    check(len(got) == len(expect), f"json: {len(expect)} objects")
    bad = []
    for e, g in zip(expect, got):
        for k, v in e.items():
            if g.get(k) != v:
                bad.append((k, v, g.get(k)))
    check(not bad, "json: titles, descriptions, authors, tags, references, false positives round-trip", bad[:3])
    keys = ["file", "id", "title", "type", "queries", "level", "status", "description", "author", "date",
            "modified", "tags", "attack", "logsource", "references", "falsepositives"]
    check(all(list(g) == keys for g in got), "json: the documented key order", list(got[0]))
    check(got[0]["date"] == "2024-01-02" and got[0]["modified"] == "2024/02/03", "json: dates as written")
    p = run("-f", "jsonl", str(d))
    lines = p.stdout.split("\n")
    check(p.returncode == 0 and lines[-1] == "" and [json.loads(x) for x in lines[:-1]] == got,
          "jsonl: one object per line, the objects of json")
    return got


def check_cloudformation(d: Path, expect: list[dict[str, object]], got: list[dict[str, object]]) -> None:
    out = TMP / "adv.yml"
    p = run("-f", "cloudformation", "-O", "athena_database=sec db ${x}", "-O", "athena_workgroup=wg.1-x_y",
            "-o", str(out), str(d))
    check(p.returncode == 0 and out.exists(), "cloudformation: adversarial rules convert", p.stderr)
    lint = subprocess.run([str(VENV_BIN / "cfn-lint"), str(out)], capture_output=True, text=True)
    check(lint.returncode == 0 and not lint.stdout.strip(), "cloudformation: cfn-lint reports nothing",
          lint.stdout + lint.stderr)
    tpl, matches = decode(str(out))
    check(not matches and tpl is not None, "cloudformation: cfn-lint's loader reads the template", matches)
    res = list(tpl["Resources"].items())
    check(len(res) == len(expect), f"cloudformation: {len(expect)} resources")
    bad = []
    for e, g, (lid, r) in zip(expect, got, res):
        props = r["Properties"]
        want = {"Name": e["title"], "Description": e["description"], "QueryString": g["queries"][0],
                "Database": "sec db ${x}", "WorkGroup": "wg.1-x_y"}
        if r["Type"] != "AWS::Athena::NamedQuery" or dict(props) != want or not re.fullmatch(r"[A-Za-z0-9]+", lid):
            bad.append((lid, dict(props), want))
    check(not bad, "cloudformation: Name, Description, QueryString, Database, WorkGroup round-trip", bad[:2])


TEMPLATE_NODES = {"interpolation", "template_if_start", "template_else", "template_endif", "template_for_start",
                  "template_endfor"}


def hcl_interpolations(tree: object) -> int:
    """Template interpolations and directives anywhere in python-hcl2's raw parse tree."""
    n = 0
    stack = [tree]
    while stack:
        t = stack.pop()
        data = getattr(t, "data", None)
        if data is not None:
            n += str(data) in TEMPLATE_NODES
            stack.extend(getattr(t, "children", []))
    return n


TF_ARGS = {"name", "database", "query", "workgroup", "description"}
TF_REQUIRED = {"name", "database", "query"}


def tf_resources(text: str) -> list[tuple[str, dict[str, object]]]:
    """(label, arguments) of each aws_athena_named_query ("type?label" for other resources)."""
    return [(label if rtype == "aws_athena_named_query" else f"{rtype}?{label}", args)
            for rtype, label, args in tf_blocks(text)]


def check_terraform(d: Path, expect: list[dict[str, object]], got: list[dict[str, object]]) -> None:
    p = run("-f", "terraform", "-O", "athena_database=sec ${x}", str(d))
    check(p.returncode == 0, "terraform: adversarial rules convert", p.stderr)
    check(hcl_interpolations(parses_to_tree(p.stdout)) == 0, "terraform: no interpolation or directive in the HCL")
    # the check above can fail: an unescaped ${...} is an interpolation
    seen = hcl_interpolations(parses_to_tree('x = "a ${var.b} %{ if true }b%{ endif }"\n'))
    check(seen == 3, "terraform: the check sees unescaped interpolations and directives", seen)
    res = tf_resources(p.stdout)
    check(len(res) == len(expect), f"terraform: {len(expect)} resources")
    bad = []
    for e, g, (label, args) in zip(expect, got, res):
        want = {"name": e["title"], "description": e["description"], "query": g["queries"][0],
                "database": "sec ${x}"}
        if args != want or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", label):
            bad.append((label, args, want))
    check(not bad, "terraform: name, description, query, database round-trip", bad[:2])
    schema_ok = all(TF_REQUIRED <= set(a) and set(a) <= TF_ARGS for _, a in res)
    check(schema_ok, "terraform: each resource has the schema's required arguments and no other")
    check(len({label for label, _ in res}) == len(res), "terraform: resource names are unique")


def check_views_hold_no_rule_text(d: Path) -> None:
    p = run("-f", "views", str(d))
    stmts = [s for s in p.stdout.split("\n\n") if s.strip()]
    check(p.returncode == 0 and len(stmts) == len(ADVERSARIAL), "views: one statement per query", p.stderr)
    heads = [s.split(" AS ", 1)[0] for s in stmts]
    check(all(re.fullmatch(r"CREATE OR REPLACE VIEW sigma_r\d\d", h) for h in heads),
          "views: the rule's file name names the view, nothing of its title", heads[:3])


# ---------------------------------------------------------------- names and files

def names_tree(d: Path) -> None:
    """Rules whose file names collide, several documents in one file, odd file names."""
    write_rule(d / "a" / "proc_x.yml", "A")
    write_rule(d / "b" / "proc_x.yml", "B")
    write_rule(d / "c" / "PROC_X.yml", "C")
    write_rule(d / "c" / "proc_x_2.yml", "D")
    (d / "multi.yml").write_text(
        "title: M1\nlogsource: {category: x}\ndetection: {sel: {a: 1}, condition: sel}\n---\n"
        "title: M2\nlogsource: {category: x}\ndetection: {sel: {a: 2}, condition: [sel, 'not sel']}\n",
        encoding="utf-8")
    write_rule(d / "odd name;'\"$.yml", "Odd")
    write_rule(d / "select.yml", "Reserved")
    write_rule(d / "9lives.yml", "Digit")
    # a detection error (a metadata defect such as a bad level would only warn)
    (d / "failing.yml").write_text(
        "title: Fails\nlogsource: {category: x}\ndetection: {sel: {a: 1}, condition: nosuch}\n", encoding="utf-8")


# the file keys, in input (sorted path) order: a taken name gets _2, _3 ..., the case of the
# file name is kept, and names are compared case-insensitively
NAMES = ["9lives", "proc_x", "proc_x_2", "PROC_X_3", "proc_x_2_2", "failing", "multi", "multi_2", "odd_name",
         "select"]


def check_names(d: Path) -> None:
    names_tree(d)
    p = run("-f", "json", "-s", str(d))
    files = [r["file"] for r in json.loads(p.stdout)]
    out = TMP / "names-out"
    p = run("-s", "-o", str(out) + "/", str(d))
    got = sorted(os.listdir(out)) if out.is_dir() else []
    want = sorted(n + ".sql" for n in NAMES if n != "failing")
    check(p.returncode == 0 and got == want, "-o DIR/: one file per converted rule, names unique", (got, p.stderr))
    order = [str(Path(f).relative_to(d)) for f in files]
    check(order[:5] == ["9lives.yml", "a/proc_x.yml", "b/proc_x.yml", "c/PROC_X.yml", "c/proc_x_2.yml"],
          "input in path order", order)
    multi = (out / "multi_2.sql").read_text() if (out / "multi_2.sql").exists() else ""
    check(multi.count("\n\n") == 1 and multi.endswith("\n") and multi.count("SELECT") == 2,
          "-o DIR/: a rule's queries in one file, separated as in the default format", multi)
    single = run(str(d / "a" / "proc_x.yml")).stdout
    check((out / "proc_x.sql").exists() and (out / "proc_x.sql").read_text() == single,
          "-o DIR/: a file holds the output of its rule alone")
    # stable: the same names in the same order, whatever the threads
    out2 = TMP / "names-out2"
    env = dict(os.environ, SIGMA_THREADS="1")
    subprocess.run([SIGMA, "convert", "-s", "-o", str(out2) + "/", str(d)], capture_output=True, env=env)
    same = sorted(os.listdir(out2)) == got and all((out / n).read_bytes() == (out2 / n).read_bytes() for n in got)
    check(same, "-o DIR/: the same files again (one thread)")
    # identifiers of the other formats
    p = run("-f", "cloudformation", "-O", "athena_database=db", "-s", str(d))
    tpl = p.stdout
    ids = re.findall(r"^  ([^ ].*):$", tpl, re.M)
    want_ids = ["9lives", "ProcX", "ProcX2", "PROCX3", "ProcX22", "Multi", "Multi2", "Multi22", "OddName", "Select"]
    check(ids == want_ids, "cloudformation: logical ids from the file names, unique", ids)
    p = run("-f", "terraform", "-O", "athena_database=db", "-s", str(d))
    labels = [label for label, _ in tf_resources(p.stdout)]
    want_labels = ["_9lives", "proc_x", "proc_x_2", "PROC_X_3", "proc_x_2_2", "multi", "multi_2", "multi_2_2",
                   "odd_name", "select"]
    check(labels == want_labels, "terraform: resource names from the file names, unique", labels)
    p = run("-f", "views", "-s", str(d))
    views = re.findall(r"^CREATE OR REPLACE VIEW (\S+) AS ", p.stdout, re.M)
    want_views = ["sigma_9lives", "sigma_proc_x", "sigma_proc_x_2", "sigma_proc_x_3", "sigma_proc_x_2_2",
                  "sigma_multi", "sigma_multi_2", "sigma_multi_2_2", "sigma_odd_name", "sigma_select"]
    check(views == want_views, "views: view names from the file names, unique", views)
    p = run("-f", "views", "-O", "view_prefix=", "-s", str(d))
    views = re.findall(r"^CREATE OR REPLACE VIEW (\S+) AS ", p.stdout, re.M)
    check(views[0] == '"9lives"' and views[-1] == '"select"' and views[1] == "proc_x",
          "views: an empty prefix quotes reserved and digit names", views)
    p = run("-f", "views", "-O", "view_prefix=detections.s_", "-s", str(d))
    check(p.stdout.startswith("CREATE OR REPLACE VIEW detections.s_9lives AS SELECT"), "views: a prefix with a schema",
          p.stdout[:100])


def check_dir_policy(d: Path) -> None:
    d.mkdir(parents=True)
    write_rule(d / "one.yml", "One")
    write_rule(d / "two.yml", "Two")
    out = TMP / "policy"
    p = run("-f", "json", "-o", str(out) + "/", str(d))
    check(p.returncode == 0 and sorted(os.listdir(out)) == ["one.json", "two.json"], "-o DIR/ creates the directory")
    one = json.loads((out / "one.json").read_text())
    check(isinstance(one, list) and len(one) == 1 and one[0]["title"] == "One", "-o DIR/ -f json: the array of one rule")
    # existing files: refused without --force, before anything is written
    (out / "two.json").write_text("old\n")
    (out / "keep.txt").write_text("mine\n")
    write_rule(d / "three.yml", "Three")
    p = run("-f", "json", "-o", str(out), str(d))
    check(p.returncode == 2 and "--force" in p.stderr and "2 of the 3 output files exist" in p.stderr,
          "-o DIR: existing files are a usage error naming --force", p.stderr)
    check(sorted(os.listdir(out)) == ["keep.txt", "one.json", "two.json"] and (out / "two.json").read_text() == "old\n",
          "-o DIR: nothing written when refused")
    p = run("-f", "json", "--force", "-o", str(out), str(d))
    check(p.returncode == 0 and sorted(os.listdir(out)) == ["keep.txt", "one.json", "three.json", "two.json"]
          and json.loads((out / "two.json").read_text())[0]["title"] == "Two"
          and (out / "keep.txt").read_text() == "mine\n",
          "--force overwrites the rules' files, leaves other files alone", p.stderr)
    # a directory where a file would go is an error even with --force
    (out / "four.json").mkdir()
    write_rule(d / "four.yml", "Four")
    p = run("-f", "json", "--force", "-o", str(out), str(d))
    check(p.returncode == 1 and "four.json" in p.stderr and (out / "four.json").is_dir(),
          "--force does not replace a directory", p.stderr)
    (out / "four.json").rmdir()
    (d / "four.yml").unlink()
    # a write that fails: no partial directory, nothing moved, no temporary left
    write_rule(d / "zzz_big.yml", "Big", value="b" * 20000)
    new = TMP / "failing-new"
    p = run("-o", str(new) + "/", str(d), limit_bytes=8192)
    leftovers = [n for n in os.listdir(TMP) if n.startswith("failing-new")]
    check(p.returncode == 1 and not new.exists() and not leftovers, "-o DIR/: a failed write leaves no directory",
          (p.returncode, p.stderr, leftovers))
    before = {n: (out / n).read_bytes() for n in os.listdir(out)}
    p = run("-f", "json", "--force", "-o", str(out), str(d), limit_bytes=8192)
    after = {n: (out / n).read_bytes() for n in os.listdir(out)}
    check(p.returncode == 1 and after == before, "-o DIR: a failed write changes nothing in the directory",
          (p.returncode, p.stderr, sorted(after)))
    (d / "zzz_big.yml").unlink()
    # -o FILE is still replaced whole
    f = TMP / "whole.sql"
    f.write_text("old")
    p = run("-o", str(f), str(d))
    check(p.returncode == 0 and f.read_text().count("SELECT") == 3, "-o FILE replaces the file")
    p = run("-o", str(f), str(d), limit_bytes=100)
    check(p.returncode == 1 and f.read_text().count("SELECT") == 3 and not list(TMP.glob("whole.sql.tmp*")),
          "-o FILE: a failed write keeps the old file", p.stderr)
    p = run("-o", str(TMP / "no" / "such") + "/", str(d))
    check(p.returncode == 1 and not (TMP / "no").exists(), "-o DIR/ in a missing parent is an error", p.stderr)


def check_parts(d: Path) -> None:
    """Templates over 400 resources or 800,000 bytes are split into parts."""
    for i in range(450):
        write_rule(d / "many" / f"rule_{i:03d}.yml", f"Rule {i}", value=f"v{i}")
    for i in range(5):
        write_rule(d / "big" / f"big_{i}.yml", f"Big {i}", value=chr(ord("a") + i) * 200000)
    out = TMP / "parts" / "stack.yml"
    out.parent.mkdir()
    p = run("-f", "cloudformation", "-O", "athena_database=db", "-o", str(out), str(d / "many"))
    parts = sorted(os.listdir(out.parent))
    check(p.returncode == 0 and parts == ["stack-1.yml", "stack-2.yml"], "cloudformation: 450 queries in 2 parts",
          (parts, p.stderr))
    counts = [len(decode(str(out.parent / n))[0]["Resources"]) for n in parts]
    check(counts == [400, 50], "cloudformation: parts of 400 resources at most, in input order", counts)
    p = run("-f", "cloudformation", "-O", "athena_database=db", "-o", str(TMP / "parts" / "big.yml"), str(d / "big"))
    big = sorted(n for n in os.listdir(out.parent) if n.startswith("big"))
    sizes = [(out.parent / n).stat().st_size for n in big]
    check(p.returncode == 0 and len(big) == 2 and max(sizes) <= 800000, "cloudformation: parts of 800,000 bytes at most",
          (big, sizes))
    lint = subprocess.run([str(VENV_BIN / "cfn-lint"), *[str(out.parent / n) for n in parts + big]],
                          capture_output=True, text=True)
    check(lint.returncode == 0 and not lint.stdout.strip(), "cloudformation: cfn-lint reports nothing on each part",
          lint.stdout)
    p = run("-f", "cloudformation", "-O", "athena_database=db", str(d / "many"))
    check(p.returncode == 2 and not p.stdout and "-o FILE" in p.stderr, "cloudformation: several parts need -o",
          p.stderr)
    # a query over Athena's limit is left out of the deployment formats, with a warning
    write_rule(d / "huge" / "huge.yml", "Huge", value="h" * 270000)
    write_rule(d / "huge" / "small.yml", "Small")
    for fmt in ("cloudformation", "terraform"):
        p = run("-f", fmt, "-O", "athena_database=db", str(d / "huge"))
        check(p.returncode == 0 and "Huge" not in p.stdout and '"Small"' in p.stdout
              and "left out of the " + fmt in p.stderr, f"{fmt}: a query over Athena's limit is left out", p.stderr)
    p = run("-f", "views", str(d / "huge"))
    check(p.stdout.count("CREATE OR REPLACE VIEW") == 2, "views: a query over Athena's limit is kept (with the warning)")


def check_options_and_finalizers(d: Path) -> None:
    d.mkdir(parents=True)
    write_rule(d / "r.yml", "R")
    for fmt in ("cloudformation", "terraform"):
        p = run("-f", fmt, str(d))
        check(p.returncode == 2 and "athena_database" in p.stderr and not p.stdout, f"{fmt} needs athena_database")
    for opt in ("athena_workgroup=bad name", "athena_workgroup=", "athena_database=", "athena_database=a\tb",
                "view_prefix=a-b", "view_prefix=select.x_", "view_prefix=1x.y"):
        p = run("-f", "views", "-O", opt, str(d))
        check(p.returncode == 2 and "invalid value" in p.stderr, f"invalid -O {opt}", p.stderr)
    p = run("-f", "xml", str(d))
    check(p.returncode == 2 and "'xml' is not one of" in p.stderr, "an unknown format is a usage error")
    pipe = TMP / "concat.yml"
    pipe.write_text("name: c\npriority: 10\nfinalizers:\n  - type: concat\n    separator: ' UNION '\n")
    p = run("-p", str(pipe), str(d))
    check(p.returncode == 0 and p.stdout.startswith("SELECT"), "a finalizer with -f default")
    for args in (["-f", "views"], ["-f", "jsonl"], ["-o", str(TMP / "fin") + "/"]):
        p = run("-p", str(pipe), *args, str(d))
        check(p.returncode == 2 and "finalizers" in p.stderr and not (TMP / "fin").exists(),
              f"a finalizer with {' '.join(args)} is a usage error", p.stderr)


def check_attack() -> None:
    tags = ("[attack.execution, attack.t1059.001, attack.T1003, attack.defense_evasion, attack.stealth, "
            "attack.Defense-Impairment, attack.command_and_control, attack.g0016, attack.s0002, attack.t12, "
            "attack.t1059.001, attack.t1059.0011, attack.unknown-tactic, cve.2021-44228]")
    text = ("title: T\nlogsource: {category: x}\ndetection: {sel: {a: 1}, condition: sel}\n"
            f"tags: {tags}\n")
    p = run("-f", "jsonl", "-", stdin=text)
    o = json.loads(p.stdout)
    check(o["attack"]["techniques"] == ["T1059.001", "T1003"], "ATT&CK technique ids, each once", o["attack"])
    want = [{"id": "TA0002", "name": "Execution"}, {"id": "TA0005", "name": "Stealth"},
            {"id": "TA0112", "name": "Defense Impairment"}, {"id": "TA0011", "name": "Command and Control"}]
    check(o["attack"]["tactics"] == want, "ATT&CK tactics (v19), each once", o["attack"]["tactics"])
    check(o["logsource"] == {"category": "x", "product": None, "service": None, "definition": None}
          and o["level"] is None and o["references"] == [], "absent metadata is null or []")


def main() -> int:
    adv = TMP / "adversarial"
    expect = adversarial_rules(adv)
    got = check_json(adv, expect)
    check_cloudformation(adv, expect, got)
    check_terraform(adv, expect, got)
    check_views_hold_no_rule_text(adv)
    check_names(TMP / "names")
    check_dir_policy(TMP / "policy-rules")
    check_parts(TMP / "parts-rules")
    check_options_and_finalizers(TMP / "options")
    check_attack()
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
