// cases.mjs - what the semantic runners (run.mjs and corr.mjs on DuckDB,
// tests/trino/semantic.mjs on Trino) share to read and convert their cases:
//
//   root, build, sigma     the repository, $BUILD (default build) and its sigma
//   cli()                  the command line: -v, and case-name filters
//   loadCase(dir, file)    one case file, its name (the file's, without .yml) set
//   convertCase(...)       the case's rule converted (sigma convert -t athena)
//   schemaArgs, schemaColumns   the case's `schema:` for sigma and the tables
//   tableColumns, eventValues   the tables a case's events are loaded into
//   runCases(...)          the main loop of the DuckDB runners: read every case
//                          file of cases/ that `select` accepts (and whose name
//                          contains one of the command-line filters, if any),
//                          run it, print failures, and end with
//                          "LABEL: N passed, M failed".
import YAML from 'yaml';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ddlTables, parseType } from '../aws/lib/glue.mjs';
import { resolveNow } from './rows.mjs';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const build = path.resolve(root, process.env.BUILD || 'build');
export const sigma = path.join(build, 'sigma');

// The runners' command line: [-v] [CASE-NAME-SUBSTRING...].
export function cli(argv = process.argv.slice(2)) {
  return { verbose: argv.includes('-v'), filters: argv.filter(a => a !== '-v') };
}

// One case file of dir, parsed, with its name.
export function loadCase(dir, file) {
  const c = YAML.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  c.name = file.replace(/\.yml$/, '');
  return c;
}

// args without those of drop (a flag, or -f VALUE when drop holds '-f VALUE')
function removeArgs(args, drop) {
  const out = [];
  for (let i = 0; i < args.length; i++) {
    if (drop.includes(args[i])) continue;
    if (i + 1 < args.length && drop.includes(`${args[i]} ${args[i + 1]}`)) { i++; continue; }
    out.push(args[i]);
  }
  return out;
}

const yamlText = v => typeof v === 'string' ? v : YAML.stringify(v, { version: '1.1' });

// The case's rule (a YAML block string, a nested map, or a list of those:
// one input file each, in that order) converted by
//     sigma convert -t athena -O table=events [-p PIPELINE] [schema] ARGS... FILES...
// where ARGS are the case's args without those of drop, then extra; returns
// sigma's standard output. sigma failing, or writing to standard error
// (unless allowStderr), throws.
export function convertCase(c, tmpdir, { extra = [], drop = [], allowStderr = false } = {}) {
  if (c.rule === undefined || c.rule === null) throw new Error('the case has no rule');
  const texts = (Array.isArray(c.rule) ? c.rule : [c.rule]).map(yamlText);
  const files = texts.map((t, i) => {
    const file = path.join(tmpdir, `${c.name}${texts.length > 1 ? `.${i + 1}` : ''}.yml`);
    fs.writeFileSync(file, t);
    return file;
  });
  const args = ['convert', '-t', 'athena', '-O', 'table=events'];
  if (c.pipeline) {
    const pfile = path.join(tmpdir, `${c.name}.pipeline.yml`);
    fs.writeFileSync(pfile, yamlText(c.pipeline));
    args.push('-p', pfile);
  }
  args.push(...schemaArgs(c, tmpdir), ...removeArgs((c.args || []).map(String), drop), ...extra, ...files);
  const r = spawnSync(sigma, args, { encoding: 'utf8' });
  if (r.error) throw new Error(`cannot run ${sigma}: ${r.error.message}`);
  if (r.status !== 0 || r.signal) throw new Error(`sigma ${args.join(' ')} exited ${r.signal || r.status}\n${r.stderr.trim()}`);
  if (!allowStderr && r.stderr.trim()) throw new Error(`unexpected stderr from sigma: ${r.stderr.trim()}`);
  return r.stdout;
}

// The queries of sigma's default output: one per line, separated by a blank line.
export const queryLines = out => out.split('\n').filter(l => l.trim() !== '');

// A case's `schema:` (Athena DDL text) as sigma arguments: the text in a
// file given with -O schema.
export function schemaArgs(c, tmpdir) {
  if (!c.schema) return [];
  const file = path.join(tmpdir, `${c.name}.schema.ddl`);
  fs.writeFileSync(file, String(c.schema));
  return ['-O', `schema=${file}`];
}

// The columns of table `name` in the case's `schema:`, {column: type} with
// the type written by typeOf (duckType or trinoType of glue.mjs).
export function schemaColumns(c, name, typeOf) {
  if (!c.schema) return {};
  const t = ddlTables(String(c.schema))[name];
  return t ? Object.fromEntries(t.map(([n, g]) => [n, typeOf(parseType(g))])) : {};
}

// The columns of table `table` of a case: those of `columns` ({name: a type
// name, or a Glue type tree from a schema, whose engine type is
// treeType(tree)}), then the other keys of the events as VARCHAR, then id
// VARCHAR; names compared case-insensitively. -> [{name, type, tree?}]
export function tableColumns(table, columns, events, treeType) {
  const declared = new Map();
  for (const [k, t] of Object.entries(columns || {}))
    declared.set(k.toLowerCase(), typeof t === 'object' ? { name: k, type: treeType(t), tree: t } : { name: k, type: String(t) });
  for (const ev of events || []) {
    if (!ev || ev.id === undefined) throw new Error(`every event of ${table} needs an id`);
    for (const k of Object.keys(ev)) if (!declared.has(k.toLowerCase())) declared.set(k.toLowerCase(), { name: k, type: 'VARCHAR' });
  }
  declared.set('id', { name: 'id', type: 'VARCHAR' });
  return [...declared.values()];
}

// The SQL values of event ev of table `table`, in the order of cols (from
// tableColumns): id as text, the others with their 'now...' values resolved
// (rows.mjs), written by literal(value, tree, where) for a column typed by a
// Glue type tree, else by value(value, type).
export function eventValues(table, ev, cols, literal, value) {
  const lower = new Map(Object.entries(ev).map(([k, v]) => [k.toLowerCase(), v]));
  return cols.map(c => {
    const v = c.name === 'id' ? String(ev.id) : resolveNow(lower.get(c.name.toLowerCase()), c.tree || c.type);
    return c.tree ? literal(v, c.tree, `${table} event ${ev.id} ${c.name}`) : value(v, c.type);
  });
}

export async function runCases({ label, caseDir, select, runCase }) {
  const { verbose, filters } = cli();
  const files = fs.readdirSync(caseDir).filter(select).sort();
  const tmpdir = fs.mkdtempSync(path.join(os.tmpdir(), `sigma-${label}-`));
  let pass = 0, fail = 0;
  try {
    if (!fs.existsSync(sigma)) throw new Error(`${sigma} not found (build first)`);
    for (const f of files) {
      const name = f.replace(/\.yml$/, '');
      if (filters.length && !filters.some(x => name.includes(x))) continue;
      let problems;
      try {
        problems = await runCase(loadCase(caseDir, f), tmpdir);
      } catch (e) {
        problems = [e.message];
      }
      if (problems.length) {
        fail++;
        console.log(`FAIL ${name}`);
        for (const p of problems) console.log(`    ${p}`);
      } else {
        pass++;
        if (verbose) console.log(`ok   ${name}`);
      }
    }
  } catch (e) {
    console.log(`${label}: ${e.message}`);
    fail++;
  } finally {
    fs.rmSync(tmpdir, { recursive: true, force: true });
  }
  console.log(`${label}: ${pass} passed, ${fail} failed`);
  process.exitCode = fail ? 1 : 0;
}
