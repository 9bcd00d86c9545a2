// views.mjs - the views format on Trino: the rules of
// tests/deploy/views-cases.mjs converted with `sigma convert -f views -O
// table=events`, every statement run unchanged (CREATE OR REPLACE VIEW, twice)
// in a schema of its own, then every view queried: each must return exactly
// the events its rule matches (as it must on DuckDB, tests/deploy/views.mjs).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { quoteIdent, sqlString } from './trino.mjs';
import { RULES, EXPECT, EVENTS } from '../deploy/views-cases.mjs';

// -> { pass, fail, lines }
export async function viewsOnTrino({ trino, sigma, tmpdir }) {
  let pass = 0, fail = 0;
  const lines = [];
  const check = (ok, what, detail) => {
    if (ok) pass++;
    else { fail++; lines.push(`FAIL views on Trino: ${what}`, ...(detail ? [`    ${detail}`] : [])); }
  };
  const dir = path.join(tmpdir, 'views-rules');
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(RULES)) fs.writeFileSync(path.join(dir, name), text);
  const p = spawnSync(sigma, ['convert', '-f', 'views', '-O', 'table=events', dir], { encoding: 'utf8' });
  check(p.status === 0, 'sigma convert -f views', p.stderr);
  const stmts = p.stdout.split('\n\n').map(s => s.trim()).filter(Boolean);
  const schema = 'views';
  await trino.query(`CREATE SCHEMA ${schema}`);
  try {
    const cols = ['Image', 'CommandLine', 'User', 'Host'];
    await trino.query(`CREATE TABLE events (id INTEGER, ${cols.map(c => `${quoteIdent(c)} VARCHAR`).join(', ')}, time TIMESTAMP(6))`, { schema });
    await trino.query(`INSERT INTO events VALUES ${EVENTS.map(e =>
      `(${e.id}, ${cols.map(c => sqlString(e[c])).join(', ')}, TIMESTAMP ${sqlString(e.time)})`).join(', ')}`, { schema });
    const names = [];
    for (const round of [1, 2]) {
      for (const s of stmts) {
        const name = (/^CREATE OR REPLACE VIEW (\S+) AS /.exec(s) || [])[1];
        if (round === 1) names.push(name);
        // the statement as written, without the ';' that ends it in the file
        try {
          await trino.query(s.replace(/;$/, ''), { schema });
          check(true);
        } catch (e) {
          check(false, `${name} (round ${round})`, e.message);
        }
      }
    }
    check(JSON.stringify(names) === JSON.stringify(Object.keys(EXPECT)), 'the view names', JSON.stringify(names));
    for (const [name, want] of Object.entries(EXPECT)) {
      try {
        const r = await trino.query(`SELECT DISTINCT id FROM ${name} ORDER BY id`, { schema });
        const got = r.rows.map(x => Number(x[0]));
        check(JSON.stringify(got) === JSON.stringify(want), `${name} returns ${JSON.stringify(want)}`, `got ${JSON.stringify(got)}`);
      } catch (e) {
        check(false, `${name} can be queried`, e.message);
      }
    }
  } finally {
    await trino.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => {});
  }
  return { pass, fail, lines };
}
