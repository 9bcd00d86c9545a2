#!/usr/bin/env python3
"""python_speed.py - pySigma with the libsigma backend against the Python reference backend
(pySigma-backend-athena) on a whole rule folder, in one run.

    build/python/pysigma2/bin/python bench/python_speed.py [--reference DIR] [--runs N] [RULES]

RULES defaults to ../shared/corpus/sigmahq/rules. Run it with the pySigma 2.x test environment
(sh tools/setup.sh --test), where the libsigma package is installed by python/tests/run.sh.

pySigma-backend-athena is not on PyPI: --reference DIR names a checkout of it (the directory that
holds sigma/backends/athena/); without one, the reference is left out and only the other rows are
measured. Each measurement runs in a fresh Python process (imports are timed apart); the rows
alternate run by run so that all see the same machine, and the median of --runs runs is reported,
as wall time and as the process's CPU time (all threads), which a busy machine disturbs less:

  load         SigmaCollection.load_ruleset of every *.yml file (collect_errors=True), as sigma-cli
               loads rules; the part every pySigma backend pays
  libsigma     load + LibsigmaBackend(collect_errors=True).convert(collection)
  reference    load + athenaBackend: convert_rule for each rule, an exception counted as a failed
               rule (the reference raises NotImplementedError, not a SigmaError, for some rules, so
               collect_errors alone would stop the run)
  C direct     libsigma.convert_paths(RULES): the same conversion without pySigma

The ratios printed at the end compare the medians of one run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

WORKER = r"""
import json, sys, time
t0, c0 = time.perf_counter(), time.process_time()
mode, rules = sys.argv[1], sys.argv[2]
import libsigma
if mode != "direct":
    from sigma.collection import SigmaCollection
t1, c1 = time.perf_counter(), time.process_time()
out = {"import": t1 - t0}
if mode == "direct":
    results = libsigma.convert_paths(rules)
    t2, c2 = time.perf_counter(), time.process_time()
    out.update(load=0.0, convert=t2 - t1, load_cpu=0.0, convert_cpu=c2 - c1,
               queries=len(results.queries), failed=len(results.errors))
else:
    paths = libsigma.expand_paths(rules)
    collection = SigmaCollection.load_ruleset(paths, collect_errors=True)
    t2, c2 = time.perf_counter(), time.process_time()
    out["load"], out["load_cpu"] = t2 - t1, c2 - c1
    if mode == "libsigma":
        from libsigma.pysigma import LibsigmaBackend
        backend = LibsigmaBackend(collect_errors=True)
        queries = backend.convert(collection)
        out.update(queries=len(queries), failed=len(backend.errors))
    elif mode == "reference":
        from sigma.backends.athena import athenaBackend
        backend = athenaBackend(collect_errors=True)
        backend.init_processing_pipeline()
        n = failed = 0
        for rule in collection.rules:
            try:
                n += len(backend.convert_rule(rule))
            except Exception:
                failed += 1
        out.update(queries=n, failed=failed + len(backend.errors))
    out["convert"], out["convert_cpu"] = time.perf_counter() - t2, time.process_time() - c2
print(json.dumps(out))
"""


def run_worker(mode: str, rules: str, reference: str | None) -> dict[str, float]:
    env = dict(os.environ)
    if mode == "reference" and reference:
        env["PYTHONPATH"] = reference + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run([sys.executable, "-c", WORKER, mode, rules], capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise SystemExit(f"{mode}: the worker failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("rules", nargs="?", default=str(REPO.parent / "shared" / "corpus" / "sigmahq" / "rules"))
    ap.add_argument("--reference", help="a checkout of pySigma-backend-athena (holding sigma/backends/athena)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    if not Path(args.rules).is_dir():
        print(f"python_speed: no rule folder {args.rules}", file=sys.stderr)
        return 2
    reference = args.reference
    if reference and not (Path(reference) / "sigma" / "backends" / "athena").is_dir():
        print(f"python_speed: {reference} holds no sigma/backends/athena", file=sys.stderr)
        return 2

    import libsigma
    import sigma.collection  # noqa: F401  (the environment has pySigma)
    from importlib.metadata import version

    files = len(libsigma.expand_paths(args.rules))
    print(f"rules: {args.rules} ({files} files); Python {sys.version.split()[0]}, pySigma {version('pySigma')}, "
          f"libsigma {libsigma.__version__}; {args.runs} runs, medians")
    modes = ["direct", "libsigma"] + (["reference"] if reference else [])
    samples: dict[str, list[dict[str, float]]] = {m: [] for m in modes}
    for _ in range(args.runs):
        for m in modes:
            samples[m].append(run_worker(m, args.rules, reference))

    def med(m: str, key: str) -> float:
        return statistics.median(s[key] for s in samples[m])

    def total(m: str, cpu: str = "") -> float:
        return statistics.median(s["load" + cpu] + s["convert" + cpu] for s in samples[m])

    names = {"direct": "C direct (convert_paths)", "libsigma": "pySigma + libsigma", "reference": "pySigma + reference"}
    print(f"{'':26} {'import':>7} {'load':>7} {'convert':>8} {'total':>7} {'load':>7} {'convert':>8} {'total':>7}"
          f" {'queries':>8} {'failed':>7}")
    print(f"{'':26} {'wall s':>7} {'wall s':>7} {'wall s':>8} {'wall s':>7} {'cpu s':>7} {'cpu s':>8} {'cpu s':>7}")
    for m in modes:
        last = samples[m][-1]
        print(f"{names[m]:26} {med(m, 'import'):7.3f} {med(m, 'load'):7.3f} {med(m, 'convert'):8.3f} {total(m):7.3f}"
              f" {med(m, 'load_cpu'):7.3f} {med(m, 'convert_cpu'):8.3f} {total(m, '_cpu'):7.3f}"
              f" {int(last['queries']):8d} {int(last['failed']):7d}")
    if reference:
        for label, cpu in (("wall", ""), ("cpu", "_cpu")):
            print(f"reference / libsigma ({label}): convert {med('reference', 'convert' + cpu) / med('libsigma', 'convert' + cpu):.1f}x,"
                  f" load+convert {total('reference', cpu) / total('libsigma', cpu):.2f}x")
    print(f"pySigma + libsigma / C direct (cpu): load+convert {total('libsigma', '_cpu') / total('direct', '_cpu'):.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
