// run.mjs - semantic tests: does the SQL mean what the Sigma rule means?
//
//     BUILD=build node tests/semantic/run.mjs [-v] [CASE-NAME-SUBSTRING...]
//
// Each case file cases/NAME.yml (except cases/corr_*.yml, which corr.mjs
// runs) holds:
//   rule:     the Sigma rule, as a YAML block string (preferred; may hold
//             several documents), a nested map, or a list of block strings
//             given to sigma as separate input files, in that order
//   args:     optional list of extra `sigma convert` arguments
//   pipeline: optional pipeline YAML text, passed as `-p FILE`
//   columns:  optional map column -> SQL type (INTEGER, DOUBLE, BOOLEAN,
//             TIMESTAMP, MAP(VARCHAR, VARCHAR), STRUCT(...)); others are VARCHAR
//   schema:   optional Athena DDL text (CREATE TABLE events (...)), given to
//             sigma as `-O schema=FILE`; the table's columns get the DuckDB
//             types of its Glue types (STRUCT, MAP, T[], INTEGER, BIGINT,
//             BOOLEAN, TIMESTAMP, VARCHAR for string and JSON text), unless
//             `columns` names them
//   events:   list of maps, each with an `id`
//   match:    the ids the rule must return, exactly
//   queries:  optional number of queries the rule must produce
//   schema, params, rows, and 'now...' event values: see rows.mjs (time
//             windows, rule packs); with rows: the queries run as written
//             and their rows are compared instead of the ids. A case whose
//             args hold --pack or -f pack is also converted without it, and
//             every pack row must be an event that the rules' own queries
//             return, with exactly the labels of those rules in sigma_rules,
//             and every such event must be a pack row (the pack must select
//             the id column: -O pack_fields=id)
//
// The rule is converted with `$BUILD/sigma convert -t athena -O table=events`,
// the events are loaded into an in-memory DuckDB table `events`, every query
// runs (with small Trino-compatibility shims, see SHIMS in harness.mjs) and the ids
// matched by any query are compared with `match`. A query that fails in
// DuckDB, or that a Trino-only check rejects (see lint()), fails the case.
//
// Prints one line per failing case and ends with
// "semantic: N passed, M failed"; exit status 1 if any failed.

import { DuckDBInstance, SHIMS, NUMERIC, rewriteTrino, tokenize, quoteIdent, duckValue, runQuery, rowObjects } from './harness.mjs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli, convertCase, eventValues, queryLines, runCases, schemaColumns, tableColumns } from './cases.mjs';
import { duckType, literal } from '../aws/lib/glue.mjs';
import { compareRows } from './rows.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { verbose } = cli();

// ---------------------------------------------------------------- lint
// Things DuckDB accepts but Trino rejects (or reads differently).

const KEYWORDS = new Set(['SELECT', 'FROM', 'WHERE', 'AND', 'OR', 'NOT', 'LIKE', 'ESCAPE', 'IN', 'IS',
  'NULL', 'TRUE', 'FALSE', 'AS', 'EXTRACT', 'CAST', 'TRY_CAST']);

function lint(sql, typeOfColumn) {
  const out = [];
  // Names the query defines itself (AS alias, CTE names) have no known type.
  const defined = new Set();
  for (const m of sql.replace(/'(?:[^']|'')*'/g, "''").matchAll(/\b(?:AS\s+("(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*)\s+AS\s*\()/gi)) {
    const n = m[1] ?? m[2];
    defined.add((n.startsWith('"') ? n.slice(1, -1).replace(/""/g, '"') : n).toLowerCase());
  }
  const typeOf = n => defined.has(String(n).toLowerCase()) ? 'UNKNOWN' : typeOfColumn(n);
  if (/[\u0000-\u001f\u007f]/.test(sql)) out.push('raw control character in the SQL text (use chr())');
  let toks;
  try { toks = tokenize(sql); } catch (e) { return [`cannot tokenize: ${e.message}`]; }
  const isWord = (k, w) => toks[k] && toks[k].t === 'word' && toks[k].v.toUpperCase() === w;
  const isOp = (k, o) => toks[k] && toks[k].t === 'op' && toks[k].v === o;
  // Operand at k: returns {end, type} with type 'varchar', 'numeric', or null (unknown).
  const operand = k => {
    const tk = toks[k];
    if (!tk) return null;
    if (tk.t === 'word' && tk.v.toUpperCase() === 'LOWER' && isOp(k + 1, '(')) {
      let depth = 0, j = k + 1;
      for (; j < toks.length; j++) {
        if (isOp(j, '(')) depth++;
        else if (isOp(j, ')') && --depth === 0) break;
      }
      return { end: j + 1, type: 'varchar' };
    }
    if ((tk.t === 'word' && !KEYWORDS.has(tk.v.toUpperCase())) || tk.t === 'qid') {
      if (isOp(k + 1, '(') || isOp(k + 1, '.') || isOp(k - 1, '.')) return null;
      const t = typeOf(tk.v);
      return { end: k + 1, type: NUMERIC.test(t) ? 'numeric' : /^VARCHAR$/i.test(t) ? 'varchar' : /^BOOLEAN$/i.test(t) ? 'boolean' : null };
    }
    return null;
  };
  const literalType = k => {
    if (isOp(k, '-')) k++;
    const tk = toks[k];
    if (!tk) return null;
    if (tk.t === 'num' || (tk.t === 'word' && tk.v.toUpperCase() === 'DECIMAL' && toks[k + 1]?.t === 'str')) return 'numeric';
    if (tk.t === 'str') return 'varchar';
    if (tk.t === 'word' && /^(TRUE|FALSE)$/i.test(tk.v)) return 'boolean';
    return null;
  };
  for (let k = 0; k < toks.length; k++) {
    const tk = toks[k];
    if (tk.t === 'op' && (tk.v === '==' || tk.v === '!=')) out.push(`operator ${tk.v} is not Trino SQL`);
    if (tk.t === 'op' && tk.v === '&') out.push('operator & is not Trino SQL');
    // LIKE '<p>' ESCAPE '\': Trino rejects an escape not followed by %, _ or \.
    if (isWord(k, 'LIKE') && toks[k + 1]?.t === 'str' && isWord(k + 2, 'ESCAPE')) {
      const p = toks[k + 1].v;
      for (let j = 0; j < p.length; j++) {
        if (p[j] === '\\') {
          if (!['%', '_', '\\'].includes(p[j + 1])) { out.push(`LIKE pattern '${p}': escape before '${p[j + 1] ?? 'end'}'`); break; }
          j++;
        }
      }
    }
    // <operand> <cmp> <literal> and <operand> IN (<literals>) must agree in type.
    const od = operand(k);
    if (od && od.type) {
      let j = od.end;
      const lits = [];
      if (toks[j]?.t === 'op' && ['=', '<>', '<', '>', '<=', '>='].includes(toks[j].v)) lits.push(j + 1);
      else if (isWord(j, 'IN') && isOp(j + 1, '(')) {
        for (let q = j + 2; q < toks.length && !isOp(q, ')'); q++) if (!isOp(q, ',') && !isOp(q, '-') && !isWord(q - 1, 'DECIMAL')) lits.push(q);
      } else if (isWord(j, 'NOT') && isWord(j + 1, 'IN')) {
        for (let q = j + 3; q < toks.length && !isOp(q, ')'); q++) if (!isOp(q, ',') && !isOp(q, '-')) lits.push(q);
      }
      for (const q of lits) {
        const lt = literalType(q);
        if (lt && lt !== od.type) {
          out.push(`type mismatch near "${sql.slice(tk.at, toks[q].at + 20)}": ${od.type} compared with ${lt} (Trino rejects this)`);
          break;
        }
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------- one case
// The case's queries (-f default: a list of queries) or, with -f json among
// extra, the parsed results; drop: arguments of the case left out.
function convert(c, tmpdir, extra = [], drop = []) {
  const out = convertCase(c, tmpdir, { extra, drop });
  return extra.includes('json') ? JSON.parse(out) : queryLines(out);
}

const isPack = c => (c.args || []).map(String).some((a, i, v) => a === '--pack' || (a === '-f' && v[i + 1] === 'pack'));

// The pack's rows against the rules' own queries: the same events, each with
// the labels of the rules whose queries return it, in the rules' order.
async function packCheck(c, tmpdir, con, packRows) {
  const problems = [];
  // the rules, in input order, and their labels as the packs list them
  const results = convert(c, tmpdir, ['-f', 'json'], ['--pack', '-f pack']).filter(r => r.type === 'rule' && r.queries && r.queries.length);
  const labels = convert(c, tmpdir, ['--pack', '-f', 'json'], ['--pack', '-f pack']).flatMap(p => p.rules || []);
  if (labels.length !== results.length) return [`pack check: the packs cover ${labels.length} rules, the run converts ${results.length}`];
  const want = new Map(); // id -> labels
  for (const [n, res] of results.entries()) {
    const label = labels[n];
    for (const q of res.queries || []) {
      const m = /^SELECT (.+?) FROM events WHERE (.*)$/s.exec(q);
      if (!m) { problems.push(`pack check: not SELECT ... FROM events WHERE ...: ${q}`); continue; }
      const rows = rowObjects(await runQuery(con, rewriteTrino(`SELECT id FROM events WHERE ${m[2]}`), c.params));
      for (const r of rows) {
        const l = want.get(String(r.id)) || [];
        if (!l.includes(label)) l.push(label);
        want.set(String(r.id), l);
      }
    }
  }
  const got = new Map();
  for (const r of packRows) {
    if (r.id === undefined) return ['pack check: the pack rows have no id column (give -O pack_fields=id)'];
    if (got.has(String(r.id))) problems.push(`pack check: event ${r.id} is in two pack rows`);
    got.set(String(r.id), [...(r.sigma_rules || [])]);
  }
  for (const [id, labels] of want) {
    const g = got.get(id);
    if (!g) problems.push(`pack check: event ${id} (rules ${labels.join(', ')}) is in no pack row`);
    else if (JSON.stringify(g) !== JSON.stringify(labels)) problems.push(`pack check: event ${id} has sigma_rules ${JSON.stringify(g)}, its rules' queries say ${JSON.stringify(labels)}`);
  }
  for (const id of got.keys()) if (!want.has(id)) problems.push(`pack check: event ${id} is a pack row but no rule's query returns it`);
  return problems;
}

async function runCase(c, tmpdir) {
  const problems = [];
  const queries = convert(c, tmpdir);
  if (!queries.length) return ['the rule produced no query'];
  if (c.queries !== undefined && queries.length !== c.queries) problems.push(`expected ${c.queries} queries, got ${queries.length}`);

  const events = c.events || [];
  const cols = tableColumns('events', { ...schemaColumns(c, 'events', t => t), ...(c.columns || {}) }, events, duckType);
  const typeOf = n => (cols.find(c2 => c2.name.toLowerCase() === String(n).toLowerCase()) || { type: 'VARCHAR' }).type;

  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  try {
    await con.run(`SET TimeZone = 'UTC'`);
    for (const s of SHIMS) await con.run(s);
    await con.run(`CREATE TABLE events (${cols.map(c2 => `${quoteIdent(c2.name)} ${c2.type}`).join(', ')})`);
    for (const ev of events) {
      const vals = eventValues('events', ev, cols, (v, tree, where) => literal(v, tree, where, true), duckValue);
      await con.run(`INSERT INTO events VALUES (${vals.join(', ')})`);
    }

    if (c.rows) {
      const got = [];
      for (const q of queries) {
        if (verbose) console.log(`  ${c.name}: ${q}`);
        try {
          got.push(...rowObjects(await runQuery(con, rewriteTrino(q), c.params)));
        } catch (e) {
          problems.push(`SQL error: ${e.message.split('\n')[0]}\n      ${q}`);
        }
      }
      const diff = compareRows(got, c.rows);
      if (diff) problems.push(`${diff}\n      ${queries.join('\n      ')}`);
      if (!problems.length && isPack(c)) problems.push(...await packCheck(c, tmpdir, con, got));
      return problems;
    }

    const matched = new Set();
    for (const q of queries) {
      if (verbose) console.log(`  ${c.name}: ${q}`);
      for (const l of lint(q, typeOf)) problems.push(`Trino check: ${l}\n      ${q}`);
      const m = /^SELECT (.+?) FROM events WHERE (.*)$/s.exec(q);
      if (!m) { problems.push(`query is not SELECT ... FROM events WHERE ...: ${q}`); continue; }
      const sql = rewriteTrino(q);
      const idSql = rewriteTrino(`SELECT id FROM events WHERE ${m[2]}`);
      // Columns the SQL names but no event has are added as NULL VARCHARs.
      for (let attempt = 0; ; attempt++) {
        try {
          await runQuery(con, sql, c.params);
          const rows = (await runQuery(con, idSql, c.params)).getRows();
          for (const [id] of rows) matched.add(String(id));
          break;
        } catch (e) {
          const miss = /Referenced column "([^"]+)" not found/.exec(e.message);
          if (miss && attempt < 50) {
            await con.run(`ALTER TABLE events ADD COLUMN ${quoteIdent(miss[1])} VARCHAR`);
            continue;
          }
          problems.push(`SQL error: ${e.message.split('\n')[0]}\n      ${q}`);
          break;
        }
      }
    }
    const want = new Set((c.match || []).map(String));
    const extra = [...matched].filter(x => !want.has(x)).sort();
    const missing = [...want].filter(x => !matched.has(x)).sort();
    if (extra.length || missing.length) {
      problems.push(`matched [${[...matched].sort().join(', ')}], expected [${[...want].sort().join(', ')}]` +
        (missing.length ? `; missing ${missing.join(', ')}` : '') + (extra.length ? `; unexpected ${extra.join(', ')}` : '') +
        `\n      ${queries.join('\n      ')}`);
    }
  } finally {
    con.closeSync?.();
  }
  return problems;
}

// ---------------------------------------------------------------- main
await runCases({
  label: 'semantic',
  caseDir: path.join(here, 'cases'),
  select: f => f.endsWith('.yml') && !f.startsWith('corr_'),
  runCase,
});
