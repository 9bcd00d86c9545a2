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

import { DuckDBInstance, SHIMS as TRINO_SHIMS, quoteIdent, rewriteTrino, duckValue, runQuery, rowObjects } from './harness.mjs';
import { duckType, literal } from '../aws/lib/glue.mjs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli, convertCase, eventValues, queryLines, runCases, schemaColumns, tableColumns } from './cases.mjs';
import { compareRows, showKey } from './rows.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { verbose } = cli();

// Trino functions DuckDB spells differently. DuckDB's cardinality() only
// takes MAPs; Trino's takes arrays. The correlation SQL never aggregates
// NULLs (value columns are filtered with IS NOT NULL), so list_distinct's
// NULL handling does not matter here.
const SHIMS = [
  `CREATE MACRO array_distinct(x) AS list_distinct(x)`,
];

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
  const cols = tableColumns(name, columns, events, duckType);
  await con.run(`CREATE TABLE ${quoteIdent(name)} (${cols.map(c => `${quoteIdent(c.name)} ${c.type}`).join(', ')})`);
  for (const ev of events || []) {
    const vals = eventValues(name, ev, cols, (v, tree, where) => literal(v, tree, where, true), duckValue);
    await con.run(`INSERT INTO ${quoteIdent(name)} VALUES (${vals.join(', ')})`);
  }
}

async function runCase(c, tmpdir) {
  const problems = [];
  const queries = queryLines(convertCase(c, tmpdir));
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
    // every correlation query, checked and run
    const results = [];
    for (const q of corr) {
      if (verbose) console.log(`  ${c.name}: ${q}`);
      for (const l of lint(q)) problems.push(`Trino check: ${l}\n      ${q}`);
      try {
        results.push({ q, reader: await runQuery(con, rewriteTrino(q), c.params) });
      } catch (e) {
        problems.push(`SQL error: ${e.message.split('\n')[0]}\n      ${q}`);
      }
    }
    if (c.rows) {
      const diff = compareRows(results.flatMap(r => rowObjects(r.reader)), c.rows);
      if (!problems.length && diff) problems.push(`${diff}\n      ${corr.join('\n      ')}`);
      return problems;
    }
    const got = [];
    for (const { q, reader } of results) {
      const names = reader.columnNames();
      const k = names.findIndex(n => n.toLowerCase() === key.toLowerCase());
      if (k < 0) { problems.push(`result has no column ${key} (columns: ${names.join(', ')})\n      ${q}`); continue; }
      for (const row of reader.getRowsJS()) got.push(showKey(row[k] instanceof Date ? row[k].toISOString().replace('T', ' ').replace(/\.000Z$/, '') : row[k]));
    }
    const want = (c.match || []).map(x => showKey(x)).sort();
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
  runCase,
});
