// raw.mjs - the raw layout: a table whose columns are the Sigma field names
// exactly as a rule uses them, filled from the raw records. It is the oracle
// of the AWS tests: the converter's SQL without any pipeline, run on it, must
// return exactly the events each declaration says the rule fires on.
//
//   ruleFields(doc)              the field names a Sigma rule's detection uses
//                                (detection item fields and fieldref values)
//   rawTable(fields, source)     {type, value(record)}: the table's column
//                                types (a glue.mjs struct type: a dotted name
//                                is a path of nested structs, the SQL's
//                                reading of `a.b`) and a row for a record
//
// A name's parts are split on its dots, except dots escaped as '\.'
// (`annotations.authorization\.k8s\.io/decision`), as the converter splits it.
// Every leaf is VARCHAR, the text a Sigma rule compares: a string as itself,
// a number or boolean as its JSON text, an object or array as compact JSON
// text; a path that crosses a list looks into every element (one value found
// is that value, several are the JSON text of the list of them); an absent
// field is NULL.
//
// INTERPRETATIONS: a few SigmaHQ rules name fields that the raw record format
// does not have. For a record without such a field, the raw layout gives it
// the value the pipelines give it (docs/aws-pipelines.md, "Fields the records
// do not have"), so that the oracle and the pipelines mean the same thing.

import { isObject, scalarText, get, collect, flatten } from './json.mjs';
import { ctStatus } from './cloudtrail.mjs';

const unmappedKey = key => record => flatten(record, '').get(key) ?? null;

export const INTERPRETATIONS = {
  cloudtrail: {
    // Security Lake's outcome column (Success / Failure).
    status: ctStatus,
  },
  kubernetes: {
    // The API group of the request's object.
    apiGroup: e => get(e, 'objectRef.apiGroup'),
    // The host paths of the pod's hostPath volumes (joined with ',').
    hostPath: unmappedKey('requestObject.spec.volumes[].hostPath.path'),
    // The capabilities the pod's containers add (joined with ',').
    capabilities: unmappedKey('requestObject.spec.containers[].securityContext.capabilities.add[]'),
  },
};

export function ruleFields(doc) {
  const fields = new Set();
  const item = (key, value) => {
    const [name, ...mods] = String(key).split('|');
    if (name) fields.add(name);
    if (mods.includes('fieldref')) for (const v of [].concat(value)) fields.add(String(v));
  };
  const detection = value => {
    if (Array.isArray(value)) value.forEach(detection);
    else if (isObject(value)) for (const [k, v] of Object.entries(value)) item(k, v);
  };
  for (const [name, value] of Object.entries(doc.detection || {})) {
    if (name !== 'condition' && name !== 'timeframe') detection(value);
  }
  return [...fields];
}

// A Sigma field name's parts: split on dots, except dots escaped with '\\'.
export function fieldParts(f) {
  const parts = [''];
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '\\' && f[i + 1] === '.') { parts[parts.length - 1] += '.'; i++; }
    else if (f[i] === '.') parts.push('');
    else parts[parts.length - 1] += f[i];
  }
  return parts;
}

const text = v => (isObject(v) || Array.isArray(v) ? JSON.stringify(v) : scalarText(v));

function rawValue(record, field, source) {
  const vals = collect(record, fieldParts(field));
  if (!vals.length) {
    const interp = INTERPRETATIONS[source]?.[field];
    if (interp && !Object.prototype.hasOwnProperty.call(record, field)) {
      const v = interp(record);
      return v === null || v === undefined ? null : text(v);
    }
    return null;
  }
  return vals.length === 1 ? text(vals[0]) : JSON.stringify(vals);
}

export function rawTable(fields, source) {
  // The struct tree of the dotted names; a name that is also the prefix of
  // another (a whole object and one of its members) cannot be one table.
  const root = { kind: 'struct', fields: [] };
  for (const f of fields) {
    let node = root;
    const parts = fieldParts(f);
    parts.forEach((p, i) => {
      const last = i === parts.length - 1;
      let child = node.fields.find(([n]) => n.toLowerCase() === p.toLowerCase());
      if (child && (last || child[1].kind !== 'struct')) {
        throw new Error(`the raw layout cannot hold both '${f}' and another field of that path`);
      }
      if (!child) {
        child = [p, last ? { kind: 'scalar', name: 'string' } : { kind: 'struct', fields: [] }];
        node.fields.push(child);
      }
      node = child[1];
    });
  }
  const value = record => {
    const row = {};
    for (const f of fields) {
      const parts = fieldParts(f);
      let node = root, o = row;
      parts.forEach((p, i) => {
        const [name, t] = node.fields.find(([n]) => n.toLowerCase() === p.toLowerCase());
        if (i === parts.length - 1) o[name] = rawValue(record, f, source);
        else { o = o[name] ??= {}; node = t; }
      });
    }
    return row;
  };
  return { type: root, value };
}
