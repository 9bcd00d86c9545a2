// glue.mjs - Glue (Hive) column types as DuckDB sees them.
//
//   parseType(text)        'struct<a:string,b:array<int>>' -> a type tree:
//                          {kind: 'struct', fields: [[name, type], ...]},
//                          {kind: 'array', elem}, {kind: 'map', key, value},
//                          {kind: 'scalar', name} (string, int, bigint,
//                          boolean, timestamp, double, decimal(p,s))
//   duckType(type)         the DuckDB type: STRUCT("a" VARCHAR, ...), T[],
//                          MAP(K, V), VARCHAR, INTEGER, BIGINT, BOOLEAN,
//                          TIMESTAMP, DOUBLE
//   literal(value, type)   a DuckDB expression of exactly that type for a JS
//                          value (objects for structs and maps, arrays for
//                          arrays, null for NULL, timestamps as ISO-8601 text);
//                          throws, naming the path, when the value does not
//                          fit (a struct key the type lacks, a string for an
//                          int, ...), so a transformer cannot silently write a
//                          column the table does not have
//   createTable(name, columns)  CREATE TABLE with columns {name: glue type
//                          text or type tree}

import { sqlString, quoteIdent } from '../../semantic/harness.mjs';

const SCALARS = {
  string: 'VARCHAR', int: 'INTEGER', bigint: 'BIGINT', boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP', double: 'DOUBLE',
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
  const eat = c => { if (text[i] !== c) fail(`expected '${c}'`); i++; };
  const type = () => {
    const w = word().toLowerCase();
    if (w === 'struct') {
      eat('<');
      const fields = [];
      for (;;) {
        const n = word();
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
    if (!SCALARS[w]) fail(`unknown type ${w}`);
    return { kind: 'scalar', name: w };
  };
  const t = type();
  if (i !== text.length) fail('trailing text');
  return t;
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

export function literal(v, t, where = 'value') {
  if (v === null || v === undefined) return `CAST(NULL AS ${duckType(t)})`;
  const fail = what => { throw new Error(`${where}: ${what} (${JSON.stringify(v).slice(0, 80)}) for ${duckType(t).slice(0, 80)}`); };
  switch (t.kind) {
    case 'struct': {
      if (!isObject(v)) fail('not an object');
      const names = new Set(t.fields.map(([n]) => n));
      for (const k of Object.keys(v)) if (!names.has(k)) fail(`no member '${k}'`);
      return `{${t.fields.map(([n, f]) => `${sqlString(n)}: ${literal(v[n], f, `${where}.${n}`)}`).join(', ')}}`;
    }
    case 'array':
      if (!Array.isArray(v)) fail('not an array');
      if (!v.length) return `CAST([] AS ${duckType(t)})`;
      return `[${v.map((e, k) => literal(e, t.elem, `${where}[${k}]`)).join(', ')}]`;
    case 'map': {
      if (!isObject(v)) fail('not an object');
      const es = Object.entries(v);
      if (!es.length) return `CAST(MAP {} AS ${duckType(t)})`;
      return `MAP {${es.map(([k, x]) => `${literal(k, t.key, `${where} key`)}: ${literal(x, t.value, `${where}['${k}']`)}`).join(', ')}}`;
    }
    default:
      switch (t.name) {
        case 'string': if (typeof v !== 'string') fail('not a string'); return sqlString(v);
        case 'int': case 'bigint':
          if (!Number.isSafeInteger(v)) fail('not an integer');
          if (t.name === 'int' && Math.abs(v) > 2147483647) fail('out of int range');
          return `CAST(${v} AS ${SCALARS[t.name]})`;
        case 'double': case 'decimal': if (typeof v !== 'number') fail('not a number'); return `CAST(${v} AS ${duckType(t)})`;
        case 'boolean': if (typeof v !== 'boolean') fail('not a boolean'); return v ? 'true' : 'false';
        case 'timestamp':
          if (typeof v !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$/.test(v)) fail('not an ISO-8601 UTC time');
          return `TIMESTAMP ${sqlString(v.replace('T', ' ').replace('Z', ''))}`;
      }
  }
  throw new Error(`${where}: unhandled type`);
}

export function createTable(name, columns) {
  return `CREATE TABLE ${name} (${Object.entries(columns)
    .map(([c, g]) => `${quoteIdent(c)} ${duckType(typeof g === 'string' ? parseType(g) : g)}`).join(', ')})`;
}
