// eks.mjs - a raw Kubernetes audit event (audit.k8s.io/v1 Event, as EKS
// sends it to CloudWatch) as a row of Security Lake's eks_audit_2_0 (OCSF
// 1.1.0 API Activity), as AWS's mapping fills it.
//
//   toEksAudit(event, ctx)   ctx: {account, region} of the cluster (the
//                            `accountid` and `region` columns)
//
// Rows are plain objects keyed by column, as in cloudtrail.mjs. The mapping,
// its source (../shared/reference/aws/README.md section 2.4) and every choice
// it makes are in tests/aws/README.md.

import { get, flatten, scalarText, reader } from './json.mjs';

const ACTIVITY = {
  create: [1, 'Create'], get: [2, 'Read'], list: [2, 'Read'], watch: [2, 'Read'],
  update: [3, 'Update'], patch: [3, 'Update'], delete: [4, 'Delete'], deletecollection: [4, 'Delete'],
};

const str = v => (v === null || v === undefined ? null : scalarText(v));
const msTime = iso => {
  const ms = Date.parse(iso);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(iso) || Number.isNaN(ms)) throw new Error(`not an ISO-8601 UTC time: ${iso}`);
  return ms;
};
const isoTime = iso => (iso === null ? null : new Date(msTime(iso)).toISOString());
const list = v => (Array.isArray(v) ? v : v === null ? [] : [v]);
const joined = v => (list(v).length ? list(v).map(scalarText).join(',') : null);

// Containers of a request or response object's pod spec: their name and
// image are mapped (and removed from what goes to `unmapped`).
function containers(obj) {
  const cs = get(obj, 'spec.containers');
  if (!Array.isArray(cs)) return null;
  return cs.map(c => {
    const out = { name: str(c.name ?? null), image: c.image === undefined ? null : { name: str(c.image), path: null, uid: null } };
    delete c.name;
    delete c.image;
    return out;
  });
}

export function toEksAudit(event, ctx) {
  const { take, rest } = reader(event);
  const verb = take('verb');
  const [activityId, activityName] = ACTIVITY[verb] || [99, 'Other'];
  const ips = list(take('sourceIPs'));
  const resource = take('objectRef.resource'), sub = take('objectRef.subresource');
  const objRef = {
    namespace: str(take('objectRef.namespace')), name: str(take('objectRef.name')),
    uid: str(take('objectRef.uid')), version: str(take('objectRef.resourceVersion')),
    type: resource === null ? null : sub === null ? str(resource) : `${resource}/${sub}`,
  };
  const stageTime = take('stageTimestamp');
  const groups = take('user.groups');
  const row = {
    metadata: {
      log_level: str(take('level')),
      product: { version: str(take('apiVersion')), vendor_name: 'AWS', name: 'Amazon EKS', feature: { name: 'Elastic Kubernetes Service' } },
      profiles: ['cloud'],
      version: '1.1.0',
    },
    api: {
      request: { uid: str(take('auditID')), containers: containers(rest.requestObject) },
      operation: str(verb),
      version: str(take('objectRef.apiVersion')),
      response: {
        code: take('responseStatus.code'),
        message: str(take('responseStatus.message')),
        error: str(take('responseStatus.reason')),
        error_message: str(take('responseStatus.status')),
        containers: containers(rest.responseObject),
      },
      group: { name: str(take('objectRef.apiGroup')) },
    },
    message: str(take('stage')),
    http_request: { url: { path: str(take('requestURI')) }, user_agent: str(take('userAgent')) },
    actor: {
      user: {
        name: str(take('user.username')), uid: str(take('user.uid')),
        groups: Array.isArray(groups) ? groups.map(g => ({ name: str(g) })) : null, type_id: null,
      },
      session: {
        credential_uid: joined(take('user.extra.accessKeyId')),
        issuer: joined(take('user.extra.canonicalArn')),
        uid: joined(take('user.extra.sessionName')),
      },
    },
    cloud: { account: { uid: joined(take('user.extra.arn')) }, provider: 'AWS' },
    src_endpoint: { ip: ips.length ? str(ips[0]) : null, intermediate_ips: ips.length > 1 ? ips.slice(1).map(str) : null },
    resources: Object.values(objRef).some(v => v !== null) ? [objRef] : null,
    start_time_dt: isoTime(take('requestReceivedTimestamp')),
    time_dt: isoTime(stageTime),
    time: stageTime === null ? null : msTime(stageTime),
    severity_id: 1,
    severity: 'Informational',
    class_name: 'API Activity',
    class_uid: 6003,
    category_name: 'Application Activity',
    category_uid: 6,
    activity_name: activityName,
    activity_id: activityId,
    type_name: `API Activity: ${activityName}`,
    type_uid: 600300 + activityId,
    unmapped: null,
    accountid: ctx.account,
    region: ctx.region,
    asl_version: null,
    observables: null,
  };
  const unmapped = flatten(rest, '');
  row.unmapped = unmapped.size ? Object.fromEntries(unmapped) : null;
  return row;
}
