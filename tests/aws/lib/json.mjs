// json.mjs - reading raw JSON records the way the table layouts store them.
//
//   isObject(v)          a JSON object (not null, not an array)
//   scalarText(v)        a JSON scalar as table text: a string as itself, a
//                        number or boolean as its JSON text (42, true)
//   jsonText(v)          compact JSON text in the record's key order, NULL
//                        (null) for an absent value
//   get(record, path)    the value at a dotted path, or at a list of keys
//                        (null when absent); only objects are walked; with a
//                        dotted path, a key that itself contains dots
//                        (annotations' `authorization.k8s.io/decision`) is
//                        found, the longest key first
//   collect(record, path)  every value at a dotted path, walking through
//                        arrays on the way (each element is searched); a value
//                        that is itself an array is one value
//   flatten(value, prefix)  Security Lake's `unmapped` keys: a Map from the
//                        dotted key of every scalar leaf to its text; lists
//                        give `key[]` (scalars) and `key[].child` (objects),
//                        their values joined with ','; JSON null and empty
//                        objects or lists give nothing
//   reader(record)       {take, rest}: take(path) is get(record, path) and
//                        removes that member from rest, a copy of the record
//                        (what is left of it at the end goes to `unmapped`)

export const isObject = v => v !== null && typeof v === 'object' && !Array.isArray(v);

export function scalarText(v) {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return JSON.stringify(v);
  throw new Error(`not a JSON scalar: ${JSON.stringify(v)}`);
}

export const jsonText = v => (v === null || v === undefined ? null : JSON.stringify(v));

// The values under obj for the parts parts[i..]: [value, next index] pairs of
// every key that is parts[i..j] joined with dots, the longest first (exact:
// only parts[i]).
function members(obj, parts, i, exact) {
  const out = [];
  for (let j = exact ? i + 1 : parts.length; j > i; j--) {
    const k = parts.slice(i, j).join('.');
    if (Object.prototype.hasOwnProperty.call(obj, k)) out.push([obj[k], j]);
  }
  return out;
}

export function get(record, path) {
  const exact = Array.isArray(path), parts = exact ? path : path.split('.');
  const walk = (v, i) => {
    if (i === parts.length) return v === undefined ? null : v;
    if (!isObject(v)) return null;
    for (const [x, j] of members(v, parts, i, exact)) {
      const r = walk(x, j);
      if (r !== null) return r;
    }
    return null;
  };
  return walk(record, 0);
}

export function collect(record, path) {
  const exact = Array.isArray(path), parts = exact ? path : path.split('.');
  const out = [];
  const walk = (v, i) => {
    if (v === null || v === undefined) return;
    if (i === parts.length) { out.push(v); return; }
    if (Array.isArray(v)) { v.forEach(e => walk(e, i)); return; }
    if (isObject(v)) for (const [x, j] of members(v, parts, i, exact)) walk(x, j);
  };
  walk(record, 0);
  return out;
}

export function flatten(value, prefix) {
  const acc = new Map();
  const add = (k, v) => { if (!acc.has(k)) acc.set(k, []); acc.get(k).push(scalarText(v)); };
  const walk = (v, key) => {
    if (v === null || v === undefined) return;
    if (Array.isArray(v)) {
      for (const e of v) walk(e, `${key}[]`);
    } else if (isObject(v)) {
      for (const [k, x] of Object.entries(v)) walk(x, key ? `${key}.${k}` : k);
    } else add(key, v);
  };
  walk(value, prefix);
  return new Map([...acc].map(([k, vs]) => [k, vs.join(',')]));
}

export function reader(record) {
  const rest = structuredClone(record);
  const take = path => {
    const v = get(record, path);
    const parts = path.split('.');
    let o = rest;
    for (const p of parts.slice(0, -1)) { if (!isObject(o[p])) return v; o = o[p]; }
    delete o[parts[parts.length - 1]];
    return v;
  };
  return { take, rest };
}
