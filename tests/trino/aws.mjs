// aws.mjs - the AWS table layouts of tests/aws on Trino.
//
// The same events, transformers, rules, conversions and verdicts as
// tests/aws/run.mjs (tests/aws/lib/suite.mjs), for the layouts whose tables
// have a schema (security_lake, cloudtrail_schema, cloudtrail_table): each
// layout's tables are created with their exact Glue types as Trino types
// (ROW, MAP, ARRAY, INTEGER, BIGINT, BOOLEAN, TIMESTAMP; JSON text as
// VARCHAR) in a schema of their own, filled with the transformed events,
// and every query runs unchanged (no shim): as emitted (it must run), then
// the event keys it returns. A rule passes when it returns exactly its
// firing events (or gives the conversion error expect.json asks for).
//
// -> { pass, fail, lines: [...], summary: [...] }
import fs from 'node:fs';
import path from 'node:path';
import { LAYOUTS, KEY, loadEvents, loadRules, convert, compare, outcome } from '../aws/lib/suite.mjs';
import { parseType, trinoType, trinoLiteral } from '../aws/lib/glue.mjs';
import { pool, quoteIdent } from './trino.mjs';

export const AWS_LAYOUTS = ['security_lake', 'cloudtrail_schema', 'cloudtrail_table'];

export async function awsOnTrino({ trino, sigma, root, tmpdir, corpusDir, jobs = 3 }) {
  const lines = [], summary = [];
  let pass = 0, fail = 0;
  const events = loadEvents(() => true); // the DuckDB runner checks the files
  const expect = JSON.parse(fs.readFileSync(path.join(root, 'tests/aws/expect.json'), 'utf8'));
  const rules = loadRules(path.join(root, 'tests/aws/rules'), 'own');
  if (corpusDir && fs.existsSync(corpusDir)) {
    rules.push(...loadRules(path.join(corpusDir, 'rules', 'cloud', 'aws'), 'cloudtrail'));
    rules.push(...loadRules(path.join(corpusDir, 'rules', 'application', 'kubernetes'), 'kubernetes'));
  }
  for (const [n, layout] of AWS_LAYOUTS.entries()) {
    const L = LAYOUTS[layout];
    const schema = `aws${n}`;
    await trino.query(`CREATE SCHEMA ${schema}`);
    try {
      const keys = {};
      for (const [source, s] of Object.entries(L.sources)) {
        const types = Object.fromEntries(Object.entries(s.columns).map(([c, g]) => [c, parseType(g)]));
        await trino.query(`CREATE TABLE ${quoteIdent(s.table)} (${Object.entries(types)
          .map(([c, t]) => `${quoteIdent(c)} ${trinoType(t)}`).join(', ')})`, { schema });
        const evs = events.filter(e => e.source === source);
        keys[source] = new Map(evs.map(e => [KEY[source](e.record), e.id]));
        const rows = evs.map(e => {
          const row = s.row(e.record);
          return `(${Object.entries(types).map(([c, t]) => trinoLiteral(row[c], t, `${e.id} ${c}`)).join(', ')})`;
        });
        if (rows.length) await trino.query(`INSERT INTO ${quoteIdent(s.table)} VALUES ${rows.join(',\n')}`, { schema });
      }
      const lrules = rules.filter(r => L.sources[r.source]);
      const conv = convert(sigma, layout, lrules, tmpdir);
      const results = await pool(lrules, jobs, async r => {
        const pre = outcome(r, layout, conv.get(r.file), events, expect);
        if (!pre.want) return pre;
        const src = L.sources[r.source];
        const got = [];
        const queries = conv.get(r.file).queries;
        try {
          for (const q of queries) {
            const m = /^SELECT (.+?) FROM (\S+) WHERE (.*)$/s.exec(q);
            if (!m) throw new Error(`not SELECT ... FROM ... WHERE ...: ${q}`);
            await trino.query(q, { schema });
            const res = await trino.query(`SELECT ${src.id} FROM ${m[2]} WHERE ${m[3]}`, { schema });
            got.push(...res.rows.map(([k]) => keys[r.source].get(String(k)) ?? `?${k}`));
          }
        } catch (e) {
          return { why: `Trino error: ${e.message.split('\n')[0]}\n${queries.join('\n')}` };
        }
        const w = compare(got, pre.want);
        return { why: w ? `wrong rows: ${w}\n${queries.join('\n')}` : null };
      });
      const counts = {};
      for (const [i, r] of lrules.entries()) {
        const res = results[i];
        const c = counts[r.group] ??= { n: 0, identical: 0, expectedError: 0 };
        c.n++;
        if (!res.why) c.identical++;
        if (res.expectedError) c.expectedError++;
        if (res.why) {
          fail++;
          lines.push(`FAIL aws ${layout} ${r.name} (${r.id}): ${res.why.split('\n').join('\n    ')}`);
        } else {
          pass++;
        }
      }
      summary.push(`layout ${layout.padEnd(17)} ${Object.entries(counts).map(([g, c]) =>
        `${g} identical ${c.identical}/${c.n}${c.expectedError ? ` (${c.expectedError} expected error)` : ''}`).join('   ')}`);
    } finally {
      await trino.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => {});
    }
  }
  return { pass, fail, lines, summary };
}
