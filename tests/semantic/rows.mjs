// rows.mjs - what the semantic runners (run.mjs and corr.mjs on DuckDB,
// tests/trino/semantic.mjs on Trino) share for the case keys of time windows,
// rule packs and correlation alerts. No dependencies: the Trino runner loads
// it without DuckDB.
//
// Case keys:
//   schema:  a table schema (Athena DDL text, table `events`), given to sigma
//            as -O schema=FILE so that the time column has its type
//   now:     event values 'now', 'now-5m', 'now+1h' (units s, m, h, d) are
//            times relative to the start of the run (NOW), written in the
//            column's type: TIMESTAMP 'YYYY-MM-DD HH:MM:SS.mmm', an integer
//            column as epoch milliseconds, VARCHAR as ISO-8601
//            ('YYYY-MM-DDTHH:MM:SSZ'); 'now-5m|%Y/%m/%d' formats the time
//            (%Y %m %d %H %M %S, UTC) for a partition column. A relative
//            window's queries use the engine's current_timestamp, so the
//            events sit well inside or well outside the window (minutes
//            from its edge), never at it.
//   params:  [start, end] (ISO-8601 or now-...): the values of the ?
//            parameters of -O window=params queries, bound as TIMESTAMP
//            literals in pairs (start, end, start, end, ...)
//   rows:    the rows the queries must return, exactly (a multiset over all
//            queries), each a map of the columns to compare: the result's
//            other columns are ignored; timestamps as 'YYYY-MM-DD HH:MM:SS'
//            (a fraction only when not zero), arrays as YAML lists

export const NOW = Date.now();

const UNIT = { s: 1000, m: 60000, h: 3600000, d: 86400000 };
const TIME = /^now(?:([+-])(\d+)([smhd]))?(?:\|(.+))?$/;

const pad = (n, w = 2) => String(n).padStart(w, '0');

// 'YYYY-MM-DD HH:MM:SS.mmm' (UTC) of epoch milliseconds
export function sqlTimestamp(ms) {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
}

function format(ms, f) {
  const d = new Date(ms);
  const parts = { Y: d.getUTCFullYear(), m: pad(d.getUTCMonth() + 1), d: pad(d.getUTCDate()), H: pad(d.getUTCHours()), M: pad(d.getUTCMinutes()), S: pad(d.getUTCSeconds()) };
  return f.replace(/%([YmdHMS])/g, (_, k) => String(parts[k]));
}

// The epoch milliseconds of a 'now...' value, or of ISO-8601 text.
export function timeOf(v) {
  const m = TIME.exec(String(v));
  if (m) return NOW + (m[1] ? (m[1] === '-' ? -1 : 1) * Number(m[2]) * UNIT[m[3]] : 0);
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw new Error(`not a time: ${v}`);
  return ms;
}

// An event value with 'now...' resolved for a column of SQL type `type`
// (a type name, or a Glue type tree of a schema column: glue.mjs).
export function resolveNow(v, type) {
  if (typeof v !== 'string') return v;
  const m = TIME.exec(v);
  if (!m) return v;
  const ms = timeOf(v.replace(/\|.*$/, ''));
  if (m[4]) return format(ms, m[4]);
  const T = String(typeof type === 'object' && type ? type.name : type).toUpperCase();
  if (/^(BIGINT|INTEGER|INT|TINYINT|SMALLINT)$/.test(T)) return ms;
  if (T === 'VARCHAR' || T === 'STRING') return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z');
  if (typeof type === 'object') return new Date(ms).toISOString(); // a Glue timestamp: ISO-8601 UTC
  return sqlTimestamp(ms);
}

// The TIMESTAMP literals bound to the ? parameters of sql: params [start,
// end] repeated for each pair.
export function paramValues(sql, params) {
  const n = (sql.replace(/'(?:[^']|'')*'/g, "''").match(/\?/g) || []).length;
  if (!n) return [];
  if (!Array.isArray(params) || params.length !== 2) throw new Error('the query has ? parameters: the case needs params: [start, end]');
  if (n % 2) throw new Error(`the query has ${n} ? parameters, not pairs`);
  const lits = params.map(p => `TIMESTAMP '${sqlTimestamp(timeOf(p))}'`);
  return Array.from({ length: n }, (_, i) => lits[i % 2]);
}

// A result value as the cases write it.
export function show(v) {
  if (v === null || v === undefined) return 'NULL';
  if (v instanceof Date) v = v.toISOString();
  if (Array.isArray(v)) return JSON.stringify(v.map(x => (x === null || x === undefined ? null : show(x))));
  if (typeof v === 'bigint') return String(v);
  if (typeof v === 'object') return JSON.stringify(v);
  // a decimal with a zero fraction (Trino's DECIMAL arithmetic): the number
  if (/^-?\d+\.\d+$/.test(String(v))) return String(Number(v));
  return String(v)
    .replace(/^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:\.(\d*?)0*)?(?:Z| UTC)?$/, (_, d, t, f) => `${d} ${t}${f ? `.${f}` : ''}`);
}

// A returned row's key (match: lists) as the cases write it: a timestamp as
// 'YYYY-MM-DD HH:MM:SS' when its fraction is zero.
export function showKey(v) {
  if (v === null || v === undefined) return 'NULL';
  return String(v).replace(/^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(\.0+)?Z?$/, '$1 $2');
}

// Compares result rows ({column: value} with the result's column names) with
// the expected rows on every column that some expected row names (an
// expected row without one of them stands for a result row without that
// column); returns '' or a description of the difference.
export function compareRows(got, want) {
  if (!Array.isArray(want) || !want.length) return 'rows: needs a list of expected rows';
  const cols = [...new Set(want.flatMap(r => Object.keys(r)))];
  const key = r => JSON.stringify(cols.map(c => {
    const k = Object.keys(r).find(x => x.toLowerCase() === c.toLowerCase());
    return k === undefined ? '<missing>' : show(r[k]);
  }));
  const g = got.map(key).sort(), w = want.map(key).sort();
  if (JSON.stringify(g) === JSON.stringify(w)) return '';
  return `rows (${cols.join(', ')}):\n        got      ${g.join('\n                 ')}\n        expected ${w.join('\n                 ')}`;
}
