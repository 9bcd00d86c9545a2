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
