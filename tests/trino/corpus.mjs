// corpus.mjs - the SigmaHQ corpus on Trino (only where ../shared exists).
//
// 1. Analysis: every query of the corpus conversion (rules,
//    rules-emerging-threats, rules-threat-hunting, deprecated; -O
//    keyword_fields=raw_data) is analysed by Trino (EXPLAIN (TYPE VALIDATE):
//    parsing, name resolution, type checking) against one table `events`
//    whose columns are every field the queries use, typed as the regression
//    events type them (see eventTable()); and every regular expression of
//    those queries is compiled by Trino (a constant regexp_like call: EXPLAIN
//    does not compile patterns, so they are evaluated).
// 2. Regression events: each test of corpus/sigmahq/regression_data runs its
//    rule's queries on its own events in Trino; a test is matched when a query
//    returns a row. The matched tests must be exactly those the shared DuckDB
//    harness (tools/trino-check/regress.mjs) matches.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { pool, quoteIdent, sqlStr } from './trino.mjs';
import { tokenize } from '../semantic/harness.mjs';

const YAML = createRequire(new URL('../semantic/package.json', import.meta.url))('yaml');

export const FOLDERS = ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'deprecated'];

// ---------------------------------------------------------------- SQL tokens
const isKw = (tk, w) => tk && tk.t === 'word' && tk.v.toUpperCase() === w;
// words of the generated SQL that are not column names
const NOT_COLUMN = new Set(('SELECT FROM WHERE AND OR NOT LIKE ESCAPE IN IS NULL TRUE FALSE AS EXTRACT CAST TRY_CAST ' +
  'WITH OVER PARTITION BY ORDER RANGE ROWS BETWEEN INTERVAL PRECEDING FOLLOWING CURRENT ROW UNBOUNDED ASC DESC ' +
  'UNION ALL DISTINCT GROUP HAVING LIMIT JOIN ON CASE WHEN THEN ELSE END SECOND MINUTE HOUR DAY WEEK MONTH YEAR ' +
  'FILTER INNER LEFT OUTER CROSS EXISTS ANY SOME ' +
  'FOR').split(' '));

// Field references of a query: [{chain: [root, ...], numeric: bool, text: bool}]
function fieldRefs(sql) {
  const toks = tokenize(sql.split('<TABLE>').join('events'));
  const defined = new Set(['events']);
  for (let i = 0; i + 1 < toks.length; i++) {
    if (isKw(toks[i], 'AS') && (toks[i + 1].t === 'word' || toks[i + 1].t === 'qid')) defined.add(toks[i + 1].v.toLowerCase());
    if ((toks[i].t === 'word' || toks[i].t === 'qid') && isKw(toks[i + 1], 'AS') && toks[i + 2] && toks[i + 2].v === '(') defined.add(toks[i].v.toLowerCase());
  }
  const out = [];
  for (let i = 0; i < toks.length; i++) {
    const tk = toks[i];
    if (tk.t !== 'word' && tk.t !== 'qid') continue;
    if (toks[i - 1] && toks[i - 1].v === '.' && toks[i - 1].t === 'op') continue;
    if (tk.t === 'word' && NOT_COLUMN.has(tk.v.toUpperCase())) continue;
    const chain = [tk.v];
    let j = i;
    while (toks[j + 1] && toks[j + 1].v === '.' && toks[j + 2] && (toks[j + 2].t === 'word' || toks[j + 2].t === 'qid')) { chain.push(toks[j + 2].v); j += 2; }
    if (toks[j + 1] && toks[j + 1].v === '(') { i = j; continue; } // function
    if (isKw(toks[i - 1], 'AS')) { i = j; continue; } // an alias or a type name
    if (defined.has(chain[0].toLowerCase())) { i = j; continue; }
    const nx = toks[j + 1], nx2 = toks[j + 2];
    const cmp = nx && ['=', '<>', '<', '>', '<=', '>='].includes(nx.v) && nx.t === 'op';
    const numeric = (cmp && nx2 && (nx2.t === 'num' || (nx2.v === '-' && toks[j + 3]?.t === 'num') || isKw(nx2, 'DECIMAL')))
      || (isKw(nx, 'IN') && toks[j + 2]?.v === '(' && (toks[j + 3]?.t === 'num' || toks[j + 3]?.v === '-' || isKw(toks[j + 3], 'DECIMAL')));
    const bool = cmp && (isKw(nx2, 'TRUE') || isKw(nx2, 'FALSE'));
    out.push({ chain, numeric, bool });
    i = j;
  }
  return out;
}

// REGEXP_LIKE(<expr>, '<pattern>') -> the pattern literals of a query
function regexLiterals(sql) {
  const toks = tokenize(sql);
  const out = [];
  for (let i = 0; i < toks.length; i++) {
    if (!isKw(toks[i], 'REGEXP_LIKE') || toks[i + 1]?.v !== '(') continue;
    let d = 0;
    for (let j = i + 1; j < toks.length; j++) {
      if (toks[j].v === '(' && toks[j].t === 'op') d++;
      else if (toks[j].v === ')' && toks[j].t === 'op') { if (--d === 0) break; }
      else if (d === 1 && toks[j].v === ',' && toks[j + 1]?.t === 'str') { out.push(toks[j + 1].v); break; }
    }
  }
  return out;
}

// ---------------------------------------------------------------- regression events
function walk(dir, pred, acc = []) {
  if (!fs.existsSync(dir)) return acc;
  for (const ent of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) walk(p, pred, acc); else if (pred(ent.name)) acc.push(p);
  }
  return acc;
}

// The events of one JSON rendering of an evtx file (one or several concatenated objects).
function jsonEvents(file) {
  const s = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  const out = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i])) i++;
    if (i >= s.length) break;
    let d = 0, str = false, j = i;
    for (; j < s.length; j++) {
      const c = s[j];
      if (str) { if (c === '\\') j++; else if (c === '"') str = false; continue; }
      if (c === '"') str = true;
      else if (c === '{' || c === '[') d++;
      else if ((c === '}' || c === ']') && --d === 0) { j++; break; }
    }
    out.push(JSON.parse(s.slice(i, j)));
    i = j;
  }
  return out;
}

// One event as {lower-case column: {name, v}} with the value's JSON type kept
// (a JSON number stays a number). Columns as the shared harness names them:
// EventData and UserData keys (a key with spaces also without them), then the
// System fields; EventData wins a case-insensitive clash.
function flatten(ev) {
  const E = ev.Event || ev, S = E.System || {};
  const attr = (o, k) => (o && o['#attributes'] ? o['#attributes'][k] : undefined);
  const row = {};
  const put = (k, v) => {
    if (v === undefined) return;
    if (v !== null && typeof v === 'object') v = JSON.stringify(v);
    if (!(k.toLowerCase() in row)) row[k.toLowerCase()] = { name: k, v };
  };
  const data = obj => {
    if (!obj || typeof obj !== 'object') return;
    for (const [k, v] of Object.entries(obj)) {
      if (k === '#attributes' || k === 'xmlns') continue;
      put(k, v);
      if (/\s/.test(k)) put(k.replace(/\s+/g, ''), v);
    }
  };
  data(E.EventData);
  if (E.UserData && typeof E.UserData === 'object') for (const inner of Object.values(E.UserData)) data(inner);
  put('EventID', typeof S.EventID === 'object' && S.EventID ? S.EventID['#text'] : S.EventID);
  put('Channel', S.Channel);
  put('Computer', S.Computer);
  put('Provider_Name', attr(S.Provider, 'Name'));
  put('Provider_Guid', attr(S.Provider, 'Guid'));
  for (const k of ['Level', 'Task', 'Opcode', 'Keywords', 'EventRecordID', 'Version']) put(k, S[k]);
  put('TimeCreated', attr(S.TimeCreated, 'SystemTime'));
  put('Execution_ProcessID', attr(S.Execution, 'ProcessID'));
  put('Execution_ThreadID', attr(S.Execution, 'ThreadID'));
  put('Security_UserID', attr(S.Security, 'UserID'));
  put('Correlation_ActivityID', attr(S.Correlation, 'ActivityID'));
  row.time = { name: 'time', v: attr(S.TimeCreated, 'SystemTime') ?? null };
  return row;
}

// Regression tests as the shared harness finds them: [{folder, rulePath, info, events}]
function regressionTests(C, converted) {
  const tests = [];
  for (const folder of FOLDERS) {
    const ruleDir = path.join(C, folder);
    const byId = new Map();
    for (const f of walk(ruleDir, n => n.endsWith('.yml'))) {
      const m = fs.readFileSync(f, 'utf8').match(/^id:\s*['"]?([0-9A-Za-z-]+)/m);
      if (m) byId.set(m[1].toLowerCase(), path.relative(ruleDir, f));
    }
    for (const info of walk(path.join(C, 'regression_data', folder), n => n === 'info.yml')) {
      const y = YAML.parse(fs.readFileSync(info, 'utf8')) || {};
      for (const meta of y.rule_metadata || []) {
        const rulePath = byId.get(String(meta.id).toLowerCase());
        for (const t of y.regression_tests_info || []) {
          if (t.type !== 'evtx' || !rulePath) continue;
          let jf = path.join(C, String(t.path || '').replace(/\.evtx$/i, '.json'));
          if (!fs.existsSync(jf)) jf = walk(path.dirname(info), n => n.endsWith('.json'))[0];
          if (!jf) continue;
          tests.push({ folder, rulePath, info: path.relative(C, info), events: jsonEvents(jf).map(flatten),
            queries: converted[folder].get(rulePath) || [] });
        }
      }
    }
  }
  return tests;
}

// ---------------------------------------------------------------- the tables
// Column types of the regression events: a field is BIGINT when every value
// it has there is a JSON integer (EventID: INTEGER, as the shared harness
// has it), else VARCHAR; `time` is the event time as TIMESTAMP(6).
function eventColumns(tests) {
  const seen = new Map(); // lower -> {name, allInt}
  for (const t of tests) for (const r of t.events) for (const [lk, { name, v }] of Object.entries(r)) {
    if (v === null || v === undefined || lk === 'time') continue;
    const s = seen.get(lk) || { name, allInt: true };
    if (!(typeof v === 'number' && Number.isInteger(v))) s.allInt = false;
    seen.set(lk, s);
  }
  const cols = new Map();
  for (const [lk, s] of seen) cols.set(lk, { name: s.name, type: lk === 'eventid' ? 'INTEGER' : s.allInt ? 'BIGINT' : 'VARCHAR' });
  cols.set('time', { name: 'time', type: 'TIMESTAMP(6)' });
  return cols;
}

// The table one query is analysed against: a column for every field the query
// uses, a ROW for a field whose members it reads (a.b.c). A field (or member)
// the query only compares with numbers is BIGINT, only with true/false
// BOOLEAN: the rule's literals say so (Sysmon, for one, writes booleans and
// some numbers as text; a schema, not the rule, knows a real table). Any other
// field of the regression events has the events' type when the rule is a
// Windows rule (the log source of those events); the rest is VARCHAR.
// -> a subquery of typed NULLs, in place of the query's table
function queryTable(q, evcols, windows) {
  const usage = new Map(); // lower root -> node {name, numeric, bool, other, kids}
  for (const ref of fieldRefs(q)) {
    let map = usage, node = null;
    for (const p of ref.chain) {
      const lk = p.toLowerCase();
      if (!map.has(lk)) map.set(lk, { name: p, numeric: false, bool: false, other: false, kids: new Map() });
      node = map.get(lk);
      map = node.kids;
    }
    if (ref.numeric) node.numeric = true;
    else if (ref.bool) node.bool = true;
    else node.other = true;
  }
  // the rule's own literals say what a column it only compares with them is
  const leafType = (u, ev) => u.numeric && !u.bool && !u.other ? 'BIGINT' : u.bool && !u.numeric && !u.other ? 'BOOLEAN' : ev || 'VARCHAR';
  const type = (u, ev) => u.kids.size ? `ROW(${[...u.kids.values()].map(k => `${quoteIdent(k.name)} ${type(k)}`).join(', ')})` : leafType(u, ev);
  const cols = [...usage].map(([lk, u]) => {
    const ev = (windows || lk === 'time') && !u.kids.size ? evcols.get(lk)?.type : undefined;
    return `CAST(NULL AS ${type(u, ev)}) AS ${quoteIdent(u.name)}`;
  });
  return `(SELECT ${cols.length ? cols.join(', ') : '1 AS one'})`;
}

function sqlValue(v, type) {
  if (v === null || v === undefined) return 'NULL';
  if (type === 'INTEGER' || type === 'BIGINT') return `CAST(${sqlStr(v)} AS ${type})`;
  if (type.startsWith('TIMESTAMP')) return `CAST(${sqlStr(String(v).replace(/Z$/, '').replace('T', ' '))} AS ${type})`;
  if (type === 'VARCHAR') return sqlStr(String(v)).replace(/[\u0000-\u001f\u007f]/g, ch => `' || chr(${ch.charCodeAt(0)}) || '`);
  return 'NULL';
}

// ---------------------------------------------------------------- checks
function convertAll(sigma, C, tmpdir) {
  const converted = {};
  const all = [];
  for (const folder of FOLDERS) {
    const out = path.join(tmpdir, `${folder}.json`);
    const r = spawnSync(sigma, ['convert', '-t', 'athena', '-f', 'json', '-s', '-O', 'keyword_fields=raw_data', '-o', out, path.join(C, folder)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`sigma convert ${folder} exited ${r.status}: ${r.stderr.slice(0, 300)}`);
    const m = new Map();
    for (const ent of JSON.parse(fs.readFileSync(out, 'utf8'))) {
      if (!ent.queries) continue;
      const rel = path.relative(path.join(C, folder), ent.file);
      m.set(rel, [...(m.get(rel) || []), ...ent.queries]);
      for (const q of ent.queries) all.push({ folder, rel, q });
    }
    converted[folder] = m;
  }
  return { converted, all };
}

// Run stmts in batches: fn(batch) -> one statement; on a failing batch, each item alone.
async function batched(trino, items, size, stmt, jobs) {
  const errors = [];
  const batches = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  await pool(batches, jobs, async b => {
    try {
      await trino.query(stmt(b), { schema: 'corpus' });
    } catch {
      await pool(b, 1, async it => {
        try { await trino.query(stmt([it]), { schema: 'corpus' }); } catch (e) { errors.push({ it, error: e.message }); }
      });
    }
  });
  return errors;
}

export async function corpusOnTrino({ trino, sigma, shared, tmpdir, jobs = 3, log }) {
  const C = path.join(shared, 'corpus/sigmahq');
  const checks = [];
  const { converted, all } = convertAll(sigma, C, tmpdir);
  const tests = regressionTests(C, converted);
  const evcols = eventColumns(tests);
  const names = [...evcols.values()];
  await trino.query('CREATE SCHEMA IF NOT EXISTS memory.corpus');
  await trino.query(`CREATE TABLE events (_test INTEGER, _row INTEGER, ${names.map(c => `${quoteIdent(c.name)} ${c.type}`).join(', ')})`, { schema: 'corpus' });
  const rows = [];
  tests.forEach((t, ti) => t.events.forEach((r, ri) => {
    rows.push(`(${ti}, ${ri}, ${names.map(c => sqlValue(r[c.name.toLowerCase()]?.v, c.type)).join(', ')})`);
  }));
  for (let i = 0; i < rows.length; i += 100) await trino.query(`INSERT INTO events VALUES ${rows.slice(i, i + 100).join(', ')}`, { schema: 'corpus' });
  log(`regression events table: ${rows.length} events, ${names.length} columns (${names.filter(c => /INT/.test(c.type)).length} integer)`);

  // 1. analysis of every query, each against a table of its own fields
  let t0 = Date.now();
  const windows = x => /(^|\/)windows\//.test(x.rel);
  const errs = await batched(trino, all, 40,
    b => `EXPLAIN (TYPE VALIDATE) ${b.map(x => `SELECT count(*) FROM (${x.q.split('<TABLE>').join(queryTable(x.q, evcols, windows(x)))})`).join(' UNION ALL ')}`, jobs);
  checks.push({ ok: errs.length === 0, msg: `Trino analyses all ${all.length} corpus queries (${FOLDERS.join(', ')}): ${errs.length} errors (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
    lines: errs.slice(0, 30).map(e => `    ${e.it.folder}/${e.it.rel}: ${e.error}\n      ${e.it.q.slice(0, 300)}`) });

  // 2. every regex compiled by Trino's engine
  t0 = Date.now();
  const pats = [...new Set(all.flatMap(x => regexLiterals(x.q)))];
  const rerrs = await batched(trino, pats, 50, b => `SELECT ${b.map(p => `regexp_like('', ${sqlStr(p)})`).join(', ')}`, jobs);
  checks.push({ ok: rerrs.length === 0, msg: `Trino compiles all ${pats.length} distinct regular expressions of the corpus: ${rerrs.length} errors (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
    lines: rerrs.map(e => `    '${e.it}': ${e.error}`) });

  // 3. regression events: matched on Trino
  t0 = Date.now();
  const verdicts = await pool(tests, jobs, async (t, ti) => {
    if (!t.queries.length) return { matched: false, error: 'no query' };
    let matched = false, error = null;
    for (const q of t.queries) {
      try {
        const r = await trino.query(`SELECT count(*) FROM (${q.split('<TABLE>').join(`(SELECT * FROM events WHERE _test = ${ti})`)})`, { schema: 'corpus' });
        if (r.rows[0][0] > 0) matched = true;
      } catch (e) { error = e.message; }
    }
    return { matched, error };
  });
  const key = t => `${t.folder}/${t.rulePath} ${t.info}`;
  const trinoMatched = new Set(tests.filter((t, i) => verdicts[i].matched).map(key));
  const trinoErrors = tests.map((t, i) => [t, verdicts[i]]).filter(([, v]) => v.error);
  return { checks, tests, trinoMatched, trinoErrors, key, seconds: (Date.now() - t0) / 1000, converted };
}
