// suite.mjs - what the AWS layout runners share (run.mjs on DuckDB,
// tests/trino/aws.mjs on Trino): the layouts, the events and rules, the
// conversion, and the verdict on a rule's rows.
//
//   LAYOUTS, TABLES, CTX, KEY   the table layouts (see README.md)
//   loadEvents(check)           the events of events/, checked (check(ok, what, detail))
//   loadRules(dir, group)       the CloudTrail / Kubernetes audit rules of a folder
//   convert(sigma, layout, rules, tmpdir)  file -> {queries} or {error}
//   outcome(rule, layout, conv, events, expect)
//                               the verdict before any query runs: {want}
//                               (run the queries and compare), or a final
//                               {why, expectedError} (why: null or a reason)
//   compare(got, want)          null, or "missing [...], unexpected [...]"
import { YAML } from '../../semantic/harness.mjs';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { toSecurityLake, toCloudtrailLogs } from './cloudtrail.mjs';
import { toEksAudit } from './eks.mjs';
import { ruleFields } from './raw.mjs';

const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// The cluster / account / region the test records come from.
export const CTX = { account: '111122223333', region: 'eu-west-2' };
export const TABLES = JSON.parse(fs.readFileSync(path.join(here, 'tables.json'), 'utf8')).tables;

// ---------------------------------------------------------------- layouts
// args: the conversion options. For each source (cloudtrail, kubernetes):
// the table the SQL reads, its Glue columns, the transformer, the SQL that
// names a row (the record's eventID / auditID) and that key in the record.
// The raw layout makes one table per rule (lib/raw.mjs).
export const LAYOUTS = {
  raw: {
    args: ['-O', 'table=raw_events'],
    sources: { cloudtrail: { table: 'raw_events' }, kubernetes: { table: 'raw_events' } },
  },
  security_lake: {
    args: ['-p', 'athena_security_lake', '-O', `aws_table_region=${CTX.region}`],
    sources: {
      cloudtrail: {
        table: 'amazon_security_lake_table_eu_west_2_cloud_trail_mgmt_2_0', columns: TABLES.cloud_trail_mgmt_2_0.columns,
        row: r => toSecurityLake(r, CTX), id: 'metadata.uid',
      },
      kubernetes: {
        table: 'amazon_security_lake_table_eu_west_2_eks_audit_2_0', columns: TABLES.eks_audit_2_0.columns,
        row: e => toEksAudit(e, CTX), id: 'api.request.uid',
      },
    },
  },
  // no pipeline: the rules' own CloudTrail names against the built-in
  // schema of cloudtrail_logs (matched case-insensitively, members of the
  // JSON text columns read as JSON)
  cloudtrail_schema: {
    args: ['-O', 'table=cloudtrail_logs'],
    sources: {
      cloudtrail: {
        table: 'cloudtrail_logs', columns: { ...TABLES.cloudtrail_logs.columns, ...TABLES.cloudtrail_logs.partition_columns },
        row: r => toCloudtrailLogs(r, CTX, TABLES.cloudtrail_logs.columns), id: 'eventid',
      },
    },
  },
  cloudtrail_table: {
    args: ['-p', 'athena_cloudtrail_table'],
    sources: {
      cloudtrail: {
        table: 'cloudtrail_logs', columns: { ...TABLES.cloudtrail_logs.columns, ...TABLES.cloudtrail_logs.partition_columns },
        row: r => toCloudtrailLogs(r, CTX, TABLES.cloudtrail_logs.columns), id: 'eventid',
      },
    },
  },
};
export const KEY = { cloudtrail: r => r.eventID, kubernetes: e => e.auditID };

// ---------------------------------------------------------------- inputs
export function loadEvents(check) {
  const events = [];
  for (const source of ['cloudtrail', 'kubernetes']) {
    const dir = path.join(here, 'events', source);
    for (const f of fs.readdirSync(dir).filter(x => x.endsWith('.json')).sort()) {
      const where = `events/${source}/${f}`;
      const problems = [];
      let doc;
      try { doc = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')); } catch (e) { problems.push(e.message); }
      for (const [k, ev] of (doc?.events || []).entries()) {
        const at = `${where} event ${ev?.id ?? k}`;
        if (typeof ev?.id !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(ev.id)) problems.push(`${at}: id must be lower-case words with '-'`);
        for (const key of Object.keys(ev || {})) if (!['id', 'fires', 'near_miss', 'note', 'record'].includes(key)) problems.push(`${at}: unknown key ${key}`);
        for (const key of ['fires', 'near_miss']) {
          if (!Array.isArray(ev?.[key]) || ev[key].some(x => typeof x !== 'string')) problems.push(`${at}: ${key} must be a list of rule ids`);
        }
        if (ev?.fires?.some(x => ev.near_miss?.includes(x))) problems.push(`${at}: a rule is both in fires and near_miss`);
        if (typeof KEY[source](ev?.record || {}) !== 'string') problems.push(`${at}: the record has no ${source === 'cloudtrail' ? 'eventID' : 'auditID'}`);
        events.push({ ...ev, source, file: where });
      }
      if (!doc?.events?.length) problems.push(`${where}: no events`);
      check(!problems.length, `event file ${where}`, problems.join('\n'));
    }
  }
  const seen = new Map(), dups = [];
  for (const ev of events) {
    for (const k of [`id ${ev.id}`, `${ev.source} key ${KEY[ev.source](ev.record || {})}`]) {
      if (seen.has(k)) dups.push(`${k}: ${ev.file} and ${seen.get(k)}`);
      seen.set(k, ev.file);
    }
  }
  check(!dups.length, 'event ids and record keys are unique', dups.join('\n'));
  return events;
}

export function sourceOf(doc) {
  const ls = doc.logsource || {};
  if (ls.product === 'aws' && ls.service === 'cloudtrail') return 'cloudtrail';
  if (ls.product === 'kubernetes' && ls.service === 'audit') return 'kubernetes';
  return null;
}

export function loadRules(dir, group) {
  const rules = [];
  const walk = d => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.yml')) {
        const doc = YAML.parse(fs.readFileSync(p, 'utf8'), { version: '1.1' });
        const source = sourceOf(doc);
        if (!source) throw new Error(`${p}: not a CloudTrail or Kubernetes audit rule`);
        rules.push({ file: p, name: path.basename(p), id: doc.id, group, source, fields: ruleFields(doc) });
      }
    }
  };
  walk(dir);
  return rules;
}

// ---------------------------------------------------------------- conversion
export function convert(sigma, layout, rules, tmpdir) {
  const out = new Map();
  if (!rules.length) return out;
  const args = ['convert', '-t', 'athena', '-f', 'json', ...LAYOUTS[layout].args, ...rules.map(r => r.file)];
  const r = spawnSync(sigma, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.error) throw new Error(`cannot run ${sigma}: ${r.error.message}`);
  if (r.status === 2 || r.signal || !r.stdout.trim()) {
    for (const rule of rules) out.set(rule.file, { error: `sigma exited ${r.signal || r.status}: ${r.stderr.trim().split('\n').pop()}` });
    return out;
  }
  for (const res of JSON.parse(r.stdout)) {
    out.set(res.file, res.error ? { error: `${res.error.line}:${res.error.column}: ${res.error.message}` } : { queries: res.queries });
  }
  fs.writeFileSync(path.join(tmpdir, `${layout}.json`), r.stdout);
  return out;
}


export function compare(got, want) {
  const g = new Set(got), w = new Set(want);
  const missing = [...w].filter(x => !g.has(x)).sort(), extra = [...g].filter(x => !w.has(x)).sort();
  return missing.length || extra.length ? `missing [${missing.join(', ')}], unexpected [${extra.join(', ')}]` : null;
}

// A conversion error is right only where expect.json asks for it, and a
// rule that expect.json says must fail must not convert.
export function outcome(rule, layout, conv, events, expect) {
  const exp = expect.rules[rule.id]?.layouts?.[layout];
  if (conv.error) {
    if (exp?.error !== undefined && new RegExp(exp.error, 'i').test(conv.error)) return { why: null, expectedError: true };
    return { why: `conversion error: ${conv.error}` };
  }
  if (exp?.error !== undefined) return { why: `converted, but expect.json wants a conversion error /${exp.error}/ (${exp.why})` };
  return { want: events.filter(e => e.source === rule.source && e.fires.includes(rule.id)).map(e => e.id) };
}
