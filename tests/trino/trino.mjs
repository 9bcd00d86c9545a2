// trino.mjs - start the embedded Trino of tests/trino/ and talk to it with
// Trino's client protocol (POST /v1/statement, then follow nextUri).
//
//   const t = await startTrino({ root, log });   // spawns EmbeddedTrino
//   const { columns, rows } = await t.query(sql, { schema: 'c1' });
//   await t.close();                             // stops the JVM
//
// query() throws an Error whose message is Trino's own error message (and
// .trino holds Trino's error object). Every session uses catalog "memory",
// time zone UTC.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export async function startTrino({ root, log, javaHome, classes, timeLimit = 3600 }) {
  const cpFile = path.join(root, 'tests/trino/target/classpath.txt');
  if (!fs.existsSync(cpFile)) throw new Error(`${cpFile} missing: run sh tools/setup.sh --test`);
  const cp = `${classes}:${fs.readFileSync(cpFile, 'utf8').trim()}`;
  const java = path.join(javaHome, 'bin', 'java');
  const logFd = fs.openSync(log, 'w');
  const args = [
    '-Xms1G', '-Xmx3G', '-XX:+UseParallelGC', '-XX:TieredStopAtLevel=1',
    '--add-modules', 'jdk.incubator.vector', '--enable-native-access=ALL-UNNAMED',
    '-XX:+EnableDynamicAgentLoading', '-Duser.timezone=UTC', '-Dfile.encoding=UTF-8',
    '-cp', cp, 'EmbeddedTrino', String(timeLimit),
  ];
  const t0 = Date.now();
  const child = spawn(java, args, { stdio: ['pipe', 'pipe', logFd] });
  fs.closeSync(logFd);
  const url = await new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`Trino did not start within 300 s (see ${log})`)); }, 300000);
    child.stdout.on('data', d => {
      buf += d;
      const m = /^ready (\S+)$/m.exec(buf);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code, sig) => { clearTimeout(timer); reject(new Error(`Trino exited (${sig || code}) before it was ready (see ${log})`)); });
    child.on('error', e => { clearTimeout(timer); reject(e); });
  });
  child.removeAllListeners('exit');
  const startMs = Date.now() - t0;

  async function query(sql, { schema = 'default' } = {}) {
    const headers = {
      'X-Trino-User': 'sigma-tests', 'X-Trino-Catalog': 'memory', 'X-Trino-Schema': schema,
      'X-Trino-Time-Zone': 'UTC', 'Content-Type': 'text/plain; charset=utf-8',
    };
    let res = await fetch(`${url}/v1/statement`, { method: 'POST', body: sql, headers });
    if (!res.ok) throw new Error(`HTTP ${res.status} from Trino: ${(await res.text()).slice(0, 300)}`);
    let j = await res.json();
    let columns = null;
    const rows = [];
    for (;;) {
      if (j.error) {
        const e = new Error(j.error.message);
        e.trino = j.error;
        throw e;
      }
      if (j.columns && !columns) columns = j.columns.map(c => c.name);
      if (j.data) rows.push(...j.data);
      if (!j.nextUri) return { columns: columns || [], rows };
      res = await fetch(j.nextUri, { headers: { 'X-Trino-User': 'sigma-tests' } });
      if (!res.ok) throw new Error(`HTTP ${res.status} from Trino: ${(await res.text()).slice(0, 300)}`);
      j = await res.json();
    }
  }

  async function close() {
    if (child.exitCode !== null) return;
    await new Promise(resolve => {
      const timer = setTimeout(() => { child.kill('SIGKILL'); }, 20000);
      child.on('exit', () => { clearTimeout(timer); resolve(); });
      child.stdin.end();
    });
  }

  return { url, query, close, startMs, pid: child.pid };
}

// Run fn over items with at most n in flight; results in input order.
export async function pool(items, n, fn) {
  const out = new Array(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

// SQL literals and identifiers, as Trino reads them: sqlString writes
// control characters through chr(), so that the statement text stays
// printable (the DuckDB harness's, the same SQL in both engines).
export const sqlStr = s => `'${String(s).replace(/'/g, "''")}'`;
export { quoteIdent, sqlString } from '../semantic/harness.mjs';
