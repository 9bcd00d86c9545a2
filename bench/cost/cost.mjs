// cost.mjs - what a scheduled run of the SigmaHQ CloudTrail rules costs on
// Athena, computed from the Parquet files of a Security-Lake-shaped dataset
// (gen.mjs). See README.md; run by bench/cost/run.sh.
//
//   node bench/cost/cost.mjs [--rules DIR] [--data DIR] [--sigma PATH]
//
// For each query, the bytes Athena would scan: the compressed size of the
// column chunks the query references, in the row groups that its predicates
// on time_dt cannot exclude by the row group's min/max statistics (how
// Iceberg's manifests and Parquet prune). Athena bills them at USD 5 per TB
// (2^40 bytes), rounded up to the megabyte (2^20 bytes), at least 10 MB per
// query.
//
// Which columns a query references is read from its SQL text: every column
// path of the table it names (a path such as api.request.data is that
// column's chunk; a column as a whole, a map or an array, all of its
// chunks; a member path the table does not have, its longest path that
// exists), and every column for `SELECT * FROM <table>`. The time bounds are
// the conjuncts `time_dt <op> <expression>` of the WHERE of the scan of the
// table, each expression evaluated by DuckDB with current_timestamp pinned to
// NOW below (a relative window's "now").
//
// The last line is "cost: unbounded/ours = X, windowed/ours = Y" (bytes).

import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance, SHIMS, rewriteTrino, tokenize } from '../../tests/semantic/harness.mjs';
import { generate, PARAMS, tableColumns } from './gen.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const argv = process.argv.slice(2);
const opt = (name, def) => { const i = argv.indexOf(name); return i >= 0 && argv[i + 1] ? argv[i + 1] : def; };

const BUILD = path.resolve(root, process.env.BUILD || 'build');
const SIGMA = opt('--sigma', path.join(BUILD, 'sigma'));
const DATA = path.resolve(opt('--data', path.join(BUILD, 'bench', 'cost', 'data')));
const RULES = path.resolve(root, opt('--rules', process.env.RULES || '../shared/corpus/sigmahq/rules/cloud/aws'));
const REGION = 'eu-west-2';
const TABLE = `amazon_security_lake_table_${REGION.replaceAll('-', '_')}_cloud_trail_mgmt_2_0`;
const PIPELINE = ['-p', 'athena_security_lake', '-O', `aws_table_region=${REGION}`];
// the pinned "now" of the relative window: the end of the data (a run at
// midnight after the 30 days; no event is later than now)
const NOW = '2024-05-01 00:00:00';
const WINDOW = '15m';
const MB = 2 ** 20, TB = 2 ** 40, USD_PER_TB = 5, MIN_BYTES = 10 * MB;

// ------------------------------------------------------------ dataset

async function dataset() {
  const want = JSON.stringify(PARAMS, null, 1) + '\n';
  const stamp = path.join(DATA, 'params.json');
  const gen = fs.statSync(path.join(here, 'gen.mjs')).mtimeMs;
  if (!fs.existsSync(stamp) || fs.readFileSync(stamp, 'utf8') !== want || fs.statSync(stamp).mtimeMs < gen) {
    const t0 = Date.now();
    console.log(`cost: generating the dataset in ${path.relative(root, DATA)} ...`);
    await generate(DATA);
    console.log(`cost: generated in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
}

// Row groups: {file, id, rows, min, max (time_dt, ms), chunks: [{path, bytes}]}
async function rowGroups(con) {
  const r = await con.runAndReadAll(`SELECT file_name, row_group_id, row_group_num_rows, path_in_schema,
      total_compressed_size, stats_min, stats_max FROM parquet_metadata('${DATA}/*/*.parquet')`);
  const groups = new Map();
  for (const [file, id, rows, p, bytes, min, max] of r.getRowsJS()) {
    const k = `${file}#${id}`;
    if (!groups.has(k)) groups.set(k, { file, id: Number(id), rows: Number(rows), chunks: [] });
    const g = groups.get(k);
    const parts = String(p).split(', ');
    g.chunks.push({ path: parts, logical: logical(parts), bytes: Number(bytes) });
    if (parts.length === 1 && parts[0] === 'time_dt') {
      g.min = Date.parse(`${String(min).replace(' ', 'T')}Z`);
      g.max = Date.parse(`${String(max).replace(' ', 'T')}Z`);
    }
  }
  const out = [...groups.values()];
  if (out.some(g => g.min === undefined || Number.isNaN(g.min))) throw new Error('a row group has no time_dt statistics');
  return out;
}

// A leaf's path without Parquet's container levels (list/element, key_value).
function logical(parts) {
  const out = [];
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] === 'list' && parts[i + 1] === 'element') { i++; continue; }
    if (parts[i] === 'key_value') continue;
    out.push(parts[i].toLowerCase());
  }
  return out;
}

// ------------------------------------------------------------ queries

function convert(extra) {
  const args = ['convert', '-t', 'athena', '-s', ...PIPELINE, ...extra, '-f', 'json', RULES];
  const r = spawnSync(SIGMA, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`sigma ${args.join(' ')}: ${r.stderr}`);
  return { args, results: JSON.parse(r.stdout) };
}

// The column paths a query references (lower case), or ['*'].
function references(sql, columns) {
  const toks = tokenize(sql);
  const refs = [];
  const isCol = t => (t.t === 'word' || t.t === 'qid') && columns.has(t.v.toLowerCase());
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k];
    if (t.t === 'op' && t.v === '*' && toks[k + 1]?.t === 'word' && toks[k + 1].v.toUpperCase() === 'FROM' &&
        toks[k + 2] && toks[k + 2].v.toLowerCase() === TABLE) refs.push(['*']);
    if (!isCol(t) || (toks[k - 1]?.t === 'op' && toks[k - 1].v === '.') || (toks[k + 1]?.t === 'op' && toks[k + 1].v === '(')) continue;
    const chain = [t.v.toLowerCase()];
    while (toks[k + 1]?.t === 'op' && toks[k + 1].v === '.' && toks[k + 2] && (toks[k + 2].t === 'word' || toks[k + 2].t === 'qid')) {
      chain.push(toks[k + 2].v.toLowerCase());
      k += 2;
    }
    refs.push(chain);
  }
  return refs;
}

// The chunks (indices into a row group's chunks) of the references.
function chunkSet(refs, chunks) {
  const set = new Set();
  for (const ref of refs) {
    if (ref[0] === '*') { chunks.forEach((_, i) => set.add(i)); continue; }
    for (let n = ref.length; n > 0; n--) {
      const hit = chunks.map((c, i) => (ref.slice(0, n).every((p, j) => c.logical[j] === p) ? i : -1)).filter(i => i >= 0);
      if (hit.length) { hit.forEach(i => set.add(i)); break; }
    }
  }
  return set;
}

// The time_dt bounds of the scan of the table: [{op, ms}].
async function timeBounds(con, sql) {
  const toks = tokenize(sql);
  const bounds = [];
  for (let k = 0; k + 2 < toks.length; k++) {
    if (!(toks[k].v.toUpperCase() === 'FROM' && toks[k + 1].v.toLowerCase() === TABLE && toks[k + 2].v.toUpperCase() === 'WHERE')) continue;
    // the conjuncts at the WHERE's level, up to its end
    let depth = 0, start = k + 3;
    const conj = [];
    let j = start;
    for (; j < toks.length; j++) {
      const v = toks[j].t === 'op' ? toks[j].v : toks[j].t === 'word' ? toks[j].v.toUpperCase() : '';
      if (v === '(') depth++;
      else if (v === ')') { if (depth === 0) break; depth--; }
      else if (depth === 0 && v === 'AND') { conj.push([start, j]); start = j + 1; }
    }
    conj.push([start, j]);
    for (const [a, b] of conj) {
      if (b - a < 3 || toks[a].v.toLowerCase() !== 'time_dt' || !['>=', '>', '<', '<='].includes(toks[a + 1].v)) continue;
      const expr = sql.slice(toks[a + 2].at, toks[b - 1].end).replace(/\bcurrent_timestamp\b/gi, `TIMESTAMP '${NOW}'`);
      const r = await con.runAndReadAll(`SELECT CAST(CAST(${expr} AS TIMESTAMP) AS VARCHAR)`);
      bounds.push({ op: toks[a + 1].v, ms: Date.parse(`${r.getRowsJS()[0][0].replace(' ', 'T')}Z`) });
    }
  }
  return bounds;
}

function excluded(g, bounds) {
  return bounds.some(({ op, ms }) =>
    (op === '>=' && g.max < ms) || (op === '>' && g.max <= ms) || (op === '<' && g.min >= ms) || (op === '<=' && g.min > ms));
}

async function scan(con, groups, columns, sql) {
  const refs = references(sql, columns);
  const bounds = await timeBounds(con, sql);
  const chunks = chunkSet(refs, groups[0].chunks);
  let bytes = 0, read = 0;
  for (const g of groups) {
    if (excluded(g, bounds)) continue;
    read++;
    for (const i of chunks) bytes += g.chunks[i].bytes;
  }
  return { bytes, rowGroups: read, chunks: chunks.size, bounds: bounds.length };
}

const billed = b => Math.max(MIN_BYTES, Math.ceil(b / MB) * MB);

async function scenario(con, groups, columns, name, extra, queriesOf) {
  const { args, results } = convert(extra);
  const queries = queriesOf(results);
  let bytes = 0, bill = 0, rg = 0, chunks = 0;
  for (const q of queries) {
    const s = await scan(con, groups, columns, q);
    bytes += s.bytes;
    bill += billed(s.bytes);
    rg += s.rowGroups;
    chunks += s.chunks;
  }
  return { name, args: args.slice(1, -1), queries: queries.length, bytes, billed: bill, usd: (bill / TB) * USD_PER_TB, rg, chunks };
}

// ------------------------------------------------------------ same rows

// The packs must find what the rules' own queries find: both run in DuckDB
// on the window of the dataset (current_timestamp pinned), the pack with the
// event id added to its columns (-O pack_fields=metadata.uid, not part of
// the cost above); their (event, rule) pairs must be the same.
async function sameRows(con) {
  await con.run(`CREATE VIEW ${TABLE} AS SELECT * FROM read_parquet('${DATA}/*/*.parquet', hive_partitioning = false)`);
  for (const s of SHIMS) await con.run(s);
  const pin = q => rewriteTrino(q.replace(/\bcurrent_timestamp\b/gi, `TIMESTAMP '${NOW}'`));
  const want = new Set();
  for (const r of convert(['-O', `window=${WINDOW}`]).results) {
    if (r.type !== 'rule' || !r.queries) continue;
    for (const q of r.queries) {
      const m = new RegExp(`^SELECT .*? FROM ${TABLE} WHERE (.*)$`, 's').exec(q);
      if (!m) throw new Error(`not SELECT ... FROM ${TABLE} WHERE ...: ${q.slice(0, 200)}`);
      const rows = (await con.runAndReadAll(pin(`SELECT metadata.uid FROM ${TABLE} WHERE ${m[1]}`))).getRowsJS();
      for (const [uid] of rows) want.add(`${uid} ${r.id}`);
    }
  }
  const got = new Set();
  let rows = 0;
  for (const p of convert(['--pack', '-O', `window=${WINDOW}`, '-O', 'pack_fields=metadata.uid']).results) {
    for (const q of p.queries || []) {
      const reader = await con.runAndReadAll(pin(q));
      const names = reader.columnNames();
      const uid = names.indexOf('metadata.uid'), labels = names.indexOf('sigma_rules');
      for (const row of reader.getRowsJS()) {
        rows++;
        for (const l of row[labels]) got.add(`${row[uid]} ${l}`);
      }
    }
  }
  const missing = [...want].filter(x => !got.has(x)), extra = [...got].filter(x => !want.has(x));
  return { rows, pairs: got.size, want: want.size, missing, extra };
}

// ------------------------------------------------------------ report

const n = x => Math.round(x).toLocaleString('en-US');
const usd = x => `$${x < 0.01 ? x.toFixed(6) : x.toFixed(4)}`;
const ratio = (a, b) => (b ? (a / b) : Infinity);
const fmtRatio = r => (r >= 100 ? n(r) : r.toFixed(1));

async function main() {
  if (!fs.existsSync(SIGMA)) throw new Error(`${SIGMA} not found: run make`);
  if (!fs.existsSync(RULES)) throw new Error(`no rules at ${RULES} (the SigmaHQ corpus: --rules DIR)`);
  await dataset();
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  await con.run(`SET TimeZone = 'UTC'`);
  const groups = await rowGroups(con);
  const columns = new Set(Object.keys(tableColumns()).map(c => c.toLowerCase()));
  const rows = groups.reduce((s, g) => s + g.rows, 0);
  const total = groups.reduce((s, g) => s + g.chunks.reduce((t, c) => t + c.bytes, 0), 0);
  const files = new Set(groups.map(g => g.file)).size;
  const P = PARAMS;
  console.log(`dataset: ${TABLE} (Security Lake v2 cloud_trail_mgmt_2_0), ${P.days} days x ${P.regions.length} regions x ${P.accounts.length} accounts x ${n(P.perDay)} events a day`);
  console.log(`         ${n(rows)} rows, ${n(files)} Parquet files (zstd), ${n(groups.length)} row groups (one per region, account and hour), ${n(total)} bytes of column chunks`);
  const plain = r => r.filter(x => x.type === 'rule').flatMap(x => x.queries || []);
  const packs = r => r.flatMap(x => x.queries || []);
  const rules = convert([]).results;
  const nrules = rules.filter(x => x.type === 'rule' && x.queries && x.queries.length).length;
  const failed = rules.filter(x => x.error).length;
  console.log(`rules:   ${n(nrules)} converted of ${n(rules.length)} in ${path.relative(root, RULES) || RULES}${failed ? ` (${failed} failed)` : ''}`);
  console.log(`window:  ${WINDOW} before now = ${NOW} UTC (current_timestamp pinned for the relative window)`);
  const S = [
    await scenario(con, groups, columns, 'unbounded: SELECT * per rule, no window (today, the reference)', [], plain),
    await scenario(con, groups, columns, `windowed: SELECT * per rule, -O window=${WINDOW}`, ['-O', `window=${WINDOW}`], plain),
    await scenario(con, groups, columns, 'packs, no window (projection only)', ['--pack'], packs),
    await scenario(con, groups, columns, `ours: packs + -O window=${WINDOW} + projection`, ['--pack', '-O', `window=${WINDOW}`], packs),
  ];
  const ours = S[3];
  console.log('');
  const head = ['scenario', 'queries', 'row groups read', 'bytes scanned', 'bytes billed', 'USD per run', 'USD per day (96 runs)', 'bytes / ours', 'USD / ours'];
  const table = S.map(s => [s.name, n(s.queries), n(s.rg), n(s.bytes), n(s.billed), usd(s.usd), usd(s.usd * 96), fmtRatio(ratio(s.bytes, ours.bytes)), fmtRatio(ratio(s.usd, ours.usd))]);
  const w = head.map((h, i) => Math.max(h.length, ...table.map(r => r[i].length)));
  const line = r => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  console.log(line(head));
  for (const r of table) console.log(line(r));
  console.log('');
  for (const s of S) console.log(`${s.name}:\n    sigma ${s.args.join(' ')} ${path.relative(root, RULES) || RULES}`);
  console.log('');
  console.log(`USD at ${USD_PER_TB} per TB (2^40 bytes), each query rounded up to the MB (2^20 bytes), at least 10 MB`);
  const same = await sameRows(con);
  console.log(`same rows: the packs return ${n(same.rows)} events of the window with ${n(same.pairs)} (event, rule) matches; ` +
              `the rules' own windowed queries ${n(same.want)}`);
  if (same.missing.length || same.extra.length)
    throw new Error(`the packs and the rules' queries differ: ${same.missing.length} missing, ${same.extra.length} extra ` +
                    `(${[...same.missing, ...same.extra].slice(0, 5).join('; ')})`);
  console.log(`cost: unbounded/ours = ${fmtRatio(ratio(S[0].bytes, ours.bytes))}, windowed/ours = ${fmtRatio(ratio(S[1].bytes, ours.bytes))}`);
}

main().catch(e => { console.error(`cost: ${e.message}`); process.exit(1); });
