// semantic.mjs - every case of tests/semantic/cases run on Trino.
//
// The same case files as the DuckDB runners (tests/semantic/run.mjs for the
// plain and pipeline cases, corr.mjs for cases/corr_*.yml), the same rule
// conversion (`sigma convert -t athena -O table=events` plus the case's args
// and pipeline), the same events, and the same expected rows: a case passes on
// Trino when it returns exactly the rows the case expects (which DuckDB must
// return too). The SQL runs unchanged: no shim, no rewrite.
//
// Each case gets its own schema (memory.s<N>) with a table `events` (and the
// case's other `tables:`), column types taken from the case's `schema:` (Glue
// types as Trino types) and `columns:` (DuckDB type names: STRUCT written as
// Trino's ROW, T[] as ARRAY(T)), other columns VARCHAR; a column the
// SQL names but no event has is added as a NULL VARCHAR column, as the DuckDB
// runner does.
//
// The case keys of rows.mjs (schema, 'now...' values, params, rows) work as
// in the DuckDB runners: queries with ? parameters run as EXECUTE IMMEDIATE
// '<query>' USING <start>, <end>, ...
//
// A case Trino knowingly answers differently carries
//     trino: {match: [...], reason: one line saying why}
// and is checked against that `match` instead; such cases are counted and
// listed.
import fs from 'node:fs';
import { pool, quoteIdent, sqlString } from './trino.mjs';
import { NUMERIC } from '../semantic/harness.mjs';
import { convertCase, eventValues, loadCase, queryLines, schemaColumns, tableColumns } from '../semantic/cases.mjs';
import { trinoLiteral, trinoType as glueTrino } from '../aws/lib/glue.mjs';
import { compareRows, paramValues, showKey } from '../semantic/rows.mjs';

// DuckDB type names of the case files -> Trino type names: STRUCT(...) is
// ROW(...), T[] is ARRAY(T); Trino types (a case's schema) stay as they are.
function trinoType(t) {
  const src = String(t);
  let i = 0;
  const type = () => {
    let out = '';
    const m = /^\s*(STRUCT|ROW|MAP|ARRAY)\s*\(/i.exec(src.slice(i));
    if (m) {
      i += m[0].length;
      out = `${/^struct$/i.test(m[1]) ? 'ROW' : m[1].toUpperCase()}(`;
      for (;;) {
        // a ROW/STRUCT member: name then type; MAP and ARRAY: types
        if (/^(ROW|STRUCT)$/i.test(m[1])) {
          const n = /^\s*("(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_]*)\s+/.exec(src.slice(i));
          if (!n) throw new Error(`cannot read the type ${src}`);
          i += n[0].length;
          out += `${n[1]} `;
        }
        out += type();
        const sep = /^\s*([,)])/.exec(src.slice(i));
        if (!sep) throw new Error(`cannot read the type ${src}`);
        i += sep[0].length;
        if (sep[1] === ')') break;
        out += ', ';
      }
      out += ')';
    } else {
      const w = /^\s*([A-Za-z_][A-Za-z0-9_ ]*?(\([0-9, ]+\))?)\s*(?=[,)\[]|$)/.exec(src.slice(i));
      if (!w) throw new Error(`cannot read the type ${src}`);
      i += w[0].length;
      out = w[1];
    }
    for (let a; (a = /^\s*\[\]/.exec(src.slice(i))); i += a[0].length) out = `ARRAY(${out})`;
    return out;
  };
  const r = type();
  if (src.slice(i).trim()) throw new Error(`cannot read the type ${src}`);
  return r;
}

function sqlValue(v, type) {
  if (v === null || v === undefined) return 'NULL';
  const T = type.toUpperCase();
  if (T === 'VARCHAR') return sqlString(typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));
  if (NUMERIC.test(T)) return typeof v === 'number' ? `CAST(${v} AS ${type})` : `CAST(${sqlString(String(v))} AS ${type})`;
  if (T === 'BOOLEAN') return v === true ? 'true' : v === false ? 'false' : `CAST(${sqlString(String(v))} AS BOOLEAN)`;
  if (typeof v === 'object') return `CAST(json_parse(${sqlString(JSON.stringify(v))}) AS ${trinoType(type)})`;
  return `CAST(${sqlString(String(v))} AS ${trinoType(type)})`;
}

// columns: {name: DuckDB type name, or a Glue type tree (from a schema)}
async function createTable(trino, schema, name, columns, events) {
  const cols = tableColumns(name, columns, events, glueTrino);
  await trino.query(`CREATE TABLE ${quoteIdent(name)} (${cols.map(c => `${quoteIdent(c.name)} ${trinoType(c.type)}`).join(', ')})`, { schema });
  const rows = (events || []).map(ev => `(${eventValues(name, ev, cols, trinoLiteral, sqlValue).join(', ')})`);
  if (rows.length) await trino.query(`INSERT INTO ${quoteIdent(name)} VALUES ${rows.join(', ')}`, { schema });
}

// Run sql (its ? parameters bound to params); a column the SQL names that the
// table lacks is added (NULL VARCHAR) and the query retried.
async function run(trino, schema, sql, params) {
  const values = paramValues(sql, params);
  const text = values.length ? `EXECUTE IMMEDIATE ${sqlString(sql)} USING ${values.join(', ')}` : sql;
  for (let attempt = 0; ; attempt++) {
    try {
      return await trino.query(text, { schema });
    } catch (e) {
      const m = /Column '([^'.]+)' cannot be resolved/.exec(e.message);
      if (!m || attempt >= 50) throw e;
      await trino.query(`ALTER TABLE events ADD COLUMN ${quoteIdent(m[1])} VARCHAR`, { schema });
    }
  }
}

async function runCase(trino, c, schema, tmpdir) {
  const problems = [];
  const corr = c.name.startsWith('corr_');
  const queries = queryLines(convertCase(c, tmpdir, { allowStderr: true }));
  const want = ((c.trino && c.trino.match) || c.match || []).map(x => showKey(x)).sort();
  await trino.query(`CREATE SCHEMA ${schema}`);
  try {
    await createTable(trino, schema, 'events', { ...schemaColumns(c, 'events', t => t), ...(c.columns || {}) }, c.events);
    for (const [name, t] of Object.entries(c.tables || {}))
      await createTable(trino, schema, name, { ...schemaColumns(c, name, x => x), ...(t.columns || {}) }, t.events);
    if (c.rows) {
      const rows = [];
      for (const q of corr ? queries.filter(x => x.startsWith('WITH ')) : queries) {
        try {
          const r = await run(trino, schema, q, c.params);
          for (const row of r.rows) rows.push(Object.fromEntries(r.columns.map((n, i) => [n, row[i]])));
        } catch (e) {
          problems.push(`Trino error: ${e.message}\n      ${q}`);
        }
      }
      const diff = compareRows(rows, c.rows);
      if (!problems.length && diff) problems.push(`${diff}\n      ${queries.join('\n      ')}`);
      return problems;
    }
    const got = [];
    const key = c.key || 'id';
    for (const q of corr ? queries.filter(x => x.startsWith('WITH ')) : queries) {
      let sql = q;
      if (!corr) {
        const m = /^SELECT (.+?) FROM events WHERE (.*)$/s.exec(q);
        if (!m) { problems.push(`query is not SELECT ... FROM events WHERE ...: ${q}`); continue; }
        sql = `SELECT id FROM events WHERE ${m[2]}`;
        try { await run(trino, schema, q, c.params); } catch (e) { problems.push(`Trino error: ${e.message}\n      ${q}`); continue; }
      }
      try {
        const r = await run(trino, schema, sql, c.params);
        const k = r.columns.findIndex(n => n.toLowerCase() === key.toLowerCase());
        if (k < 0) { problems.push(`result has no column ${key} (columns: ${r.columns.join(', ')})\n      ${q}`); continue; }
        for (const row of r.rows) got.push(showKey(row[k]));
      } catch (e) {
        problems.push(`Trino error: ${e.message}\n      ${q}`);
      }
    }
    got.sort();
    const same = corr ? JSON.stringify(got) === JSON.stringify(want)
      : JSON.stringify([...new Set(got)].sort()) === JSON.stringify([...new Set(want)].sort());
    if (!problems.length && !same) problems.push(`returned [${got.join(', ')}], expected [${want.join(', ')}]\n      ${queries.join('\n      ')}`);
  } finally {
    await trino.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => {});
  }
  return problems;
}

// -> { pass, fail, differ: [{name, reason}], lines: [...] }
export async function semanticOnTrino({ trino, caseDir, tmpdir, filters = [], jobs = 3 }) {
  const files = fs.readdirSync(caseDir).filter(f => f.endsWith('.yml')).sort()
    .filter(f => !filters.length || filters.some(x => f.includes(x)));
  const differ = [];
  const results = await pool(files, jobs, async (f, i) => {
    const name = f.replace(/\.yml$/, '');
    try {
      const c = loadCase(caseDir, f);
      if (c.trino) {
        const reason = String(c.trino.reason || '').trim();
        if (!reason || reason.includes('\n') || !Array.isArray(c.trino.match)) return { name, problems: ['trino: needs match (a list) and a one-line reason'] };
        differ.push({ name, reason });
      }
      return { name, problems: await runCase(trino, c, `s${i}`, tmpdir) };
    } catch (e) {
      return { name, problems: [e.message] };
    }
  });
  const lines = [];
  let pass = 0, fail = 0;
  for (const r of results) {
    if (r.problems.length) {
      fail++;
      lines.push(`FAIL semantic ${r.name}`, ...r.problems.map(p => `    ${p}`));
    } else pass++;
  }
  return { pass, fail, differ, lines };
}
