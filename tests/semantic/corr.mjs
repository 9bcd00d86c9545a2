// corr.mjs - semantic tests of correlation rules: the window SQL run in DuckDB
// over hand-made event timelines.
//
//     BUILD=build node tests/semantic/corr.mjs [-v] [CASE-NAME-SUBSTRING...]
//
// Runs every cases/corr_*.yml. A case holds the keys of run.mjs's cases plus
// a few for correlations:
//   rule:      the Sigma documents (base rules and the correlation), as one
//              multi-document YAML block string, or a list of such strings
//              given to sigma as separate input files, in that order
//   args:      optional extra `sigma convert` arguments (after -O table=events)
//   pipeline:  optional pipeline YAML text, passed as `-p FILE`
//   columns:   map column -> SQL type for table `events` (give `time: TIMESTAMP`);
//              unlisted columns are VARCHAR
//   schema:    optional Athena DDL text of `events` and the other tables,
//              given to sigma as -O schema=FILE; columns typed from it (see
//              run.mjs)
//   events:    rows of `events`, each with an `id`
//   tables:    optional other tables: {NAME: {columns: {...}, events: [...]}}
//   match:     the rows the correlation query must return, exactly (as a
//              multiset, order ignored), identified by their `key` column
//   key:       the column naming a returned row (default `id`; branches that
//              select named columns, e.g. with aliases, have no `id`: use the
//              time column, rendered as 'YYYY-MM-DD HH:MM:SS')
//   queries:   optional number of queries the rules must produce in all
//   rows:      instead of match/key: the rows the correlation query must
//              return, exactly, compared on the columns each row names
//              (alerts: sigma_rule, the group-by names, correlation_*); and
//              schema, params, 'now...' event values: see rows.mjs
//
// Only queries starting with `WITH` (the correlation queries) are run; plain
// rule queries (generate: true) are only counted. A query must not contain
// `==`, `!=` or COUNT(DISTINCT ...) OVER. Prints one line per failing case and
// ends with "semantic-corr: N passed, M failed"; exit status 1 if any failed.

import { DuckDBInstance, SHIMS as TRINO_SHIMS, rewriteTrino } from './harness.mjs';
import { duckType, literal } from '../aws/lib/glue.mjs';
import YAML from 'yaml';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCases, schemaArgs, schemaColumns } from './cases.mjs';
import { compareRows, paramValues, resolveNow } from './rows.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const build = path.resolve(root, process.env.BUILD || 'build');
const sigma = path.join(build, 'sigma');
const argv = process.argv.slice(2);
const verbose = argv.includes('-v');

// Trino functions DuckDB spells differently. DuckDB's cardinality() only
// takes MAPs; Trino's takes arrays. The correlation SQL never aggregates
// NULLs (value columns are filtered with IS NOT NULL), so list_distinct's
// NULL handling does not matter here.
const SHIMS = [
  `CREATE MACRO array_distinct(x) AS list_distinct(x)`,
];

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|INT|BIGINT|REAL|DOUBLE|DECIMAL.*|FLOAT)$/i;

function sqlString(s) {
  return `'${String(s).replace(/'/g, "''")}'`;
}

function sqlValue(v, type) {
  if (v === null || v === undefined) return 'NULL';
  const T = type.toUpperCase();
  if (T === 'VARCHAR') return sqlString(v);
  if (NUMERIC.test(T)) return typeof v === 'number' ? String(v) : `CAST(${sqlString(v)} AS ${type})`;
  // a YAML map or list (STRUCT, MAP, LIST columns) goes through JSON
  if (typeof v === 'object') return `CAST(CAST(${sqlString(JSON.stringify(v))} AS JSON) AS ${type})`;
  return `CAST(${sqlString(v)} AS ${type})`;
}

const quoteIdent = n => `"${String(n).replace(/"/g, '""')}"`;

function lint(q) {
  const out = [];
  // outside string literals
  const bare = q.replace(/'(?:[^']|'')*'/g, "''");
  if (/==|!=/.test(bare)) out.push('== or != is not Trino SQL');
  if (/COUNT\s*\(\s*DISTINCT/i.test(bare)) out.push('COUNT(DISTINCT) is not allowed (not a window function in Athena)');
  if (/PARTITION BY\s+ORDER/i.test(bare)) out.push('empty PARTITION BY');
  return out;
}

async function createTable(con, name, columns, events) {
  const declared = new Map();
  for (const [k, t] of Object.entries(columns || {}))
    declared.set(k.toLowerCase(), typeof t === 'object' ? { name: k, type: duckType(t), tree: t } : { name: k, type: String(t) });
  for (const ev of events || []) {
    if (!ev || ev.id === undefined) throw new Error(`every event of ${name} needs an id`);
    for (const k of Object.keys(ev)) if (!declared.has(k.toLowerCase())) declared.set(k.toLowerCase(), { name: k, type: 'VARCHAR' });
  }
  declared.set('id', { name: 'id', type: 'VARCHAR' });
  const cols = [...declared.values()];
  await con.run(`CREATE TABLE ${quoteIdent(name)} (${cols.map(c => `${quoteIdent(c.name)} ${c.type}`).join(', ')})`);
  for (const ev of events || []) {
    const lower = new Map(Object.entries(ev).map(([k, v]) => [k.toLowerCase(), v]));
    const vals = cols.map(c => {
      const v = c.name === 'id' ? String(ev.id) : resolveNow(lower.get(c.name.toLowerCase()), c.tree || c.type);
      return c.tree ? literal(v, c.tree, `${name} event ${ev.id} ${c.name}`, true) : sqlValue(v, c.type);
    });
    await con.run(`INSERT INTO ${quoteIdent(name)} VALUES (${vals.join(', ')})`);
  }
}

function convert(c, tmpdir) {
  // a list of documents: one input file each, in that order
  const texts = Array.isArray(c.rule) ? c.rule : [c.rule];
  const files = texts.map((t, i) => {
    const file = path.join(tmpdir, `${c.name}${texts.length > 1 ? `.${i + 1}` : ''}.yml`);
    fs.writeFileSync(file, t);
    return file;
  });
  const args = ['convert', '-t', 'athena', '-O', 'table=events'];
  if (c.pipeline) {
    const pfile = path.join(tmpdir, `${c.name}.pipeline.yml`);
    fs.writeFileSync(pfile, c.pipeline);
    args.push('-p', pfile);
  }
  args.push(...schemaArgs(c, tmpdir), ...(c.args || []).map(String), ...files);
  const r = spawnSync(sigma, args, { encoding: 'utf8' });
  if (r.error) throw new Error(`cannot run ${sigma}: ${r.error.message}`);
  if (r.status !== 0 || r.signal) throw new Error(`sigma ${args.join(' ')} exited ${r.signal || r.status}\n${r.stderr.trim()}`);
  if (r.stderr.trim()) throw new Error(`unexpected stderr from sigma: ${r.stderr.trim()}`);
  return r.stdout.split('\n').filter(l => l.trim() !== '');
}

function show(v) {
  if (v === null || v === undefined) return 'NULL';
  const s = String(v);
  // timestamps: drop a zero fraction
  return s.replace(/^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(\.0+)?Z?$/, '$1 $2');
}

// Runs a query, its ? parameters bound to params (rows.mjs).
let prepared = 0;
async function runQuery(con, sql, params) {
  const values = paramValues(sql, params);
  if (!values.length) return con.runAndReadAll(sql);
  const name = `corr_q${++prepared}`;
  await con.run(`PREPARE ${name} AS ${sql}`);
  return con.runAndReadAll(`EXECUTE ${name}(${values.join(', ')})`);
}

async function runCase(c, tmpdir) {
  const problems = [];
  const queries = convert(c, tmpdir);
  if (c.queries !== undefined && queries.length !== c.queries) problems.push(`expected ${c.queries} queries, got ${queries.length}`);
  const corr = queries.filter(q => q.startsWith('WITH '));
  if (!corr.length) return [...problems, 'no correlation query (WITH ...) in the output'];
  const key = c.key || 'id';
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  try {
    await con.run(`SET TimeZone = 'UTC'`);
    for (const s of [...TRINO_SHIMS, ...SHIMS]) await con.run(s);
    await createTable(con, 'events', { ...schemaColumns(c, 'events', x => x), ...(c.columns || {}) }, c.events);
    for (const [name, t] of Object.entries(c.tables || {}))
      await createTable(con, name, { ...schemaColumns(c, name, x => x), ...(t.columns || {}) }, t.events);
    if (c.rows) {
      const rows = [];
      for (const q of corr) {
        if (verbose) console.log(`  ${c.name}: ${q}`);
        for (const l of lint(q)) problems.push(`Trino check: ${l}\n      ${q}`);
        try {
          const reader = await runQuery(con, rewriteTrino(q), c.params);
          const names = reader.columnNames();
          for (const row of reader.getRowsJS()) rows.push(Object.fromEntries(names.map((n, i) => [n, row[i]])));
        } catch (e) {
          problems.push(`SQL error: ${e.message.split('\n')[0]}\n      ${q}`);
        }
      }
      const diff = compareRows(rows, c.rows);
      if (!problems.length && diff) problems.push(`${diff}\n      ${corr.join('\n      ')}`);
      return problems;
    }
    const got = [];
    for (const q of corr) {
      if (verbose) console.log(`  ${c.name}: ${q}`);
      for (const l of lint(q)) problems.push(`Trino check: ${l}\n      ${q}`);
      try {
        const reader = await runQuery(con, rewriteTrino(q), c.params);
        const names = reader.columnNames();
        const k = names.findIndex(n => n.toLowerCase() === key.toLowerCase());
        if (k < 0) { problems.push(`result has no column ${key} (columns: ${names.join(', ')})\n      ${q}`); continue; }
        for (const row of reader.getRowsJS()) got.push(show(row[k] instanceof Date ? row[k].toISOString().replace('T', ' ').replace(/\.000Z$/, '') : row[k]));
      } catch (e) {
        problems.push(`SQL error: ${e.message.split('\n')[0]}\n      ${q}`);
      }
    }
    const want = (c.match || []).map(x => show(x)).sort();
    got.sort();
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      problems.push(`returned [${got.join(', ')}], expected [${want.join(', ')}]\n      ${corr.join('\n      ')}`);
    }
  } finally {
    con.closeSync?.();
  }
  return problems;
}

await runCases({
  label: 'semantic-corr',
  caseDir: path.join(here, 'cases'),
  select: f => /^corr_.*\.yml$/.test(f),
  sigma,
  runCase,
});
