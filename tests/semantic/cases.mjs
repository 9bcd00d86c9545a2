// cases.mjs - the main loop both semantic runners share: read every case file
// of cases/ that `select` accepts (and whose name contains one of the
// command-line filters, if any), run it, print failures, and end with
// "LABEL: N passed, M failed".
import YAML from 'yaml';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ddlTables, parseType } from '../aws/lib/glue.mjs';

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

export async function runCases({ label, caseDir, select, sigma, runCase }) {
  const argv = process.argv.slice(2);
  const verbose = argv.includes('-v');
  const filters = argv.filter(a => a !== '-v');
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
        const c = YAML.parse(fs.readFileSync(path.join(caseDir, f), 'utf8'));
        c.name = name;
        problems = await runCase(c, tmpdir);
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
