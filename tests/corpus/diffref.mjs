#!/usr/bin/env node
// diffref.mjs - classify every difference between our output and the
// reference converter's (pySigma-backend-athena 0.2.0) for the SigmaHQ rules.
//
// usage: node diffref.mjs REFERENCE.json OURS.json [--examples N]
//   REFERENCE.json: {"<path relative to rules/>": {"queries": [...]} | {"error": "..."}}
//   OURS.json:      `sigma convert -f json` array over the same rules/ folder
//
// Each differing query pair is normalised step by step; a step names one
// CONTRACT fix (or a known reference bug). A pair that is equal after the
// steps is explained by the steps that changed it. Prints the classes with
// counts and exits 1 if any difference is unexplained.
import fs from 'node:fs';

const argv = process.argv.slice(2);
const ref = JSON.parse(fs.readFileSync(argv[0], 'utf8'));
const oursArr = JSON.parse(fs.readFileSync(argv[1], 'utf8'));
const nEx = argv.includes('--examples') ? +argv[argv.indexOf('--examples') + 1] : 5;
const ours = {};
for (const r of oursArr) {
  const m = String(r.file).match(/(?:^|\/)rules\/(.*)$/);
  if (m) ours[m[1]] = r;
}

// --- a small SQL tokenizer: string literals (either escaping), quoted identifiers, words, symbols
function tokens(sql, refStyle) {
  const out = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (c === ' ') { i++; continue; }
    if (c === "'") {
      let j = i + 1, v = '';
      const isEscape = out.length && /^ESCAPE$/i.test(out[out.length - 1].v);
      // the reference writes a regex with its quotes unescaped: read it up to the closing ')
      if (refStyle && /REGEXP_LIKE\([^,]*, $/.test(sql.slice(0, i))) {
        const m = /'\)(?=$| |\))/.exec(sql.slice(j));
        const end = m ? j + m.index : sql.length;
        out.push({ t: 'str', v: sql.slice(j, end), ctx: 're' });
        i = end + 1;
        continue;
      }
      for (;;) {
        if (j >= sql.length) break;
        if (refStyle && !isEscape && sql[j] === '\\' && sql[j + 1] === '\\') { v += '\\\\'; j += 2; continue; }
        if (refStyle && !isEscape && sql[j] === '\\' && sql[j + 1] === "'") { v += "\\'"; j += 2; continue; }
        if (sql[j] === "'" && sql[j + 1] === "'") { v += "''"; j += 2; continue; }
        if (sql[j] === "'") break;
        v += sql[j++];
      }
      out.push({ t: 'str', v });
      i = j + 1;
      continue;
    }
    if (c === '"') {
      let j = i + 1, v = '';
      while (j < sql.length && !(sql[j] === '"' && sql[j + 1] !== '"')) { if (sql[j] === '"') j++; v += sql[j++]; }
      out.push({ t: 'qid', v });
      i = j + 1;
      continue;
    }
    const m = sql.slice(i).match(/^[A-Za-z_][A-Za-z0-9_]*|^-?\d+(\.\d+)?(e[+-]?\d+)?|^\|\||^<>|^<=|^>=|^!=|^==|^./);
    out.push({ t: /^[A-Za-z_]/.test(m[0]) ? 'id' : 'sym', v: m[0] });
    i += m[0].length;
  }
  // context of each literal: LIKE pattern, regex, or plain
  for (let k = 0; k < out.length; k++) {
    if (out[k].t !== 'str' || out[k].ctx) continue;
    const p = out[k - 1];
    out[k].ctx = p && /^LIKE$/i.test(p.v) ? 'like' : p && /^ESCAPE$/i.test(p.v) ? 'escape' : 'plain';
    if (p && p.v === ',') { // REGEXP_LIKE ( field... , 'regex'
      let j = k - 2;
      while (j > 0 && out[j].v !== '(' && out[j].v !== ',') j--;
      if (out[j]?.v === '(' && /^REGEXP_LIKE$/i.test(out[j - 1]?.v)) out[k].ctx = 're';
    }
  }
  return out;
}
const text = ts => ts.map(t => t.t === 'str' ? `'${t.v}'` : t.t === 'qid' ? `"${t.v}"` : t.v).join(' ');

// --- normalisation steps: [class name, fn(refTokens, ourTokens) -> [ref, ours]]
const steps = [
  // ours: NOT COALESCE ( x , FALSE ) -> NOT x, with x in parentheses where it has a top-level AND/OR
  ["NOT with Sigma's meaning over absent fields (NOT COALESCE(x, FALSE))", (a, b) => {
    for (let k = 0; k + 2 < b.length; k++) {
      if (!(/^NOT$/i.test(b[k].v) && /^COALESCE$/i.test(b[k + 1].v) && b[k + 2].v === '(' && b[k + 2].t === 'sym')) continue;
      let depth = 0, j = k + 2, top = false;
      for (; j < b.length; j++) {
        if (b[j].t !== 'sym' && b[j].t !== 'id') continue;
        if (b[j].v === '(') depth++;
        else if (b[j].v === ')' && --depth === 0) break;
        else if (depth === 1 && b[j].t === 'id' && /^(AND|OR)$/i.test(b[j].v)) top = true;
      }
      if (j >= b.length || b[j - 1].v !== 'FALSE' || b[j - 2].v !== ',') continue;
      const x = b.slice(k + 3, j - 2);
      const open = { t: 'sym', v: '(' }, close = { t: 'sym', v: ')' };
      b = [...b.slice(0, k + 1), ...(top ? [open, ...x, close] : x), ...b.slice(j + 1)];
      k--; // the same NOT again: x may start with another NOT COALESCE
    }
    return [a, b];
  }],
  ["quote escaped as \\' instead of ''", (a, b) => [a.map(t => t.t === 'str' ? { ...t, v: t.v.replace(/\\'/g, "''") } : t), b]],
  ['backslash doubled outside LIKE', (a, b) => [a.map(t => t.t === 'str' && t.ctx === 'plain' ? { ...t, v: t.v.replace(/\\\\/g, '\\') } : t), b]],
  ['regex backslashes doubled', (a, b) => [a.map(t => t.t === 'str' && t.ctx === 're' ? { ...t, v: t.v.replace(/\\\\/g, '\\') } : t), b]],
  ["regex quote not doubled", (a, b) => [a.map(t => t.t === 'str' && t.ctx === 're' ? { ...t, v: t.v.replace(/''/g, '\u0001').replace(/'/g, "''").replace(/\u0001/g, "''") } : t), b]],
  ["regex written for Trino's engine (Joni): canonical escapes, ASCII \\b, (?:) between ss/st/ff/fi/fl under (?i)", (a, b) => {
    const canon = v => v
      .replace(/\(\?:\(\?<=\\w\)\(\?!\\w\)\|\(\?<!\\w\)\(\?=\\w\)\)/g, '\\b')
      .replace(/\(\?:\(\?<=\\w\)\(\?=\\w\)\|\(\?<!\\w\)\(\?!\\w\)\)/g, '\\B')
      .replace(/\(\?:\)/g, '')
      .replace(/\\k<(\d+)>/g, '\\$1')
      .replace(/\\(.)/gu, (m, c) => /[A-Za-z0-9\\^$.|?*+()[{]/.test(c) ? m : c);
    const f = t => t.t === 'str' && t.ctx === 're' ? { ...t, v: canon(t.v) } : t;
    return [a.map(f), b.map(f)];
  }],
  ['regex flags dropped', (a, b) => [a, b.map(t => t.t === 'str' && t.ctx === 're' ? { ...t, v: t.v.replace(/^\(\?[ims]+\)/, '') } : t)]],
  ['%/_ escape leaking outside LIKE', (a, b) => [a.map(t => t.t === 'str' && t.ctx === 'plain' ? { ...t, v: t.v.replace(/\\([%_])/g, '$1') } : t), b]],
  ["empty LIKE pattern as '''%'", (a, b) => [a.map(t => t.t === 'str' && t.ctx === 'like' && (t.v === "''%" || t.v === "%''%") ? { ...t, v: '%' } : t), b]],
  ['casefold instead of Trino lower()', (a, b) => {
    const f = t => t.t === 'str' ? { ...t, v: t.v.normalize('NFKD').replace(/\p{M}/gu, '').replace(/ß/g, 'ss').replace(/ﬁ/g, 'fi').toLowerCase() } : t;
    return [a.map(f), b.map(f)];
  }],
  ['LOWER() around numbers', (a, b) => {
    // LOWER ( f ) IN ( 1 , 2 )  ->  f IN ( 1 , 2 )
    const r = [];
    for (let k = 0; k < a.length; k++) {
      if (/^LOWER$/i.test(a[k].v) && a[k + 1]?.v === '(') {
        let j = k + 2; while (j < a.length && a[j].v !== ')') j++;
        if (/^IN$/i.test(a[j + 1]?.v) && a[j + 2]?.v === '(') {
          let q = j + 3, nums = true;
          while (q < a.length && a[q].v !== ')') { if (a[q].v !== ',' && (a[q].t === 'str' || !/^-?\d/.test(a[q].v))) nums = false; q++; }
          if (nums) { r.push(...a.slice(k + 2, j)); k = j; continue; }
        }
      }
      r.push(a[k]);
    }
    return [r, b];
  }],
  ['mixed string/number IN list split per kind', (a, b) => {
    // LOWER ( f... ) IN ( 'x' , 2 )  ->  LOWER ( f ) IN ( 'x' ) OR f = 2
    const r = [];
    for (let k = 0; k < a.length; k++) {
      if (/^LOWER$/i.test(a[k].v) && a[k + 1]?.v === '(') {
        let j = k + 2; while (j < a.length && a[j].v !== ')') j++;
        if (/^IN$/i.test(a[j + 1]?.v) && a[j + 2]?.v === '(') {
          let q = j + 3; const strs = [], nums = [];
          while (q < a.length && a[q].v !== ')') { if (a[q].v !== ',') (a[q].t === 'str' ? strs : nums).push(a[q]); q++; }
          if (strs.length && nums.length) {
            const f = a.slice(k + 2, j);
            const group = (vals, lower) => {
              const pre = lower ? [{ t: 'id', v: 'LOWER' }, { t: 'sym', v: '(' }, ...f, { t: 'sym', v: ')' }] : f;
              if (vals.length === 1) return [...pre, { t: 'sym', v: '=' }, vals[0]];
              const l = [];
              vals.forEach((x, i) => { if (i) l.push({ t: 'sym', v: ',' }); l.push(x); });
              return [...pre, { t: 'id', v: 'IN' }, { t: 'sym', v: '(' }, ...l, { t: 'sym', v: ')' }];
            };
            const firstStr = a.slice(j + 3, q).findIndex(t => t.t === 'str') < a.slice(j + 3, q).findIndex(t => t.t !== 'str' && t.v !== ',');
            const gs = group(strs, true), gn = group(nums, false);
            r.push(...(firstStr ? gs : gn), { t: 'id', v: 'OR' }, ...(firstStr ? gn : gs));
            k = q;
            continue;
          }
        }
      }
      r.push(a[k]);
    }
    return [r, b];
  }],
  ['numbers compared as text on a column the query compares with text (Trino: one type per column)', (a, b) => {
    // f = 777 -> LOWER ( f ) = '777' where LOWER ( f ) occurs in the query
    const lowered = new Set();
    for (let k = 0; k + 3 < a.length; k++) if (/^LOWER$/i.test(a[k].v) && a[k + 1].v === '(' && a[k + 3].v === ')') lowered.add(a[k + 2].v.toLowerCase());
    const r = [];
    for (let k = 0; k < a.length; k++) {
      const t = a[k];
      if ((t.t === 'id' || t.t === 'qid') && lowered.has(t.v.toLowerCase()) && !/^LOWER$/i.test(a[k - 2]?.v || '') && a[k + 1]?.v === '=' && /^-?\d+$/.test(a[k + 2]?.v || '') && a[k + 2].t !== 'str') {
        r.push({ t: 'id', v: 'LOWER' }, { t: 'sym', v: '(' }, t, { t: 'sym', v: ')' }, a[k + 1], { t: 'str', v: a[k + 2].v, ctx: 'plain' });
        k += 2;
        continue;
      }
      r.push(t);
    }
    // and IN lists as the chains of comparisons they stand for, on both sides
    const chains = ts => {
      const o = [];
      for (let k = 0; k < ts.length; k++) {
        if (/^LOWER$/i.test(ts[k].v) && ts[k + 1]?.v === '(' && ts[k + 3]?.v === ')' && /^IN$/i.test(ts[k + 4]?.v) && ts[k + 5]?.v === '(') {
          let q = k + 6;
          const vals = [];
          while (q < ts.length && ts[q].v !== ')') { if (ts[q].v !== ',') vals.push(ts[q]); q++; }
          vals.forEach((v, i) => { if (i) o.push({ t: 'id', v: 'OR' }); o.push(...ts.slice(k, k + 4), { t: 'sym', v: '=' }, v); });
          k = q;
          continue;
        }
        o.push(ts[k]);
      }
      return o;
    };
    return [chains(r), chains(b)];
  }],
  ['reserved word or " in a field name quoted', (a, b) => {
    const f = t => t.t === 'qid' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(t.v) ? { t: 'id', v: t.v } : t;
    const g = t => t.t === 'qid' ? { ...t, v: t.v.replace(/"/g, '') } : t;
    return [a.map(f).map(g), b.map(f).map(g)];
  }],
  ['parentheses only where precedence needs them (expansions grouped, IN lists bare)', (a, b) => [a.filter(t => t.v !== '(' && t.v !== ')' || t.t !== 'sym'), b.filter(t => t.v !== '(' && t.v !== ')' || t.t !== 'sym')]],
];

const classes = {}, unexplained = [];
let identical = 0, differing = 0;
const add = (c, k) => { (classes[c] ||= { n: 0, ex: k }).n++; };
for (const [k, v] of Object.entries(ref)) {
  const o = ours[k];
  if (!o) { add('missing from our output', k); continue; }
  if (v.error) { add(o.queries ? 'reference fails (keywords, unsupported); we convert' : 'both fail', k); continue; }
  if (!o.queries) { add('we fail where the reference converts: ' + o.error.message.slice(0, 60), k); unexplained.push([k, 'error', o.error.message]); continue; }
  if (JSON.stringify(v.queries) === JSON.stringify(o.queries)) { identical++; continue; }
  differing++;
  const ruleClasses = new Set();
  let ok = v.queries.length === o.queries.length;
  for (let q = 0; ok && q < v.queries.length; q++) {
    let a = tokens(v.queries[q], true), b = tokens(o.queries[q], false);
    if (text(a) === text(b)) continue;
    for (const [name, fn] of steps) {
      const before = text(a) + '\u0000' + text(b);
      [a, b] = fn(a, b);
      if (text(a) + '\u0000' + text(b) !== before) ruleClasses.add(name);
      if (text(a) === text(b)) break;
    }
    if (text(a) !== text(b)) { ok = false; unexplained.push([k, text(a), text(b)]); }
  }
  if (!ok) continue;
  for (const c of ruleClasses) add(c, k);
}
console.log(`reference rules: ${Object.keys(ref).length}; identical: ${identical}; differing: ${differing}`);
console.log('differences by class (rules; a rule may be in several classes):');
for (const [c, { n, ex }] of Object.entries(classes).sort((x, y) => y[1].n - x[1].n)) console.log(`  ${String(n).padStart(5)}  ${c}   e.g. ${ex}`);
console.log(`unexplained: ${unexplained.length}`);
for (const [k, a, b] of unexplained.slice(0, nEx)) {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const from = Math.max(0, i - 80);
  console.log(`  ${k} (from character ${from})\n    REF: ${a.slice(from, i + 120)}\n    OUR: ${b.slice(from, i + 120)}`);
}
process.exit(unexplained.length ? 1 : 0);
