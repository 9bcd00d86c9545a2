// preview.mjs - an emulation, in the test harness, of the schema-aware field
// resolution the converter does not have yet, to measure the pipelines ahead
// of it (run.mjs --preview). It is not the converter's SQL and proves nothing
// about the converter; it shows what the events, transformers and pipelines
// give once paths are resolved as planned:
//
//   <json column>.a.b        -> json_extract_scalar(<json column>, '$.a.b')
//   a predicate on <array>.m -> any_match(<array>, e -> <predicate on e.m>)
//
// jsonColumns and arrays are dotted column paths of the layout's table.

import { tokenize } from '../../semantic/harness.mjs';

const KEYWORDS = new Set(['SELECT', 'FROM', 'AND', 'OR', 'NOT', 'WHERE', 'IN', 'LIKE', 'ESCAPE', 'IS', 'NULL', 'TRUE', 'FALSE', 'AS', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'BETWEEN']);

// The dotted path starting at token k (words, quoted names, dots): {parts, end}.
function pathAt(toks, k) {
  const parts = [];
  let j = k;
  for (;;) {
    const t = toks[j];
    if (!t || !(t.t === 'qid' || (t.t === 'word' && !KEYWORDS.has(t.v.toUpperCase())))) break;
    parts.push(t.v);
    if (toks[j + 1]?.v === '.' && toks[j + 1].t === 'op') j += 2;
    else { j++; break; }
  }
  return { parts, end: j };
}

const isPathStart = (toks, k) => (toks[k].t === 'qid' || (toks[k].t === 'word' && !KEYWORDS.has(toks[k].v.toUpperCase())))
  && !(toks[k - 1]?.t === 'op' && toks[k - 1].v === '.') && !(toks[k + 1]?.t === 'op' && toks[k + 1].v === '(');

const startsWith = (parts, prefix) => prefix.length <= parts.length && prefix.every((p, i) => p.toLowerCase() === parts[i].toLowerCase());

function jsonPath(parts) {
  return '$' + parts.map(p => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(p) ? `.${p}` : `["${p}"]`)).join('');
}

// The token range [from, to) of the predicate around token k.
function predicate(toks, k) {
  const W = i => (toks[i]?.t === 'word' ? toks[i].v.toUpperCase() : null);
  const O = i => (toks[i]?.t === 'op' ? toks[i].v : null);
  const stack = [];
  let from = k;
  for (let i = k - 1, d = 0; i >= 0; i--) {
    if (O(i) === ')') d++;
    else if (O(i) === '(') {
      if (d > 0) { d--; continue; }
      if (W(i - 1) && !KEYWORDS.has(W(i - 1))) { stack.push(true); from = i - 1; i--; continue; }
      break;
    } else if (d === 0 && ['AND', 'OR', 'NOT', 'WHERE'].includes(W(i))) break;
    from = i;
  }
  let to = k + 1;
  for (let i = k + 1, d = 0; i < toks.length; i++) {
    if (O(i) === '(') d++;
    else if (O(i) === ')') {
      if (d > 0) d--;
      else if (stack.length) stack.pop();
      else break;
    } else if (d === 0 && !stack.length && ['AND', 'OR'].includes(W(i))) break;
    to = i + 1;
  }
  return [from, to];
}

export function preview(sql, { jsonColumns = [], arrays = [] }) {
  const json = jsonColumns.map(c => c.split('.'));
  const arr = arrays.map(c => c.split('.'));
  // 1. JSON paths.
  let toks = tokenize(sql);
  let out = '', at = 0;
  for (let k = 0; k < toks.length; k++) {
    if (!isPathStart(toks, k)) continue;
    const { parts, end } = pathAt(toks, k);
    const col = json.find(c => startsWith(parts, c) && parts.length > c.length);
    if (!col) { k = end - 1; continue; }
    out += sql.slice(at, toks[k].at) + `json_extract_scalar(${col.join('.')}, '${jsonPath(parts.slice(col.length)).replace(/'/g, "''")}')`;
    at = toks[end - 1].end;
    k = end - 1;
  }
  sql = out + sql.slice(at);
  // 2. Arrays, one predicate at a time (innermost first is not needed: the
  // layouts have no arrays inside arrays that rules reach).
  for (let guard = 0; guard < 100; guard++) {
    toks = tokenize(sql);
    let hit = null;
    for (let k = 0; k < toks.length && !hit; k++) {
      if (!isPathStart(toks, k)) continue;
      const { parts, end } = pathAt(toks, k);
      const a = arr.find(c => startsWith(parts, c));
      if (a && !(toks[k - 1]?.v === '(' && toks[k - 2]?.v?.toLowerCase() === 'any_match')) hit = { k, a, end, scalar: parts.length === a.length };
      else k = end - 1;
    }
    if (!hit) return sql;
    const [from, to] = predicate(toks, hit.k);
    let body = '', pos = toks[from].at;
    for (let k = from; k < to; k++) {
      if (!isPathStart(toks, k)) continue;
      const { parts, end } = pathAt(toks, k);
      if (!startsWith(parts, hit.a)) { k = end - 1; continue; }
      const rest = parts.slice(hit.a.length);
      body += sql.slice(pos, toks[k].at) + ['e', ...rest.map(q => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(q) ? q : `"${q.replace(/"/g, '""')}"`))].join('.');
      pos = toks[end - 1].end;
      k = end - 1;
    }
    body += sql.slice(pos, toks[to - 1].end);
    sql = sql.slice(0, toks[from].at) + `any_match(${hit.a.join('.')}, e -> ${body})` + sql.slice(toks[to - 1].end);
  }
  throw new Error(`preview: too many array predicates in ${sql}`);
}
