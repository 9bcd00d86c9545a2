// glue.mjs - Glue (Hive) column types as DuckDB sees them.
//
//   parseType(text)        'struct<a:string,b:array<int>>' -> a type tree:
//                          {kind: 'struct', fields: [[name, type], ...]},
//                          {kind: 'array', elem}, {kind: 'map', key, value},
//                          {kind: 'scalar', name} (string, int, bigint,
//                          boolean, timestamp, double, decimal(p,s))
//   duckType(type)         the DuckDB type: STRUCT("a" VARCHAR, ...), T[],
//                          MAP(K, V), VARCHAR, INTEGER, BIGINT, BOOLEAN,
//                          TIMESTAMP, DOUBLE, TINYINT, SMALLINT, REAL, DATE
//   trinoType(type)        the Trino type: ROW(...), ARRAY(T), MAP(K, V), ...
//   ddlColumns(text)       the columns of the one CREATE TABLE statement of
//                          an Athena DDL text: [[name, glue type text], ...]
//                          (partition keys last)
//   ddlTables(text)        every CREATE TABLE of a text: {name: columns}
//   literal(value, type, where, lenient)
//                          a DuckDB expression of exactly that type for a JS
//                          value (objects for structs and maps, arrays for
//                          arrays, null for NULL, timestamps as ISO-8601 text);
//                          throws, naming the path, when the value does not
//                          fit (a struct key the type lacks, a string for an
//                          int, ...), so a transformer cannot silently write a
//                          column the table does not have; lenient (test
//                          cases): an object for a string is its JSON text,
//                          a timestamp may be 'YYYY-MM-DD HH:MM:SS' 
//   trinoLiteral(value, type)  the same as a Trino expression (absent struct
//                          members NULL; JSON text for objects in strings)
//   createTable(name, columns)  CREATE TABLE with columns {name: glue type
//                          text or type tree}

import { sqlString, quoteIdent } from '../../semantic/harness.mjs';

const SCALARS = {
  string: 'VARCHAR', int: 'INTEGER', bigint: 'BIGINT', boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP', double: 'DOUBLE', tinyint: 'TINYINT', smallint: 'SMALLINT',
  float: 'REAL', date: 'DATE', binary: 'VARBINARY',
};

export function parseType(text) {
  let i = 0;
  const fail = msg => { throw new Error(`glue type '${text}' at ${i}: ${msg}`); };
  const word = () => {
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (!m) fail('expected a name');
    i += m[0].length;
    return m[0];
  };
  // a struct member: a name, or back-quoted (`` ` `` doubled inside)
  const member = () => {
    if (text[i] !== '`') return word();
    const m = /^`((?:[^`]|``)*)`/.exec(text.slice(i));
    if (!m) fail('unterminated back-quoted name');
    i += m[0].length;
    return m[1].replace(/``/g, '`');
  };
  const eat = c => { if (text[i] !== c) fail(`expected '${c}'`); i++; };
  const type = () => {
    const w = word().toLowerCase();
    if (w === 'struct') {
      eat('<');
      const fields = [];
      for (;;) {
        const n = member();
        eat(':');
        fields.push([n, type()]);
        if (text[i] === ',') { i++; continue; }
        eat('>');
        return { kind: 'struct', fields };
      }
    }
    if (w === 'array') { eat('<'); const elem = type(); eat('>'); return { kind: 'array', elem }; }
    if (w === 'map') { eat('<'); const key = type(); eat(','); const value = type(); eat('>'); return { kind: 'map', key, value }; }
    if (w === 'decimal') {
      const m = /^\((\d+),(\d+)\)/.exec(text.slice(i));
      if (!m) fail('expected decimal(p,s)');
      i += m[0].length;
      return { kind: 'scalar', name: 'decimal', sql: `DECIMAL(${m[1]}, ${m[2]})` };
    }
    if (w === 'integer') return { kind: 'scalar', name: 'int' };
    if (w === 'varchar' || w === 'char') {
      const m = /^\((\d+)\)/.exec(text.slice(i));
      if (!m) fail(`expected ${w}(n)`);
      i += m[0].length;
      return { kind: 'scalar', name: 'string', sql: `${w.toUpperCase()}(${m[1]})` };
    }
    if (!SCALARS[w]) fail(`unknown type ${w}`);
    return { kind: 'scalar', name: w };
  };
  const t = type();
  if (i !== text.length) fail('trailing text');
  return t;
}

// The Trino type: ROW("a" VARCHAR, ...), ARRAY(T), MAP(K, V), ...
export function trinoType(t) {
  switch (t.kind) {
    case 'struct': return `ROW(${t.fields.map(([n, f]) => `${quoteIdent(n)} ${trinoType(f)}`).join(', ')})`;
    case 'array': return `ARRAY(${trinoType(t.elem)})`;
    case 'map': return `MAP(${trinoType(t.key)}, ${trinoType(t.value)})`;
    default: return t.sql || SCALARS[t.name];
  }
}

export function duckType(t) {
  switch (t.kind) {
    case 'struct': return `STRUCT(${t.fields.map(([n, f]) => `${quoteIdent(n)} ${duckType(f)}`).join(', ')})`;
    case 'array': return `${duckType(t.elem)}[]`;
    case 'map': return `MAP(${duckType(t.key)}, ${duckType(t.value)})`;
    default: return t.sql || SCALARS[t.name];
  }
}

const isObject = v => v !== null && typeof v === 'object' && !Array.isArray(v);

export function literal(v, t, where = 'value', lenient = false) {
  if (v === null || v === undefined) return `CAST(NULL AS ${duckType(t)})`;
  const fail = what => { throw new Error(`${where}: ${what} (${JSON.stringify(v).slice(0, 80)}) for ${duckType(t).slice(0, 80)}`); };
  switch (t.kind) {
    case 'struct': {
      if (!isObject(v)) fail('not an object');
      const names = new Set(t.fields.map(([n]) => n));
      for (const k of Object.keys(v)) if (!names.has(k)) fail(`no member '${k}'`);
      return `{${t.fields.map(([n, f]) => `${sqlString(n)}: ${literal(v[n], f, `${where}.${n}`, lenient)}`).join(', ')}}`;
    }
    case 'array':
      if (!Array.isArray(v)) fail('not an array');
      if (!v.length) return `CAST([] AS ${duckType(t)})`;
      return `[${v.map((e, k) => literal(e, t.elem, `${where}[${k}]`, lenient)).join(', ')}]`;
    case 'map': {
      if (!isObject(v)) fail('not an object');
      const es = Object.entries(v);
      if (!es.length) return `CAST(MAP {} AS ${duckType(t)})`;
      return `MAP {${es.map(([k, x]) => `${literal(k, t.key, `${where} key`, lenient)}: ${literal(x, t.value, `${where}['${k}']`, lenient)}`).join(', ')}}`;
    }
    default:
      switch (t.name) {
        case 'string':
          if (lenient && typeof v === 'object') return sqlString(JSON.stringify(v));
          if (lenient && typeof v !== 'string') return sqlString(String(v));
          if (typeof v !== 'string') fail('not a string');
          return sqlString(v);
        case 'tinyint': case 'smallint':
          if (!Number.isSafeInteger(v)) fail('not an integer');
          return `CAST(${v} AS ${SCALARS[t.name]})`;
        case 'date': return `DATE ${sqlString(String(v))}`;
        case 'int': case 'bigint':
          if (!Number.isSafeInteger(v)) fail('not an integer');
          if (t.name === 'int' && Math.abs(v) > 2147483647) fail('out of int range');
          return `CAST(${v} AS ${SCALARS[t.name]})`;
        case 'double': case 'decimal': if (typeof v !== 'number') fail('not a number'); return `CAST(${v} AS ${duckType(t)})`;
        case 'boolean': if (typeof v !== 'boolean') fail('not a boolean'); return v ? 'true' : 'false';
        case 'timestamp':
          if (lenient && typeof v === 'string' && /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?$/.test(v)) return `TIMESTAMP ${sqlString(v)}`;
          if (typeof v !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$/.test(v)) fail('not an ISO-8601 UTC time');
          return `TIMESTAMP ${sqlString(v.replace('T', ' ').replace('Z', ''))}`;
      }
  }
  throw new Error(`${where}: unhandled type`);
}

// A Trino expression of exactly type t for a JS value, built from the type
// (Trino cannot cast JSON to a ROW holding a timestamp): structs as
// CAST(ROW(...) AS ROW(...)) with absent members NULL, arrays as ARRAY[...],
// maps as MAP(ARRAY[keys], ARRAY[values]), timestamps from ISO-8601 UTC or
// 'YYYY-MM-DD HH:MM:SS' text; an object or list for a string column is its
// JSON text. Throws, naming the path, on a value that does not fit.
export function trinoLiteral(v, t, where = 'value') {
  const T = trinoType(t);
  if (v === null || v === undefined) return `CAST(NULL AS ${T})`;
  const fail = what => { throw new Error(`${where}: ${what} (${JSON.stringify(v).slice(0, 80)}) for ${T.slice(0, 80)}`); };
  switch (t.kind) {
    case 'struct': {
      if (!isObject(v)) fail('not an object');
      const names = new Map(t.fields.map(([n]) => [n.toLowerCase(), n]));
      for (const k of Object.keys(v)) if (!names.has(k.toLowerCase())) fail(`no member '${k}'`);
      const val = n => v[Object.keys(v).find(k => k.toLowerCase() === n.toLowerCase())];
      return `CAST(ROW(${t.fields.map(([n, f]) => trinoLiteral(val(n), f, `${where}.${n}`)).join(', ')}) AS ${T})`;
    }
    case 'array':
      if (!Array.isArray(v)) fail('not an array');
      if (!v.length) return `CAST(ARRAY[] AS ${T})`;
      return `ARRAY[${v.map((e, k) => trinoLiteral(e, t.elem, `${where}[${k}]`)).join(', ')}]`;
    case 'map': {
      if (!isObject(v)) fail('not an object');
      const es = Object.entries(v);
      if (!es.length) return `CAST(MAP() AS ${T})`;
      return `MAP(ARRAY[${es.map(([k]) => trinoLiteral(k, t.key, `${where} key`)).join(', ')}], ` +
        `ARRAY[${es.map(([k, x]) => trinoLiteral(x, t.value, `${where}['${k}']`)).join(', ')}])`;
    }
    default:
      switch (t.name) {
        case 'string':
          if (typeof v === 'object') return `CAST(${sqlString(JSON.stringify(v))} AS ${T})`;
          return `CAST(${sqlString(String(v))} AS ${T})`;
        case 'tinyint': case 'smallint': case 'int': case 'bigint':
          if (!Number.isSafeInteger(v)) fail('not an integer');
          return `CAST(${v} AS ${T})`;
        case 'double': case 'float': case 'decimal':
          if (typeof v !== 'number') fail('not a number');
          return `CAST(${v} AS ${T})`;
        case 'boolean': if (typeof v !== 'boolean') fail('not a boolean'); return v ? 'true' : 'false';
        case 'date': return `DATE ${sqlString(String(v))}`;
        case 'timestamp': {
          const m = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d(?:\.\d{1,6})?)Z?$/.exec(String(v));
          if (!m) fail('not an ISO-8601 UTC time');
          return `TIMESTAMP ${sqlString(`${m[1]} ${m[2]}`)}`;
        }
      }
  }
  throw new Error(`${where}: unhandled type`);
}

export function createTable(name, columns) {
  return `CREATE TABLE ${name} (${Object.entries(columns)
    .map(([c, g]) => `${quoteIdent(c)} ${duckType(typeof g === 'string' ? parseType(g) : g)}`).join(', ')})`;
}

// The columns of a CREATE TABLE statement (for test schemas written as DDL):
// back-quoted or bare names, types up to a top-level comma (blanks dropped),
// COMMENT '...' ignored; PARTITIONED BY (...) columns after the others.
export function ddlColumns(text) {
  const src = text.replace(/--[^\n]*/g, '').replace(/\s+COMMENT\s+'(?:[^'\\]|\\.)*'/gi, '');
  const group = from => {
    const open = src.indexOf('(', from);
    if (open < 0) throw new Error('DDL: no column list');
    let depth = 0, j = open;
    for (; j < src.length; j++) {
      if (src[j] === '(' || src[j] === '<') depth++;
      else if ((src[j] === ')' || src[j] === '>') && --depth === 0) break;
    }
    const parts = [];
    let cur = '', d = 0;
    for (const ch of src.slice(open + 1, j)) {
      if (ch === '(' || ch === '<') d++;
      if (ch === ')' || ch === '>') d--;
      if (ch === ',' && d === 0) { parts.push(cur); cur = ''; } else cur += ch;
    }
    parts.push(cur);
    return parts.map(p => {
      const m = /^\s*(?:`([^`]+)`|([A-Za-z_][A-Za-z0-9_]*))\s+(.*?)\s*$/s.exec(p);
      if (!m) throw new Error(`DDL: cannot read column '${p.trim()}'`);
      return [m[1] ?? m[2], m[3].replace(/\s+/g, '')];
    });
  };
  const t = /CREATE\s+(?:EXTERNAL\s+)?TABLE/i.exec(src);
  if (!t) throw new Error('DDL: no CREATE TABLE');
  const cols = group(t.index);
  const pb = /PARTITIONED\s+BY/i.exec(src);
  return pb ? [...cols, ...group(pb.index)] : cols;
}

// The tables of a DDL text of one or more statements separated by ';':
// {name: [[column, glue type text], ...]} (the name without its database).
export function ddlTables(text) {
  const out = {};
  for (const stmt of text.split(';')) {
    const m = /CREATE\s+(?:EXTERNAL\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?((?:`[^`]+`|[A-Za-z0-9_]+)(?:\.(?:`[^`]+`|[A-Za-z0-9_]+))*)/i.exec(stmt);
    if (!m) continue;
    const name = m[1].split('.').pop().replace(/`/g, '');
    out[name] = ddlColumns(stmt);
  }
  return out;
}
