// run.mjs - the checks of tests/trino/ (see run.sh), on one Trino started here.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTrino } from './trino.mjs';
import { semanticOnTrino } from './semantic.mjs';
import { awsOnTrino } from './aws.mjs';
import { goldenOnTrino } from './golden.mjs';
import { corpusOnTrino, FOLDERS } from './corpus.mjs';
import { regexDifferential, regexOnTrino } from './regex.mjs';
import { viewsOnTrino } from './views.mjs';
import { spawnSync } from 'node:child_process';
import { build, cli, root, sigma } from '../semantic/cases.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { verbose, filters } = cli();
const shared = path.resolve(root, process.env.SHARED || '../shared');

let pass = 0, fail = 0;
const ok = msg => { pass++; console.log(`ok   ${msg}`); };
const bad = (msg, lines = []) => { fail++; console.log(`FAIL ${msg}`); for (const l of lines) console.log(l); };

const tmpdir = fs.mkdtempSync(path.join(os.tmpdir(), 'sigma-trino-'));
let trino = null;
try {
  const log = path.join(build, 'trino', 'server.log');
  trino = await startTrino({ root, log, javaHome: process.env.JAVA_HOME, classes: path.join(build, 'trino', 'classes') });
  ok(`Trino ${trinoVersion()} started in ${(trino.startMs / 1000).toFixed(1)} s at ${trino.url}`);

  const t0 = Date.now();
  const sem = await semanticOnTrino({ trino, caseDir: path.join(root, 'tests/semantic/cases'), tmpdir, filters });
  for (const l of sem.lines) console.log(l);
  pass += sem.pass;
  fail += sem.fail;
  console.log(`semantic cases on Trino: ${sem.pass} passed, ${sem.fail} failed, ${sem.differ.length} knowingly different (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  for (const d of sem.differ) console.log(`    differs: ${d.name}: ${d.reason}`);

  if (!filters.length) {
    const tg = Date.now();
    const gold = await goldenOnTrino({ trino, root });
    for (const l of gold.lines) console.log(l);
    pass += gold.pass;
    fail += gold.fail;
    console.log(`golden SQL on schema tables: ${gold.pass} passed, ${gold.fail} failed (${((Date.now() - tg) / 1000).toFixed(1)} s)`);

    const ta = Date.now();
    const aws = await awsOnTrino({ trino, sigma, root, tmpdir, corpusDir: path.join(shared, 'corpus/sigmahq') });
    for (const l of aws.lines) console.log(l);
    for (const l of aws.summary) console.log(`     ${l}`);
    pass += aws.pass;
    fail += aws.fail;
    console.log(`AWS layouts on Trino: ${aws.pass} passed, ${aws.fail} failed (${((Date.now() - ta) / 1000).toFixed(1)} s)`);
  }

  const t1 = Date.now();
  const rx = await regexOnTrino({ trino, sigma, tmpdir, file: path.join(here, 'regex.yml'), helper: path.join(build, 'trino', 'pcre_match') });
  for (const l of rx.lines) if (verbose || l.startsWith('FAIL') || l.startsWith('    ')) console.log(l);
  pass += rx.pass;
  fail += rx.fail;
  console.log(`regex proofs on Trino: ${rx.pass} passed, ${rx.fail} failed (${((Date.now() - t1) / 1000).toFixed(1)} s)`);
  const t2 = Date.now();
  const dif = await regexDifferential({ trino, sigma, tmpdir, helper: path.join(build, 'trino', 'pcre_match') });
  (dif.ok ? ok : bad)(`${dif.msg} (${((Date.now() - t2) / 1000).toFixed(1)} s)`, dif.lines.slice(0, 20));

  const t3 = Date.now();
  const views = await viewsOnTrino({ trino, sigma, tmpdir });
  for (const l of views.lines) console.log(l);
  pass += views.pass;
  fail += views.fail;
  console.log(`views on Trino: ${views.pass} passed, ${views.fail} failed (${((Date.now() - t3) / 1000).toFixed(1)} s)`);

  if (!filters.length && fs.existsSync(path.join(shared, 'corpus/sigmahq'))) await corpus();
} catch (e) {
  bad(`trino: ${e.message}`);
} finally {
  if (trino) await trino.close();
  fs.rmSync(tmpdir, { recursive: true, force: true });
}
console.log(`trino: ${pass} passed, ${fail} failed`);
process.exitCode = fail ? 1 : 0;

// The shared corpus: analysis, regexes, and the regression events compared with DuckDB.
async function corpus() {
  const t0 = Date.now();
  const r = await corpusOnTrino({ trino, sigma, shared, tmpdir, log: m => console.log(`     ${m}`) });
  for (const c of r.checks) (c.ok ? ok(c.msg) : bad(c.msg, c.lines));
  // DuckDB's verdicts: the shared harness, as tests/corpus/check.sh runs it
  const tc = path.join(tmpdir, 'tc');
  fs.cpSync(path.join(shared, 'tools/trino-check'), tc, { recursive: true });
  spawnSync('chmod', ['-R', 'u+w', tc]);
  const npm = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: tc, encoding: 'utf8' });
  if (npm.status !== 0) { bad(`npm ci of the shared harness: ${npm.stderr.slice(0, 300)}`); return; }
  const args = [path.join(tc, 'regress.mjs'), '--sigma', path.join(shared, 'corpus/sigmahq'), '--json', path.join(tmpdir, 'duck.json')];
  for (const f of FOLDERS) args.push(path.join(tmpdir, `${f}.json`), f);
  const reg = spawnSync('node', args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (reg.status !== 0 || !fs.existsSync(path.join(tmpdir, 'duck.json'))) { bad(`regress.mjs (DuckDB) failed: ${reg.stderr.slice(0, 300)}`); return; }
  const duck = JSON.parse(fs.readFileSync(path.join(tmpdir, 'duck.json'), 'utf8'));
  const duckMatched = new Set(duck.results.filter(x => x.status === 'matched' || x.status === 'matched-but-trino-would-fail').map(x => `${x.folder}/${x.rule} ${x.info}`));
  const only = (a, b) => [...a].filter(x => !b.has(x)).sort();
  const tOnly = only(r.trinoMatched, duckMatched), dOnly = only(duckMatched, r.trinoMatched);
  const same = r.trinoMatched.size === duckMatched.size && !tOnly.length && !dOnly.length;
  const msg = `regression events on Trino: ${r.trinoMatched.size} of ${r.tests.length} tests matched, DuckDB ${duckMatched.size} of ${duck.results.length}; ${r.trinoErrors.length} Trino errors (${r.seconds.toFixed(1)} s)`;
  (same && !r.trinoErrors.length ? ok : bad)(msg, [
    ...dOnly.map(x => `    matched by DuckDB only: ${x}`), ...tOnly.map(x => `    matched by Trino only: ${x}`),
    ...r.trinoErrors.map(([t, v]) => `    Trino error: ${r.key(t)}: ${v.error}`)]);
  console.log(`     corpus on Trino: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

function trinoVersion() {
  const cp = fs.readFileSync(path.join(root, 'tests/trino/target/classpath.txt'), 'utf8');
  const m = /trino-main\/([^/]+)\/trino-main-/.exec(cp);
  return m ? m[1] : '?';
}
