// views.mjs - the views format run on an engine: `sigma convert -f views` of
// the rules of views-cases.mjs executed in DuckDB with the Trino shims of the
// semantic tests (tests/semantic/harness.mjs), then every view queried: each
// must return exactly the events its rule matches. tests/trino/views.mjs runs
// the same on Trino.
//
//     BUILD=build node tests/deploy/views.mjs
//
// Prints one line per check and "deploy-views: N passed, M failed".
import { DuckDBInstance, SHIMS, rewriteTrino, sqlString } from '../semantic/harness.mjs';
import { RULES, EXPECT, EVENTS } from './views-cases.mjs';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const sigma = path.join(path.resolve(root, process.env.BUILD || 'build'), 'sigma');

let pass = 0, fail = 0;
const check = (ok, what, detail) => {
  if (ok) { pass++; console.log(`ok   ${what}`); }
  else { fail++; console.log(`FAIL ${what}${detail === undefined ? '' : `\n     ${detail}`}`); }
};

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sigma-views-'));
try {
  for (const [name, text] of Object.entries(RULES)) fs.writeFileSync(path.join(tmp, name), text);
  const p = spawnSync(sigma, ['convert', '-f', 'views', '-O', 'table=events', tmp], { encoding: 'utf8' });
  check(p.status === 0, 'sigma convert -f views', p.stderr);
  const stmts = p.stdout.split('\n\n').map(s => s.trim()).filter(Boolean);
  check(stmts.every(s => /^CREATE OR REPLACE VIEW [a-z_][a-z0-9_]* AS (SELECT|WITH) .*;$/s.test(s)),
    'every statement is CREATE OR REPLACE VIEW <name> AS <query>;', stmts.map(s => s.slice(0, 60)).join(' | '));
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  await db.run("SET TimeZone = 'UTC'");
  for (const s of SHIMS) await db.run(s);
  const cols = ['Image', 'CommandLine', 'User', 'Host'];
  await db.run(`CREATE TABLE events (id INTEGER, ${cols.map(c => `"${c}" VARCHAR`).join(', ')}, time TIMESTAMP)`);
  for (const e of EVENTS)
    await db.run(`INSERT INTO events VALUES (${e.id}, ${cols.map(c => sqlString(e[c])).join(', ')}, TIMESTAMP ${sqlString(e.time)})`);
  const names = [];
  for (const s of stmts) {
    const name = s.match(/^CREATE OR REPLACE VIEW (\S+) AS /)[1];
    names.push(name);
    try {
      await db.run(rewriteTrino(s));
      check(true, `DuckDB runs the statement of ${name}`);
    } catch (e) {
      check(false, `DuckDB runs the statement of ${name}`, e.message.split('\n')[0]);
    }
  }
  check(JSON.stringify(names) === JSON.stringify(Object.keys(EXPECT)), 'the views and their names',
    JSON.stringify(names));
  // running them all again replaces the views (OR REPLACE)
  let again = true;
  for (const s of stmts) {
    try { await db.run(rewriteTrino(s)); } catch (e) { again = false; }
  }
  check(again, 'the statements run twice (OR REPLACE)');
  for (const [name, want] of Object.entries(EXPECT)) {
    try {
      const r = await db.runAndReadAll(`SELECT DISTINCT id FROM ${name} ORDER BY id`);
      const got = r.getRowsJS().map(x => Number(x[0]));
      check(JSON.stringify(got) === JSON.stringify(want), `view ${name} returns ${JSON.stringify(want)}`,
        `got ${JSON.stringify(got)}`);
    } catch (e) {
      check(false, `view ${name} can be queried`, e.message.split('\n')[0]);
    }
  }
} catch (e) {
  check(false, 'views test', e.stack);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
console.log(`deploy-views: ${pass} passed, ${fail} failed`);
process.exitCode = fail ? 1 : 0;
