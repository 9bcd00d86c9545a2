// regex.mjs - the regex proofs of regex.yml on Trino (see the comment there).
// One check per case; returns { pass, fail, lines }.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { sqlStr, sqlString } from './trino.mjs';

const YAML = createRequire(new URL('../semantic/package.json', import.meta.url))('yaml');
const hex = s => (s === '' ? '-' : Buffer.from(s, 'utf8').toString('hex'));

// PCRE2's answers for [{flags, re, subject}] -> ['1' | '0' | 'E msg']
function pcre(helper, items) {
  const input = items.map(x => `${x.flags || '-'} ${hex(x.re)} ${hex(x.subject)}`).join('\n') + '\n';
  const r = spawnSync(helper, [], { input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${helper} failed: ${r.stderr}`);
  return r.stdout.split('\n').slice(0, items.length);
}

function convert(sigma, c, tmpdir, k) {
  const mods = ['re', ...String(c.flags || '').split('').filter(Boolean)].join('|');
  const rule = { title: `regex case ${k}`, logsource: { product: 'test' }, detection: { sel: { [`A|${mods}`]: c.re }, condition: 'sel' } };
  const file = path.join(tmpdir, `regex_${k}.yml`);
  fs.writeFileSync(file, YAML.stringify(rule));
  const r = spawnSync(sigma, ['convert', '-t', 'athena', '-O', 'table=t', file], { encoding: 'utf8' });
  if (r.status === 0) {
    const m = /REGEXP_LIKE\(A, ('(?:[^']|'')*')\)/.exec(r.stdout);
    if (!m) throw new Error(`no REGEXP_LIKE in ${r.stdout}`);
    return { sqlLit: m[1], text: m[1].slice(1, -1).replace(/''/g, "'") };
  }
  return { error: r.stderr.trim() };
}

async function trinoAnswers(trino, patLit, subjects) {
  const r = await trino.query(`SELECT ${subjects.map(s => `regexp_like(${sqlString(s)}, ${patLit})`).join(', ')}`);
  return r.rows[0];
}

export async function regexOnTrino({ trino, sigma, tmpdir, file, helper }) {
  const cases = YAML.parse(fs.readFileSync(file, 'utf8'));
  const lines = [];
  let pass = 0, fail = 0;
  for (const [k, c] of cases.entries()) {
    const problems = [];
    const subjects = [...(c.match || []), ...(c.nomatch || [])].map(String);
    const want = [...(c.match || []).map(() => true), ...(c.nomatch || []).map(() => false)];
    try {
      // 1. PCRE2 says what the listed subjects say
      const pc = pcre(helper, subjects.map(s => ({ flags: c.flags, re: c.re, subject: s })));
      if (c.pcre === 'refuses') {
        if (!pc.every(x => x.startsWith('E'))) problems.push(`PCRE2 accepts the pattern (case says it refuses it)`);
      } else {
        pc.forEach((x, i) => { if (x !== (want[i] ? '1' : '0')) problems.push(`PCRE2 answers ${x} on ${JSON.stringify(subjects[i])}, the case says ${want[i]}`); });
      }
      // 2. what the converter writes
      const conv = convert(sigma, c, tmpdir, k);
      if (c.error !== undefined) {
        if (!conv.error) problems.push(`converted to '${conv.text}', expected an error containing "${c.error}"`);
        else if (!conv.error.includes(c.error)) problems.push(`error "${conv.error}" does not contain "${c.error}"`);
      } else if (conv.error) {
        problems.push(`refused: ${conv.error}`);
      } else {
        if (c.emitted !== undefined) {
          const want2 = (c.flags ? `(?${['i', 'm', 's'].filter(f => c.flags.includes(f)).join('')})` : '') + c.emitted;
          if (conv.text !== c.emitted && conv.text !== want2) problems.push(`writes '${conv.text}', the case says '${c.emitted}'`);
        }
        // 3. Trino answers as PCRE on the written pattern
        const got = await trinoAnswers(trino, conv.sqlLit, subjects);
        got.forEach((g, i) => { if (g !== want[i]) problems.push(`Trino answers ${g} for '${conv.text}' on ${JSON.stringify(subjects[i])}, PCRE ${want[i]}`); });
      }
      // 4. the PCRE text itself on Trino
      const prefix = c.flags ? `(?${['i', 'm', 's'].filter(f => c.flags.includes(f)).join('')})` : '';
      let raw;
      try {
        const got = await trinoAnswers(trino, sqlStr(prefix + c.re), subjects);
        raw = got.some((g, i) => g !== want[i]) ? `answers differently (${got.map((g, i) => g !== want[i] ? JSON.stringify(subjects[i]) : null).filter(Boolean).join(', ')})` : null;
      } catch (e) {
        raw = `refuses it: ${e.message}`;
      }
      if (c.raw === 'differs' && !raw) problems.push('Trino answers the PCRE text itself as PCRE does: no proof that a rewrite is needed');
      if (c.raw === 'same' && raw) problems.push(`Trino, given the PCRE text itself, ${raw}`);
      if (c.raw !== 'same' && c.raw !== 'differs') problems.push('raw: must be same or differs');
      if (c.raw === 'same' && c.error !== undefined && !c.why) problems.push('a refusal Trino does not need must say why');
      if (problems.length) {
        fail++;
        lines.push(`FAIL regex ${JSON.stringify(c.re)}`, ...problems.map(p => `    ${p}`));
      } else {
        pass++;
        if (c.raw === 'differs') lines.push(`ok   regex ${JSON.stringify(c.re)}: Trino ${raw}; ${conv.error ? 'refused' : `written '${conv.text}'`}`);
      }
    } catch (e) {
      fail++;
      lines.push(`FAIL regex ${JSON.stringify(c.re)}: ${e.message}`);
    }
  }
  return { pass, fail, lines };
}

// ---------------------------------------------------------------- differential
// Random PCRE patterns (a fixed seed: the same ones every run) made of the
// characters the rewriter treats specially, each converted as a rule; every
// pattern the converter writes must answer on Trino exactly as PCRE2 answers
// for the original on every subject (patterns PCRE2 itself refuses, such as
// a{2}{3} which Trino reads as (?:a{2}){3}, are left out). -> one check.
const ALPHABET = ['a', 'b', 'A', '\\', '(', ')', '[', ']', '{', '}', '?', '*', '+', '|', '^', '$', '.', '-', '&', ':', '<',
  '>', '=', '!', 'P', 'k', 'g', '1', '2', '0', 'x', 'o', 'c', 'N', 'Q', 'E', 'K', 'R', 'h', 'v', 'b', 'B', 'p', 'L', '#',
  ' ', '\n', 'ß', 'é', 'i', 'U', 's', 'm', "'", ',', '3', 'C', 'F', 'w', 'd', 'S'];
const SUBJECTS = ['', 'a', 'ab', 'aab', 'ba', 'A', 'AB', 'ss', 'ß', 'é', 'a b', 'a\nb', 'K', 'k', '\\', 'aKb', 'a&b', '[a]',
  'x{,3}', 'ab1', 'h', ' ', 'Pa', 'a.b', '::', 'a-b', 'éa', 'cat é', 'a1_b', '\t'];

export async function regexDifferential({ trino, sigma, tmpdir, helper, count = 600, seed = 20261130 }) {
  let state = seed >>> 0;
  const rnd = n => { state = (Math.imul(state, 1103515245) + 12345) >>> 0; return (state >>> 8) % n; };
  const pats = [];
  for (let k = 0; k < count; k++) {
    let p = '';
    for (let j = 1 + rnd(12); j > 0; j--) p += ALPHABET[rnd(ALPHABET.length)];
    pats.push({ re: p, flags: rnd(2) ? 'i' : '' });
  }
  const file = path.join(tmpdir, 'differential.yml');
  fs.writeFileSync(file, pats.map((x, k) => YAML.stringify({ title: `d${k}`, logsource: { product: 'test' },
    detection: { sel: { [`A|re${x.flags ? '|i' : ''}`]: x.re }, condition: 'sel' } })).join('---\n'));
  const r = spawnSync(sigma, ['convert', '-t', 'athena', '-f', 'json', '-O', 'table=t', file], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const out = JSON.parse(r.stdout);
  if (out.length !== pats.length) return { ok: false, msg: `differential: ${out.length} results for ${pats.length} rules`, lines: [] };
  const pc = pcre(helper, pats.flatMap(x => SUBJECTS.map(s => ({ flags: x.flags, re: x.re, subject: s }))));
  const items = [];
  pats.forEach((x, k) => {
    const want = pc.slice(k * SUBJECTS.length, (k + 1) * SUBJECTS.length);
    if (!out[k].queries || want.some(w => w.startsWith('E'))) return;
    const m = /REGEXP_LIKE\(A, ('(?:[^']|'')*')\)/.exec(out[k].queries[0]);
    items.push({ ...x, lit: m[1], want: want.map(w => w === '1') });
  });
  const lines = [];
  const subj = SUBJECTS.map(s => sqlString(s));
  for (let b = 0; b < items.length; b += 8) {
    const batch = items.slice(b, b + 8);
    let rows;
    try {
      rows = (await trino.query(`SELECT ${batch.flatMap(it => subj.map(s => `regexp_like(${s}, ${it.lit})`)).join(', ')}`)).rows[0];
    } catch (e) {
      for (const it of batch) {
        try { await trino.query(`SELECT regexp_like('', ${it.lit})`); } catch (e2) { lines.push(`    ${JSON.stringify(it.re)} written ${it.lit}: Trino: ${e2.message}`); }
      }
      continue;
    }
    batch.forEach((it, j) => {
      const diff = SUBJECTS.filter((s, q) => rows[j * SUBJECTS.length + q] !== it.want[q]);
      if (diff.length) lines.push(`    ${it.flags} ${JSON.stringify(it.re)} written ${it.lit}: differs from PCRE2 on ${diff.map(s => JSON.stringify(s)).join(', ')}`);
    });
  }
  const refused = pats.length - out.filter(x => x.queries).length;
  return { ok: lines.length === 0, msg: `regex differential: ${items.length} random patterns written for Trino answer as PCRE2 on ${SUBJECTS.length} subjects each (${refused} refused, ${pats.length - refused - items.length} PCRE2 refuses)`, lines };
}
