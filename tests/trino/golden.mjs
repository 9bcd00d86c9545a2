// golden.mjs - the golden SQL of tests/golden that runs against a table
// schema, analysed by Trino on tables of exactly that schema.
//
// For every golden case whose arguments give -O schema=FILE (a DDL file),
// or whose SQL reads a built-in schema's table (cloudtrail_logs, the
// Security Lake tables of region eu_west_2), except the cases that keep
// unknown names on purpose (schema=none, unknown_fields=warn), the tables
// are created (Glue types as Trino types, tests/aws/lib/glue.mjs) and every
// query of NAME.sql must pass EXPLAIN (TYPE VALIDATE): it names only
// columns, members and functions that exist, with types Trino accepts.
//
// -> { pass, fail, lines }
import fs from 'node:fs';
import path from 'node:path';
import { ddlTables, parseType, trinoType } from '../aws/lib/glue.mjs';
import { quoteIdent } from './trino.mjs';

const REGION = 'eu_west_2';

export async function goldenOnTrino({ trino, root }) {
  const dir = path.join(root, 'tests/golden');
  const builtin = fs.readdirSync(path.join(root, 'schemas')).filter(f => f.endsWith('.ddl'))
    .map(f => fs.readFileSync(path.join(root, 'schemas', f), 'utf8').replaceAll('{region}', REGION));
  const lines = [];
  let pass = 0, fail = 0, n = 0;
  for (const f of fs.readdirSync(dir).filter(x => x.endsWith('.yml')).sort()) {
    const sqlFile = path.join(dir, f.replace(/\.yml$/, '.sql'));
    if (!fs.existsSync(sqlFile)) continue;
    const first = fs.readFileSync(path.join(dir, f), 'utf8').split('\n')[0];
    const file = /-O schema=(\S+\.(?:ddl|sql))\b/.exec(first)?.[1];
    const queries = fs.readFileSync(sqlFile, 'utf8').split('\n').filter(l => l.trim());
    const texts = [...(file ? [fs.readFileSync(path.join(root, file), 'utf8')] : []), ...builtin];
    const tables = {};
    for (const t of texts.reverse()) Object.assign(tables, ddlTables(t)); // the case's schema wins
    const wanted = queries.filter(q => Object.keys(tables).some(t => new RegExp(`\\bFROM (?:default\\.)?${t}\\b`).test(q)));
    // names kept as written on purpose (no schema, or unknown fields as warnings)
    if (/schema=none|unknown_fields=warn/.test(first)) continue;
    if (!wanted.length || (!file && !/schema|security_lake/.test(f))) continue;
    const schema = `golden${n++}`;
    await trino.query(`CREATE SCHEMA ${schema}`);
    try {
      for (const [name, cols] of Object.entries(tables)) {
        await trino.query(`CREATE TABLE ${quoteIdent(name)} (${cols.map(([c, g]) => `${quoteIdent(c)} ${trinoType(parseType(g))}`).join(', ')})`, { schema });
      }
      for (const q of wanted) {
        try {
          await trino.query(`EXPLAIN (TYPE VALIDATE) ${q.replace(/\bFROM default\./g, 'FROM ')}`, { schema });
          pass++;
        } catch (e) {
          fail++;
          lines.push(`FAIL golden ${f}: ${e.message.split('\n')[0]}\n    ${q}`);
        }
      }
    } finally {
      await trino.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => {});
    }
  }
  return { pass, fail, lines };
}
