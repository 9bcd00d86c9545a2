// cloudtrail.mjs - a raw CloudTrail record as a row of the two Athena tables
// that hold CloudTrail:
//
//   toSecurityLake(record, ctx)  a row of Security Lake's cloud_trail_mgmt_2_0
//                                (OCSF 1.1.0), as AWS's mapping fills it
//   toCloudtrailLogs(record, ctx, columns)  a row of the cloudtrail_logs table
//                                of the Athena documentation (columns: its
//                                data columns, {name: glue type})
//   ctStatus(record)             the outcome Security Lake writes to `status`
//
// ctx is unused for CloudTrail (the record names its account and region) and
// kept for the same signature as eks.mjs.
//
// Rows are plain objects keyed by column (structs as objects, arrays as
// arrays, maps as objects, timestamps as ISO-8601 UTC text); glue.mjs turns
// them into typed SQL and refuses any member the table does not have. The
// mapping, its sources and every choice it makes are in tests/aws/README.md
// (Security Lake: ../shared/reference/aws/README.md section 2.1 and its
// conventions).

import { isObject, get, jsonText, flatten, scalarText, reader } from './json.mjs';
import { parseType } from './glue.mjs';

// ---------------------------------------------------------------- shared

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const IPV6 = /^[0-9A-Fa-f:]*:[0-9A-Fa-f:]*(:(\d{1,3}\.){3}\d{1,3})?$/;
export const isIp = s => typeof s === 'string' && (IPV4.test(s) || (s.includes(':') && IPV6.test(s)));

export function ctStatus(r) {
  const login = get(r, 'responseElements.ConsoleLogin');
  if (r.eventName === 'ConsoleLogin' && typeof login === 'string') return login;
  return r.errorCode ? 'Failure' : 'Success';
}

const msTime = iso => {
  const ms = Date.parse(iso);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(iso) || Number.isNaN(ms)) throw new Error(`not an ISO-8601 UTC time: ${iso}`);
  return ms;
};
const isoTime = iso => new Date(msTime(iso)).toISOString();

// ---------------------------------------------------------------- OCSF class
// Which of the three classes of cloud_trail_mgmt_2_0 a record belongs to,
// from its eventName (the lists of the OCSF CloudTrail mapping: Authentication
// and Account Change events by name, every other event API Activity), and
// the activity within the class.

const AUTHENTICATION = new Set(['ConsoleLogin', 'CheckMfa', 'AssumeRole', 'AssumeRoleWithSAML',
  'AssumeRoleWithWebIdentity']);
const ACCOUNT_CHANGE = {
  CreateUser: [1, 'Create'], CreateRole: [1, 'Create'], CreateAccessKey: [1, 'Create'],
  CreateLoginProfile: [1, 'Create'], EnableMFADevice: [10, 'MFA Factor Enable'],
  DeactivateMFADevice: [11, 'MFA Factor Disable'], UpdateLoginProfile: [3, 'Password Change'],
  ChangePassword: [3, 'Password Change'], DeleteUser: [6, 'Delete'], DeleteRole: [6, 'Delete'],
  DeleteAccessKey: [6, 'Delete'], DeleteLoginProfile: [6, 'Delete'],
  AttachUserPolicy: [7, 'Attach Policy'], AttachRolePolicy: [7, 'Attach Policy'],
  PutUserPolicy: [7, 'Attach Policy'], PutRolePolicy: [7, 'Attach Policy'],
  DetachUserPolicy: [8, 'Detach Policy'], DetachRolePolicy: [8, 'Detach Policy'],
  DeleteUserPolicy: [8, 'Detach Policy'], DeleteRolePolicy: [8, 'Detach Policy'],
};
const API_ACTIVITY = [
  [/^(Create|Run|Generate|Import|Register|Allocate|Copy|Restore|Send)/, 1, 'Create'],
  [/^(Get|List|Describe|Search|Lookup|Head|Select|Check|Batch(Get|Check))/, 2, 'Read'],
  [/^(Delete|Terminate|Remove|Deregister|Release)/, 4, 'Delete'],
  [/^(Update|Put|Modify|Add|Set|Start|Stop|Attach|Detach|Associate|Disassociate|Tag|Untag|Enable|Disable|Authorize|Revoke|Apply|Replicate|Transfer|Reset|Change|Batch)/, 3, 'Update'],
];

export function ocsfClass(eventName) {
  if (AUTHENTICATION.has(eventName)) {
    const [id, name] = eventName === 'ConsoleLogin' || eventName === 'CheckMfa' ? [1, 'Logon'] : [99, 'Other'];
    return { class_uid: 3002, class_name: 'Authentication', category_uid: 3, category_name: 'Identity & Access Management', activity_id: id, activity_name: name };
  }
  if (ACCOUNT_CHANGE[eventName]) {
    const [id, name] = ACCOUNT_CHANGE[eventName];
    return { class_uid: 3001, class_name: 'Account Change', category_uid: 3, category_name: 'Identity & Access Management', activity_id: id, activity_name: name };
  }
  const hit = API_ACTIVITY.find(([re]) => re.test(eventName)) || [null, 99, 'Other'];
  return { class_uid: 6003, class_name: 'API Activity', category_uid: 6, category_name: 'Application Activity', activity_id: hit[1], activity_name: hit[2] };
}

// ---------------------------------------------------------------- Security Lake

const str = v => (v === null || v === undefined ? null : scalarText(v));
const prune = o => {
  // null for an object whose members are all null (a struct with nothing in it)
  if (!isObject(o)) return o;
  const out = {};
  let any = false;
  for (const [k, v] of Object.entries(o)) { out[k] = prune(v); if (out[k] !== null && out[k] !== undefined) any = true; }
  return any ? out : null;
};

export function toSecurityLake(record, ctx) {
  const { take, rest } = reader(record);
  const name = take('eventName');
  const cls = ocsfClass(name);
  const auth = cls.class_uid === 3002, change = cls.class_uid === 3001;
  const time = take('eventTime');
  const src = take('sourceIPAddress');
  const reqData = take('requestParameters');
  const respData = take('responseElements');
  const errorCode = take('errorCode');
  const mfaAuth = take('userIdentity.sessionContext.attributes.mfaAuthenticated');
  const created = take('userIdentity.sessionContext.attributes.creationDate');
  const accessKey = take('userIdentity.accessKeyId');
  const credentialId = accessKey === null ? take('userIdentity.credentialId') : null;
  const principal = take('userIdentity.principalId');
  const onBehalf = principal === null ? take('userIdentity.onBehalfOf.userId') : null;
  const idp = take('userIdentity.webIdFederationData.federatedProvider') ?? take('userIdentity.identityProvider');
  const userName = take('userIdentity.userName') ?? (auth ? take('additionalEventData.UserName') : null);
  const row = {
    metadata: {
      product: { version: str(take('eventVersion')), name: 'CloudTrail', vendor_name: 'AWS', feature: { name: str(take('eventCategory')) ?? 'Management' } },
      event_code: str(take('eventType')),
      uid: str(take('eventID')),
      profiles: ['cloud', 'datetime'],
      version: '1.1.0',
    },
    time: msTime(time),
    time_dt: isoTime(time),
    cloud: { region: str(take('awsRegion')), provider: 'AWS' },
    api: {
      response: { error: str(errorCode), message: str(take('errorMessage')), data: jsonText(respData) },
      operation: name,
      version: str(take('apiVersion')),
      service: { name: str(take('eventSource')) },
      request: { data: jsonText(reqData), uid: str(take('requestID')) },
    },
    dst_endpoint: auth ? prune({ svc_name: str(take('additionalEventData.LoginTo')) }) : null,
    actor: prune({
      user: {
        type: str(take('userIdentity.type')),
        name: str(userName),
        uid_alt: str(principal ?? onBehalf),
        uid: str(take('userIdentity.arn')),
        account: { uid: str(take('userIdentity.accountId')) },
        credential_uid: str(accessKey ?? credentialId),
      },
      session: {
        created_time_dt: created === null ? null : isoTime(created),
        is_mfa: mfaAuth === null ? null : String(mfaAuth) === 'true',
        issuer: str(take('userIdentity.sessionContext.sessionIssuer.arn')),
      },
      invoked_by: str(take('userIdentity.invokedBy')),
      idp: { name: str(idp) },
    }),
    http_request: prune({ user_agent: str(take('userAgent')) }),
    src_endpoint: prune({ uid: str(take('vpcEndpointId')), ip: isIp(src) ? src : null, domain: src !== null && !isIp(src) ? str(src) : null }),
    session: null,
    policy: change && get(reqData, 'policyArn') !== null ? { uid: str(get(reqData, 'policyArn')) } : null,
    resources: (() => {
      const rs = take('resources');
      if (!Array.isArray(rs)) return null;
      return rs.map(r => ({ uid: str(r.ARN ?? null), owner: prune({ account: { uid: str(r.accountId ?? null) } }), type: str(r.type ?? null) }));
    })(),
    ...cls,
    severity_id: 1,
    severity: 'Informational',
    user: auth ? prune({
      uid_alt: str(principal),
      uid: str(get(reqData, 'roleArn') ?? get(record, 'userIdentity.arn')),
      name: str(get(reqData, 'roleSessionName')),
    }) : change ? prune({
      uid_alt: null,
      uid: str(get(respData, 'user.userId') ?? get(respData, 'role.roleId') ?? principal),
      name: str(get(reqData, 'userName') ?? get(reqData, 'roleName') ?? get(respData, 'user.userName')),
    }) : null,
    type_uid: cls.class_uid * 100 + cls.activity_id,
    type_name: `${cls.class_name}: ${cls.activity_name}`,
    status: ctStatus(record),
    is_mfa: null,
    unmapped: null,
    accountid: str(get(record, 'recipientAccountId')),
    region: str(get(record, 'awsRegion')),
    asl_version: null,
    observables: null,
  };
  if (auth) {
    const mfa = take('additionalEventData.MFAUsed');
    if (mfa !== null) row.is_mfa = /^yes$/i.test(String(mfa));
  }
  const unmapped = flatten(rest, '');
  row.unmapped = unmapped.size ? Object.fromEntries(unmapped) : null;
  return row;
}

// ---------------------------------------------------------------- cloudtrail_logs

// A JSON value in a column of Glue type t, as the Hive JSON SerDe reads it:
// struct members matched by name case-insensitively (members the type lacks
// are dropped), map keys kept, a string column takes a scalar's text or the
// JSON text of an object or array.
function fit(v, t) {
  if (v === null || v === undefined) return null;
  switch (t.kind) {
    case 'struct': {
      if (!isObject(v)) return null;
      const lower = new Map(Object.entries(v).map(([k, x]) => [k.toLowerCase(), x]));
      const out = {};
      for (const [n, f] of t.fields) out[n] = fit(lower.get(n.toLowerCase()), f);
      return out;
    }
    case 'array': return Array.isArray(v) ? v.map(e => fit(e, t.elem)) : null;
    case 'map': return isObject(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fit(x, t.value)])) : null;
    default:
      if (t.name === 'string') return isObject(v) || Array.isArray(v) ? JSON.stringify(v) : scalarText(v);
      throw new Error(`cloudtrail_logs has no ${t.name} columns`);
  }
}

export function toCloudtrailLogs(record, ctx, columns) {
  const row = {};
  const lower = new Map(Object.entries(record).map(([k, x]) => [k.toLowerCase(), x]));
  for (const [c, g] of Object.entries(columns)) row[c] = fit(lower.get(c), parseType(g));
  // Partitions: CloudTrail files a record under its region and UTC day.
  const [y, m, d] = record.eventTime.slice(0, 10).split('-');
  Object.assign(row, { region: record.awsRegion, year: y, month: m, day: d });
  return row;
}
