// run.mjs - the checks of tests/trino/ (see run.sh), on one Trino started here.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTrino } from './trino.mjs';
import { semanticOnTrino } from './semantic.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const build = path.resolve(root, process.env.BUILD || 'build');
const sigma = path.join(build, 'sigma');
const argv = process.argv.slice(2);
const verbose = argv.includes('-v');
const filters = argv.filter(a => a !== '-v');
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
  const sem = await semanticOnTrino({ trino, sigma, caseDir: path.join(root, 'tests/semantic/cases'), tmpdir, filters });
  for (const l of sem.lines) console.log(l);
  pass += sem.pass;
  fail += sem.fail;
  console.log(`semantic cases on Trino: ${sem.pass} passed, ${sem.fail} failed, ${sem.differ.length} knowingly different (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  for (const d of sem.differ) console.log(`    differs: ${d.name}: ${d.reason}`);
} catch (e) {
  bad(`trino: ${e.message}`);
} finally {
  if (trino) await trino.close();
  fs.rmSync(tmpdir, { recursive: true, force: true });
}
console.log(`trino: ${pass} passed, ${fail} failed`);
process.exitCode = fail ? 1 : 0;

function trinoVersion() {
  const cp = fs.readFileSync(path.join(root, 'tests/trino/target/classpath.txt'), 'utf8');
  const m = /trino-main\/([^/]+)\/trino-main-/.exec(cp);
  return m ? m[1] : '?';
}
