// run.mjs - do the AWS rules mean the same on every table layout?
//
//     BUILD=build node tests/aws/run.mjs [-v] [--layout NAME]... [--corpus DIR|--no-corpus]
//
// The raw CloudTrail records and Kubernetes audit events of events/ declare
// which rules fire on them (README.md). For each table layout (LAYOUTS below)
// the runner creates DuckDB tables with the layout's exact column types,
// fills them with the events transformed as AWS maps them (lib/), converts
// the rules with $BUILD/sigma and the layout's pipeline and options, runs
// every query, and compares the events it returns with the declared firing
// set. Rules: this folder's rules/ and, when it exists, the SigmaHQ corpus
// beside the repository (../shared/corpus/sigmahq/rules/cloud/aws and
// .../application/kubernetes).
//
// Each layout prints `identical X/N` per rule group: the rules whose SQL,
// exactly as emitted, returns exactly their firing set (a rule that fails
// to convert where expect.json says it must also counts). Then every
// mismatch with its reason: conversion error, SQL error, wrong rows.
//
// Checks (counted in the last line, "aws: N passed, M failed"): the column
// types equal the shared reference (when present); every event file is
// valid; every rule has a firing event and a near miss (expect.json lists
// the rules that cannot fire, with the reason); every transformer golden
// file (golden/) gives its exact row; a built-in pipeline and its file of
// pipelines/ give byte-identical output; every rule is identical on every
// layout (on the raw layout this proves the events and declarations; on
// the others the converter's paths against the tables' schemas: no
// conversion error but the expected ones, no SQL error, the firing rows).

import { DuckDBInstance, SHIMS, rewriteTrino } from '../semantic/harness.mjs';
import { spawnSync } from 'node:child_process';
import { isDeepStrictEqual } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseType, literal, createTable } from './lib/glue.mjs';
import { rawTable } from './lib/raw.mjs';
import { LAYOUTS, TABLES, KEY, loadEvents, loadRules, convert, compare, outcome } from './lib/suite.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const sigma = path.join(path.resolve(root, process.env.BUILD || 'build'), 'sigma');
const shared = path.resolve(root, '..', 'shared');

const argv = process.argv.slice(2);
const opt = name => argv.includes(name);
const optValues = name => argv.flatMap((a, i) => (a === name && argv[i + 1] ? [argv[i + 1]] : []));
const verbose = opt('-v');
const corpusDir = opt('--no-corpus') ? null : optValues('--corpus')[0] || path.join(shared, 'corpus', 'sigmahq');

const layoutNames = optValues('--layout').length ? optValues('--layout') : Object.keys(LAYOUTS);
for (const l of layoutNames) if (!LAYOUTS[l]) { console.log(`aws: unknown layout ${l}`); process.exit(2); }

// ---------------------------------------------------------------- checks
let pass = 0, fail = 0;
function check(ok, what, detail = '') {
  if (ok) pass++;
  else { fail++; console.log(`FAIL ${what}${detail ? `\n    ${detail.split('\n').join('\n    ')}` : ''}`); }
  return ok;
}

// ---------------------------------------------------------------- tables
async function newConnection() {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  await con.run(`SET TimeZone = 'UTC'`);
  for (const s of SHIMS) await con.run(s);
  return con;
}

async function fill(con, table, columns, rows) {
  const types = Object.fromEntries(Object.entries(columns).map(([c, g]) => [c, typeof g === 'string' ? parseType(g) : g]));
  await con.run(createTable(table, Object.fromEntries(Object.entries(columns).map(([c, g]) => [c, g]))));
  const tuples = rows.map(({ row, where }) => {
    for (const k of Object.keys(row)) if (!types[k]) throw new Error(`${where}: ${table} has no column ${k}`);
    return `(${Object.entries(types).map(([c, t]) => literal(row[c], t, `${where} ${c}`)).join(', ')})`;
  });
  if (tuples.length) await con.run(`INSERT INTO ${table} VALUES ${tuples.join(',\n')}`);
}

// ---------------------------------------------------------------- queries
// The event ids a query returns.
async function run(con, q, idSql, keyToId) {
  const m = /^SELECT (.+?) FROM (\S+) WHERE (.*)$/s.exec(q);
  if (!m) throw new Error(`not SELECT ... FROM ... WHERE ...: ${q}`);
  await con.run(rewriteTrino(q));
  const rows = (await con.runAndReadAll(rewriteTrino(`SELECT ${idSql} FROM ${m[2]} WHERE ${m[3]}`))).getRows();
  return rows.map(([k]) => keyToId.get(String(k)) ?? `?${k}`);
}

// One rule on one layout: {why: null (identical) or a reason, expectedError}.
async function judge(rule, layout, conv, db, events, expect) {
  const pre = outcome(rule, layout, conv, events, expect);
  if (!pre.want) return pre;
  const got = [];
  const src = LAYOUTS[layout].sources[rule.source];
  let con = db.con;
  try {
    if (layout === 'raw') {
      // A table of this rule's fields, with the event id in __id.
      const t = rawTable(rule.fields, rule.source);
      con = await newConnection();
      const rows = events.filter(e => e.source === rule.source)
        .map(e => ({ row: { __id: e.id, ...t.value(e.record) }, where: e.file + ' ' + e.id }));
      await fill(con, src.table, { __id: 'string', ...Object.fromEntries(t.type.fields) }, rows);
    }
    for (const q of conv.queries) {
      if (verbose) console.log(`  ${layout} ${rule.name}: ${q}`);
      got.push(...await run(con, q, layout === 'raw' ? '__id' : src.id, layout === 'raw' ? db.ids : db.keys[rule.source]));
    }
  } catch (e) {
    return { why: `SQL error: ${e.message.split('\n')[0]}\n${conv.queries.join('\n')}` };
  } finally {
    if (con !== db.con) con.closeSync?.();
  }
  const w = compare(got, pre.want);
  return { why: w ? `wrong rows: ${w}\n${conv.queries.join('\n')}` : null };
}

// ---------------------------------------------------------------- harness
// The measuring tool itself: the Trino shims give Trino's answers
// (including its NULLs).
const SHIM_CASES = [
  [`json_extract_scalar('{"a":{"b":"x"}}', '$.a.b')`, 'x'],
  [`json_extract_scalar('{"a":{"b":"x"}}', '$.a')`, null],
  [`json_extract_scalar('{"a":[1,2]}', '$.a')`, null],
  [`json_extract_scalar('{"a":null}', '$.a')`, null],
  [`json_extract_scalar('{"a":false,"n":3600}', '$.a') || json_extract_scalar('{"n":3600}', '$.n')`, 'false3600'],
  [`json_extract_scalar('{"a":[{"b":1}]}', '$.a.b')`, null],
  [`json_extract_scalar('{"k.j":"v"}', '$["k.j"]')`, 'v'],
  [`json_extract_scalar('not json', '$.a')`, null],
  [`element_at(MAP {'k': 'v'}, 'x')`, null],
  [`element_at(MAP {'k': 'v'}, 'k')`, 'v'],
  [`CAST(any_match([1, 2], x -> x > 1) AS VARCHAR)`, 'true'],
  [`CAST(any_match(CAST([] AS INTEGER[]), x -> x > 1) AS VARCHAR)`, 'false'],
  [`CAST(any_match([NULL, 1], x -> x > 1) AS VARCHAR)`, null],
  [`CAST(any_match(CAST(NULL AS INTEGER[]), x -> x > 1) AS VARCHAR)`, null],
  [`CAST(all_match([2, 3], x -> x > 1) AS VARCHAR)`, 'true'],
  [`CAST(none_match([2, 3], x -> x > 2) AS VARCHAR)`, 'false'],
  [`CAST(from_unixtime(1714983266000 / 1000.0) = TIMESTAMP '2024-05-06 08:14:26' AS VARCHAR)`, 'true'],
  [`CAST(from_iso8601_timestamp('2024-05-06T08:14:26Z') = TIMESTAMP '2024-05-06 08:14:26' AS VARCHAR)`, 'true'],
  [`CAST(TRY(from_iso8601_timestamp('yesterday')) AS VARCHAR)`, null],
  [`CAST(json_extract('not json', '$.a') AS VARCHAR)`, null],
  [`json_extract_scalar(json_extract('{"a":{"b":"x"}}', '$.a'), '$.b')`, 'x'],
  [`CAST(any_match(COALESCE(TRY_CAST(json_extract('{"a":[1,2]}', '$.a') AS ARRAY(JSON)), ARRAY[json_extract('{"a":[1,2]}', '$.a')]), x -> json_extract_scalar(x, '$') = '2') AS VARCHAR)`, 'true'],
  [`CAST(any_match(COALESCE(TRY_CAST(json_extract('{"a":"2"}', '$.a') AS ARRAY(JSON)), ARRAY[json_extract('{"a":"2"}', '$.a')]), x -> json_extract_scalar(x, '$') = '2') AS VARCHAR)`, 'true'],
  [`CAST(any_match(flatten(transform(ARRAY[1, 2], e -> ARRAY[e, e * 10])), x -> x = 20) AS VARCHAR)`, 'true'],
  [`json_format(json_extract('{"a":null}', '$.a'))`, 'null'],
];
async function checkHarness() {
  const con = await newConnection();
  const bad = [];
  for (const [expr, want] of SHIM_CASES) {
    try {
      const [[got]] = (await con.runAndReadAll(rewriteTrino(`SELECT ${expr}`))).getRows();
      if ((got ?? null) !== want) bad.push(`${expr}: got ${got}, want ${want}`);
    } catch (e) { bad.push(`${expr}: ${e.message.split('\n')[0]}`); }
  }
  con.closeSync?.();
  check(!bad.length, `Trino shims (${SHIM_CASES.length} expressions)`, bad.join('\n'));
}

// -p NAME of a built-in and -p pipelines/NAME.yml: the same bytes out.
function checkBuiltinFile(layout, rules) {
  const args = LAYOUTS[layout].args;
  const k = args.indexOf('-p');
  if (k < 0 || !rules.length) return;
  const file = path.join(root, 'pipelines', `${args[k + 1]}.yml`);
  const out = a => spawnSync(sigma, ['convert', '-t', 'athena', '-f', 'json', ...a, ...rules.map(r => r.file)],
    { encoding: 'utf8', maxBuffer: 1 << 26 });
  const byName = out(args), byFile = out(args.map((a, i) => (i === k + 1 ? file : a)));
  check(byName.stdout.length > 0 && byName.stdout === byFile.stdout && byName.stderr === byFile.stderr
    && byName.status === byFile.status,
  `${layout}: -p ${args[k + 1]} and -p pipelines/${args[k + 1]}.yml give the same output`,
  `exit ${byName.status} / ${byFile.status}`);
}

// ---------------------------------------------------------------- main
async function main() {
  if (!fs.existsSync(sigma)) throw new Error(`${sigma} not found (build first)`);
  const tmpdir = fs.mkdtempSync(path.join(os.tmpdir(), 'sigma-aws-'));
  try {
    // The column types carried here are the shared reference's.
    const ref = path.join(shared, 'reference', 'aws');
    if (fs.existsSync(path.join(ref, 'securitylake-v2-tables.json'))) {
      const sl = JSON.parse(fs.readFileSync(path.join(ref, 'securitylake-v2-tables.json'), 'utf8')).tables;
      const ct = JSON.parse(fs.readFileSync(path.join(ref, 'cloudtrail-athena-table.json'), 'utf8'));
      check(isDeepStrictEqual(TABLES.cloud_trail_mgmt_2_0.columns, sl.cloud_trail_mgmt_2_0)
        && isDeepStrictEqual(TABLES.eks_audit_2_0.columns, sl.eks_audit_2_0)
        && isDeepStrictEqual(TABLES.cloudtrail_logs.columns, ct.columns)
        && isDeepStrictEqual(TABLES.cloudtrail_logs.partition_columns, ct.partition_columns),
      'tables.json equals ../shared/reference/aws');
    }

    await checkHarness();
    const events = loadEvents(check);
    const expect = JSON.parse(fs.readFileSync(path.join(here, 'expect.json'), 'utf8'));

    // Transformer goldens: each layout's row of a record, exactly.
    const gdir = path.join(here, 'golden');
    for (const f of fs.readdirSync(gdir).filter(x => x.endsWith('.json')).sort()) {
      const g = JSON.parse(fs.readFileSync(path.join(gdir, f), 'utf8'));
      for (const [layout, want] of Object.entries(g.rows)) {
        let got, err = '';
        try { got = LAYOUTS[layout].sources[g.source].row(g.record); } catch (e) { err = e.message; }
        check(!err && isDeepStrictEqual(got, want), `golden/${f} ${layout}`,
          err || `got ${JSON.stringify(got, null, 1)}`);
      }
    }

    const rules = loadRules(path.join(here, 'rules'), 'own');
    const corpus = corpusDir && fs.existsSync(corpusDir);
    if (corpus) {
      rules.push(...loadRules(path.join(corpusDir, 'rules', 'cloud', 'aws'), 'cloudtrail'));
      rules.push(...loadRules(path.join(corpusDir, 'rules', 'application', 'kubernetes'), 'kubernetes'));
    }
    // Without the corpus its rules are unknown here; with it, any unknown id is a typo.
    const known = new Set(rules.map(r => r.id));
    const unknown = events.flatMap(ev => [...ev.fires, ...ev.near_miss].filter(id => !known.has(id)).map(id => `${ev.file} ${ev.id}: ${id}`));
    if (corpus) check(!unknown.length, 'the events name only known rules', unknown.join('\n'));
    for (const r of rules) {
      const fires = events.filter(e => e.fires.includes(r.id)).length;
      const near = events.filter(e => e.near_miss.includes(r.id)).length;
      const unfireable = expect.rules[r.id]?.unfireable;
      check((fires > 0) !== Boolean(unfireable) && near > 0, `coverage of ${r.name} (${r.id})`,
        `${fires} firing events, ${near} near misses${unfireable ? `; expect.json: cannot fire (${unfireable})` : ''}`);
    }

    const groups = [...new Set(rules.map(r => r.group))];
    const mismatches = [];
    for (const layout of layoutNames) {
      const L = LAYOUTS[layout];
      const lrules = rules.filter(r => L.sources[r.source]);
      const conv = convert(sigma, layout, lrules, tmpdir);
      checkBuiltinFile(layout, lrules);
      const db = { con: null, ids: new Map(events.map(e => [e.id, e.id])), keys: {} };
      if (layout !== 'raw') {
        db.con = await newConnection();
        for (const [source, s] of Object.entries(L.sources)) {
          const evs = events.filter(e => e.source === source);
          db.keys[source] = new Map(evs.map(e => [KEY[source](e.record), e.id]));
          await fill(db.con, s.table, s.columns, evs.map(e => ({ row: s.row(e.record), where: `${e.file} ${e.id}` })));
        }
      }
      const counts = {};
      for (const r of lrules) {
        const res = await judge(r, layout, conv.get(r.file), db, events, expect);
        const c = counts[r.group] ??= { n: 0, identical: 0, expectedError: 0 };
        c.n++;
        if (!res.why) c.identical++;
        if (res.expectedError) c.expectedError++;
        if (res.why) mismatches.push(`${layout} ${r.group} ${r.name} (${r.id}): ${res.why}`);
        check(!res.why, `${layout} layout: ${r.name} returns its firing set`, res.why || '');
      }
      db.con?.closeSync?.();
      const parts = groups.filter(g => counts[g]).map(g => {
        const c = counts[g];
        return `${g} identical ${c.identical}/${c.n}${c.expectedError ? ` (${c.expectedError} expected error)` : ''}`;
      });
      console.log(`layout ${layout.padEnd(16)} ${parts.join('   ')}`);
    }
    if (mismatches.length) {
      console.log(`mismatches (${mismatches.length}${verbose ? '' : '; -v shows their SQL'}):`);
      for (const m of mismatches) {
        const lines = m.split('\n');
        console.log(`  ${(verbose ? lines : lines.slice(0, 1)).join('\n      ')}`);
      }
    }
    if (!corpus) console.log(`aws: no SigmaHQ corpus${corpusDir ? ` at ${corpusDir}` : ''}: only the rules of tests/aws/rules ran`);
  } finally {
    fs.rmSync(tmpdir, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (e) {
  console.log(`aws: ${e.stack || e.message}`);
  fail++;
}
console.log(`aws: ${pass} passed, ${fail} failed`);
process.exitCode = fail ? 1 : 0;
