// harness.mjs - what the DuckDB test harnesses (tests/semantic/run.mjs and
// tests/aws/run.mjs) share to run the converter's Trino SQL in DuckDB:
//
//   SHIMS              SQL macros for the Trino functions DuckDB lacks or
//                      spells differently, with Trino's meaning (NULL cases
//                      included); run each with con.run() on a new connection
//   rewriteTrino(sql)  the few rewrites a macro cannot do (Trino-only syntax)
//   tokenize(sql)      SQL tokens {t: str|qid|num|word|op, v, at, end}
//   sqlString(s)       a Trino/DuckDB string literal (control characters as chr())
//   NUMERIC            the SQL type names of numbers
//   duckValue(v, type) a case's value as a DuckDB literal of a column type
//   runQuery(con, sql, params)  a query run, its ? parameters bound (rows.mjs)
//   rowObjects(reader) a result's rows as {column: value}
//   DuckDBInstance     @duckdb/node-api and
//   YAML               yaml, re-exported so that harnesses outside this folder
//                      use the one pinned copy installed here (package.json)
//
// A macro here must behave like the Trino function for every input the
// converter can give it; where DuckDB cannot (IPv6 networks), it raises an
// error rather than answer differently.

import { paramValues } from './rows.mjs';

export { DuckDBInstance } from '@duckdb/node-api';
export { default as YAML } from 'yaml';

export const SHIMS = [
  // Trino's REGEXP_LIKE searches anywhere in the string, as regexp_matches does.
  `CREATE MACRO regexp_like(s, p) AS regexp_matches(s, p)`,
  // Trino's element_at(map, key) returns the value, NULL when the key is absent
  // (map[key] raises an error in Trino).
  `CREATE MACRO element_at(m, k) AS map_extract_value(m, k)`,
  // any_match(array, x -> p): true if p holds for an element; else NULL if p
  // is NULL for an element; else false (also for an empty array); NULL for a
  // NULL array. all_match and none_match likewise.
  `CREATE MACRO any_match(l, f) AS
     CASE WHEN l IS NULL THEN NULL
          WHEN len(list_filter(list_transform(l, f), b -> b)) > 0 THEN true
          WHEN len(list_filter(list_transform(l, f), b -> b IS NULL)) > 0 THEN NULL
          ELSE false END`,
  `CREATE MACRO all_match(l, f) AS
     CASE WHEN l IS NULL THEN NULL
          WHEN len(list_filter(list_transform(l, f), b -> NOT b)) > 0 THEN false
          WHEN len(list_filter(list_transform(l, f), b -> b IS NULL)) > 0 THEN NULL
          ELSE true END`,
  `CREATE MACRO none_match(l, f) AS NOT any_match(l, f)`,
  // Trino JSON paths may use brackets for odd keys ($["a.b"]); DuckDB writes
  // them as quoted members ($."a.b").
  `CREATE MACRO trino_json_path(p) AS regexp_replace(p, '\\["([^"]*)"\\]', '."\\1"', 'g')`,
  // json_extract_scalar(json, path): the scalar at path as text (strings
  // unquoted, numbers and booleans as written), NULL for JSON null, for an
  // object or array, for a missing path and for text that is not JSON.
  `CREATE MACRO json_extract_scalar(j, p) AS
     CASE WHEN j IS NULL OR NOT json_valid(j) THEN NULL
          WHEN json_type(json_extract(j, trino_json_path(p))) IN ('OBJECT', 'ARRAY', 'NULL') THEN NULL
          ELSE json_extract_string(j, trino_json_path(p)) END`,
  // json_extract(json, path): the JSON value at path, NULL for a missing
  // path and for text that is not JSON (DuckDB's own raises an error).
  // Queries call it through rewriteTrino, which renames json_extract.
  `CREATE MACRO trino_json_extract(j, p) AS
     CASE WHEN j IS NULL OR NOT json_valid(j) THEN NULL ELSE json_extract(j, trino_json_path(p)) END`,
  // json_format(json): its compact text.
  `CREATE MACRO json_format(j) AS CAST(j AS VARCHAR)`,
  // from_unixtime(seconds) and from_iso8601_timestamp(text): timestamps with
  // time zone (the harnesses run DuckDB in UTC).
  `CREATE MACRO from_unixtime(x) AS to_timestamp(x)`,
  `CREATE MACRO from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)`,
  // to_unixtime(timestamp): seconds since the epoch, a double.
  `CREATE MACRO to_unixtime(t) AS epoch(t)`,
  // date_format(timestamp, format) with the specifiers the converter writes
  // (%Y %m %d), which DuckDB's strftime reads the same way.
  `CREATE MACRO date_format(t, f) AS strftime(t, f)`,
  // cardinality(array): its length (the converter uses it on arrays only;
  // DuckDB's own takes maps).
  `CREATE MACRO cardinality(x) AS len(x)`,
  // One IPv4 octet (0-255, no sign) as a BIGINT, else NULL.
  `CREATE MACRO sem_octet(o) AS
     CASE WHEN regexp_full_match(o, '[0-9]{1,3}') AND TRY_CAST(o AS INTEGER) <= 255
          THEN TRY_CAST(o AS BIGINT) END`,
  // Dotted-quad IPv4 text as a 32-bit number, else NULL.
  `CREATE MACRO sem_ipv4(s) AS
     CASE WHEN regexp_full_match(s, '[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}')
          THEN sem_octet(split_part(s, '.', 1)) * 16777216 + sem_octet(split_part(s, '.', 2)) * 65536
             + sem_octet(split_part(s, '.', 3)) * 256 + sem_octet(split_part(s, '.', 4)) END`,
  // contains(network, TRY_CAST(addr AS IPADDRESS)) for IPv4 networks:
  // NULL when addr is not an IP address (TRY_CAST gives NULL), false for an
  // IPv6 address (a different family), else the prefix comparison.
  `CREATE MACRO sem_cidr_contains(net, addr) AS
     CASE
       WHEN net NOT LIKE '%.%/%' THEN error('semantic harness: IPv6 networks are not supported: ' || net)
       WHEN addr IS NULL THEN NULL
       WHEN sem_ipv4(addr) IS NOT NULL THEN
         sem_ipv4(addr) // CAST(pow(2, 32 - TRY_CAST(split_part(net, '/', 2) AS INTEGER)) AS BIGINT)
         = sem_ipv4(split_part(net, '/', 1)) // CAST(pow(2, 32 - TRY_CAST(split_part(net, '/', 2) AS INTEGER)) AS BIGINT)
       WHEN addr LIKE '%:%' THEN false
       ELSE NULL
     END`,
];

// Trino syntax no macro can stand for:
// - contains('<net>', TRY_CAST(<expr> AS IPADDRESS)) -> sem_cidr_contains('<net>', <expr>)
//   (DuckDB has no IPADDRESS type; CAST, not TRY_CAST, would raise on a
//   non-address in Trino, so only TRY_CAST is accepted);
// - the type ARRAY(JSON) -> JSON[];
// - transform(array, lambda) -> list_transform (a macro cannot pass a lambda on);
// - json_extract(...) -> trino_json_extract(...) (DuckDB's own raises on text
//   that is not JSON, where Trino gives NULL).
export function rewriteTrino(sql) {
  return sql
    .replace(/\bcontains\(\s*('(?:[^']|'')*')\s*,\s*TRY_CAST\((.+?) AS IPADDRESS\)\)/gi,
      (_, net, expr) => `sem_cidr_contains(${net}, ${expr})`)
    .replace(/\bARRAY\s*\(\s*JSON\s*\)/gi, 'JSON[]')
    .replace(/\btransform\(/g, 'list_transform(')
    .replace(/\bjson_extract\(/g, 'trino_json_extract(')
    // Trino's DECIMAL '<digits>' literal has the precision of its digits;
    // DuckDB reads DECIMAL as DECIMAL(18,3), too small for the integers
    // beyond BIGINT the converter writes this way.
    .replace(/\bDECIMAL '(-?[0-9]{1,38})'/g, (_, d) => `CAST('${d}' AS DECIMAL(38,0))`);
}

// Tokens of a SQL text: string literals (v unquoted), quoted identifiers,
// numbers, words and operators, each with its start (at) and end offsets.
export function tokenize(sql) {
  const toks = [];
  let i = 0;
  const quoted = (q, t) => {
    let j = i + 1, v = '';
    for (;;) {
      if (j >= sql.length) throw new Error(`unterminated ${t === 'str' ? 'string literal' : 'quoted identifier'} at ${i}`);
      if (sql[j] === q) {
        if (sql[j + 1] === q) { v += q; j += 2; continue; }
        break;
      }
      v += sql[j++];
    }
    toks.push({ t, v, at: i, end: j + 1 });
    i = j + 1;
  };
  while (i < sql.length) {
    const c = sql[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === "'") quoted("'", 'str');
    else if (c === '"') quoted('"', 'qid');
    else {
      const m = /[0-9]/.test(c) ? /^[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?/.exec(sql.slice(i))
        : /[A-Za-z_]/.test(c) ? /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i))
          : /^(<>|<=|>=|!=|==|->|\|\||[^\s])/.exec(sql.slice(i));
      const t = /[0-9]/.test(c) ? 'num' : /[A-Za-z_]/.test(c) ? 'word' : 'op';
      toks.push({ t, v: m[0], at: i, end: i + m[0].length });
      i += m[0].length;
    }
  }
  return toks;
}

// A string literal; control characters go through chr(), as the converter is
// required to write them.
export function sqlString(s) {
  const parts = [];
  let cur = '';
  for (const ch of String(s)) {
    const cp = ch.codePointAt(0);
    if (cp < 0x20 || cp === 0x7f) {
      if (cur) parts.push(`'${cur.replace(/'/g, "''")}'`);
      parts.push(`chr(${cp})`);
      cur = '';
    } else cur += ch;
  }
  if (cur || !parts.length) parts.push(`'${cur.replace(/'/g, "''")}'`);
  return parts.length === 1 ? parts[0] : `(${parts.join(' || ')})`;
}

export const quoteIdent = n => `"${String(n).replace(/"/g, '""')}"`;


export const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|INT|BIGINT|REAL|DOUBLE|DECIMAL.*|FLOAT)$/i;

// A value of a case (YAML) as a literal of a column of SQL type `type`.
export function duckValue(v, type) {
  if (v === null || v === undefined) return 'NULL';
  const T = type.toUpperCase();
  if (T === 'VARCHAR') return sqlString(typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));
  if (NUMERIC.test(T)) return typeof v === 'number' ? String(v) : `CAST(${sqlString(String(v))} AS ${type})`;
  if (T === 'BOOLEAN') return v === true ? 'true' : v === false ? 'false' : `CAST(${sqlString(String(v))} AS BOOLEAN)`;
  // Nested values: a YAML map/list goes through JSON; a string is DuckDB's
  // text form of the type (e.g. "{'name': 'al'}" for a STRUCT).
  if (typeof v === 'object') return `CAST(CAST(${sqlString(JSON.stringify(v))} AS JSON) AS ${type})`;
  return `CAST(${sqlString(String(v))} AS ${type})`;
}

// Runs a query (its ? parameters bound to a case's params, rows.mjs) and
// returns the reader.
let prepared = 0;
export async function runQuery(con, sql, params) {
  const values = paramValues(sql, params);
  if (!values.length) return con.runAndReadAll(sql);
  const name = `sem_q${++prepared}`;
  await con.run(`PREPARE ${name} AS ${sql}`);
  return con.runAndReadAll(`EXECUTE ${name}(${values.join(', ')})`);
}

export function rowObjects(reader) {
  const names = reader.columnNames();
  return reader.getRowsJS().map(row => Object.fromEntries(names.map((n, i) => [n, row[i]])));
}
