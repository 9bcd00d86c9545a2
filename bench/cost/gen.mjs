// gen.mjs - a Security-Lake-shaped CloudTrail dataset as Parquet, the same
// bytes on every run (fixed seed, one DuckDB thread, a pinned DuckDB).
//
//   node bench/cost/gen.mjs DIR
//
// The table is Security Lake's cloud_trail_mgmt_2_0 (OCSF 1.1.0) with its
// exact column types (tests/aws/tables.json), DAYS days x the REGIONS x the
// ACCOUNTS below, PER_DAY events per region, account and day, in one
// Parquet file (one row group) per region, account and hour, rows ordered
// by time: the files Iceberg's manifests and Parquet's row-group statistics
// let Athena skip by time_dt.
//
// Rows come from raw CloudTrail records turned into rows by the transformer
// of the AWS tests (tests/aws/lib/cloudtrail.mjs, AWS's mapping):
//   - background traffic written here (BACKGROUND): the read-mostly calls
//     that are most of a real account's management events (KMS Decrypt,
//     STS AssumeRole by services, EC2/IAM/S3 describe and list calls, SSM,
//     CloudWatch Logs), with realistic identities, user agents, request and
//     response texts, resources and TLS details;
//   - the records of tests/aws/events/cloudtrail (events that fire the
//     SigmaHQ CloudTrail rules), 1 row in 20.
// A pool of POOL rows is built from them with random users, roles, source
// addresses, keys and request values; each row of the table is a pool row
// with its own time, event id and request id.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '../../tests/semantic/harness.mjs';
import { toSecurityLake } from '../../tests/aws/lib/cloudtrail.mjs';
import { parseType, literal, duckType } from '../../tests/aws/lib/glue.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');

export const PARAMS = {
  seed: 20240501,
  start: '2024-04-01T00:00:00Z', // the first day
  days: 30,
  regions: ['us-east-1', 'eu-west-2'],
  accounts: ['111122223333', '444455556666'],
  perDay: 24000, // events per region, account and day
  pool: 4000,    // distinct pool rows
  testShare: 0.05,
};

// ------------------------------------------------------------ randomness

function rng(seed) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = n => Math.floor(next() * n);
  const pick = a => a[int(a.length)];
  const hex = n => Array.from({ length: n }, () => '0123456789abcdef'[int(16)]).join('');
  const upper = (n, alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567') => Array.from({ length: n }, () => alphabet[int(alphabet.length)]).join('');
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[int(4)]}${hex(3)}-${hex(12)}`;
  const ip = () => pick([`198.51.100.${1 + int(254)}`, `203.0.113.${1 + int(254)}`, `192.0.2.${1 + int(254)}`, `10.${int(256)}.${int(256)}.${1 + int(254)}`]);
  return { next, int, pick, hex, upper, uuid, ip };
}

// ------------------------------------------------------------ records

const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'ci-deploy', 'terraform', 'backup-operator', 'data-eng'];
const ROLES = ['OpsAdmin', 'ReadOnly', 'DataPipelineRole', 'LambdaExecution-orders', 'EKSNodeRole', 'AWSServiceRoleForConfig', 'BillingViewer', 'SecurityAudit'];
const AGENTS = [
  'aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-aws exe/x86_64.ubuntu.22 prompt/off command/ec2.describe-instances',
  'Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.213-201.855.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.84',
  'aws-sdk-java/2.25.31 Linux/5.10.214-202.855.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. exec-env/AWS_ECS_FARGATE io/sync http/Apache cfg/retry-mode/legacy',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.2 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.156.0',
  'console.amazonaws.com',
];

// An identity making a call: an IAM user, an assumed role, or an AWS service.
function identity(r, account, kind) {
  if (kind === 'service') return { type: 'AWSService', invokedBy: r.pick(['lambda.amazonaws.com', 'config.amazonaws.com', 'cloudtrail.amazonaws.com', 'ec2.amazonaws.com']) };
  if (kind === 'user') {
    const u = r.pick(USERS);
    return { type: 'IAMUser', principalId: `AIDA${r.upper(16)}`, arn: `arn:aws:iam::${account}:user/${u}`, accountId: account, accessKeyId: `AKIA${r.upper(16)}`, userName: u };
  }
  const role = r.pick(ROLES), session = r.pick([`i-0${r.hex(16)}`, `botocore-session-${r.int(2e9)}`, r.pick(USERS), `aws-go-sdk-${r.int(2e12)}`]);
  const id = `AROA${r.upper(17)}`;
  return {
    type: 'AssumedRole', principalId: `${id}:${session}`, arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}`,
    accountId: account, accessKeyId: `ASIA${r.upper(16)}`,
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: id, arn: `arn:aws:iam::${account}:role/${role}`, accountId: account, userName: role },
      webIdFederationData: {},
      attributes: { creationDate: '2024-04-01T00:00:00Z', mfaAuthenticated: r.pick(['false', 'false', 'false', 'true']) },
    },
  };
}

function base(r, account, region, source, name, kind, readOnly) {
  const ident = identity(r, account, kind);
  const service = ident.type === 'AWSService';
  return {
    eventVersion: r.pick(['1.08', '1.09', '1.10']),
    userIdentity: ident,
    eventTime: '2024-04-01T00:00:00Z',
    eventSource: source,
    eventName: name,
    awsRegion: region,
    sourceIPAddress: service ? ident.invokedBy : r.pick([r.ip(), r.ip(), 'AWS Internal']),
    userAgent: service ? ident.invokedBy : r.pick(AGENTS),
    requestParameters: null,
    responseElements: null,
    requestID: r.uuid(),
    eventID: r.uuid(),
    readOnly,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: account,
    eventCategory: 'Management',
    tlsDetails: service ? undefined : { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: `${source.split('.')[0]}.${region}.amazonaws.com` },
  };
}

const strip = o => JSON.parse(JSON.stringify(o)); // drops undefined members

// The background calls and their weights: [weight, make(r, account, region)].
const BACKGROUND = [
  [18, (r, a, g) => {
    const e = base(r, a, g, 'kms.amazonaws.com', 'Decrypt', r.pick(['service', 'role', 'role']), true);
    const key = `arn:aws:kms:${g}:${a}:key/${r.uuid()}`;
    e.requestParameters = { encryptionContext: { 'aws:lambda:FunctionArn': `arn:aws:lambda:${g}:${a}:function:orders-${r.int(40)}` }, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
    e.resources = [{ accountId: a, type: 'AWS::KMS::Key', ARN: key }];
    return e;
  }],
  [14, (r, a, g) => {
    const e = base(r, a, g, 'sts.amazonaws.com', 'AssumeRole', r.pick(['service', 'role']), true);
    const role = r.pick(ROLES), session = `session-${r.hex(12)}`;
    e.requestParameters = { roleArn: `arn:aws:iam::${a}:role/${role}`, roleSessionName: session, durationSeconds: 3600 };
    e.responseElements = {
      credentials: { accessKeyId: `ASIA${r.upper(16)}`, sessionToken: `IQoJb3JpZ2luX2Vj${r.upper(120, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/')}`, expiration: 'Apr 1, 2024, 1:00:00 AM' },
      assumedRoleUser: { assumedRoleId: `AROA${r.upper(17)}:${session}`, arn: `arn:aws:sts::${a}:assumed-role/${role}/${session}` },
    };
    e.resources = [{ accountId: a, type: 'AWS::IAM::Role', ARN: `arn:aws:iam::${a}:role/${role}` }];
    e.sharedEventID = r.uuid();
    return e;
  }],
  [10, (r, a, g) => {
    const e = base(r, a, g, 'ec2.amazonaws.com', r.pick(['DescribeInstances', 'DescribeNetworkInterfaces', 'DescribeVolumes', 'DescribeSecurityGroups', 'DescribeSubnets']), 'role', true);
    e.requestParameters = r.next() < 0.5 ? { maxResults: 1000, filterSet: { items: [{ name: 'vpc-id', valueSet: { items: [{ value: `vpc-0${r.hex(16)}` }] } }] } } : { instancesSet: { items: [{ instanceId: `i-0${r.hex(16)}` }] }, filterSet: {} };
    return e;
  }],
  [9, (r, a, g) => {
    const e = base(r, a, g, 'logs.amazonaws.com', r.pick(['CreateLogStream', 'DescribeLogStreams', 'PutRetentionPolicy']), r.pick(['service', 'role']), false);
    e.requestParameters = { logGroupName: `/aws/lambda/orders-${r.int(40)}`, logStreamName: `2024/04/01/[$LATEST]${r.hex(32)}` };
    return e;
  }],
  [8, (r, a, g) => {
    const e = base(r, a, g, 's3.amazonaws.com', r.pick(['GetBucketAcl', 'GetBucketPolicy', 'GetBucketLocation', 'ListBuckets', 'GetBucketVersioning']), 'role', true);
    const bucket = `${r.pick(['logs', 'data', 'backup', 'artifacts'])}-${a}-${g}`;
    e.requestParameters = { bucketName: bucket, Host: `${bucket}.s3.${g}.amazonaws.com`, acl: '' };
    e.additionalEventData = { SignatureVersion: 'SigV4', CipherSuite: 'TLS_AES_128_GCM_SHA256', bytesTransferredIn: 0, AuthenticationMethod: 'AuthHeader', 'x-amz-id-2': r.upper(76, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'), bytesTransferredOut: r.int(4000) };
    e.resources = [{ accountId: a, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` }];
    return e;
  }],
  [7, (r, a, g) => {
    const e = base(r, a, g, 'iam.amazonaws.com', r.pick(['GetRole', 'ListRoles', 'ListAttachedRolePolicies', 'GetPolicyVersion', 'ListUsers']), r.pick(['role', 'user']), true);
    e.requestParameters = { roleName: r.pick(ROLES), maxItems: 100 };
    return e;
  }],
  [6, (r, a, g) => {
    const e = base(r, a, g, 'ssm.amazonaws.com', r.pick(['GetParameter', 'GetParameters', 'UpdateInstanceInformation']), 'role', true);
    e.requestParameters = { name: `/app/${r.pick(['orders', 'billing', 'search'])}/${r.pick(['db-password', 'api-key', 'feature-flags'])}`, withDecryption: true };
    return e;
  }],
  [5, (r, a, g) => {
    const e = base(r, a, g, 'lambda.amazonaws.com', r.pick(['GetFunction', 'ListFunctions20150331', 'GetFunctionConfiguration20150331v2']), 'role', true);
    e.requestParameters = { functionName: `arn:aws:lambda:${g}:${a}:function:orders-${r.int(40)}` };
    return e;
  }],
  [4, (r, a, g) => {
    const e = base(r, a, g, 'secretsmanager.amazonaws.com', 'GetSecretValue', 'role', true);
    e.requestParameters = { secretId: `arn:aws:secretsmanager:${g}:${a}:secret:prod/${r.pick(['db', 'api', 'partner'])}-${r.upper(6)}` };
    return e;
  }],
  [3, (r, a, g) => {
    const e = base(r, a, g, 'monitoring.amazonaws.com', r.pick(['DescribeAlarms', 'GetMetricData', 'ListMetrics']), 'role', true);
    e.requestParameters = { alarmNamePrefix: 'prod-', maxRecords: 100 };
    return e;
  }],
  [2, (r, a, g) => {
    const e = base(r, a, g, 'signin.amazonaws.com', 'ConsoleLogin', 'user', false);
    e.eventType = 'AwsConsoleSignIn';
    e.responseElements = { ConsoleLogin: r.next() < 0.9 ? 'Success' : 'Failure' };
    e.additionalEventData = { LoginTo: 'https://console.aws.amazon.com/console/home', MobileVersion: 'No', MFAUsed: r.pick(['Yes', 'Yes', 'No']) };
    delete e.requestID;
    return e;
  }],
];

function testRecords() {
  const dir = path.join(root, 'tests/aws/events/cloudtrail');
  const out = [];
  for (const f of fs.readdirSync(dir).filter(x => x.endsWith('.json')).sort())
    for (const e of JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')).events) out.push(e.record);
  return out;
}

// A test record varied: identifiers and addresses drawn again.
function varied(r, rec, account, region) {
  const e = structuredClone(rec);
  e.eventID = r.uuid();
  if (e.requestID) e.requestID = r.uuid();
  e.awsRegion = region;
  e.recipientAccountId = account;
  if (typeof e.sourceIPAddress === 'string' && /^\d/.test(e.sourceIPAddress)) e.sourceIPAddress = r.ip();
  return e;
}

// ------------------------------------------------------------ the table

export function tableColumns() {
  return JSON.parse(fs.readFileSync(path.join(root, 'tests/aws/tables.json'), 'utf8')).tables.cloud_trail_mgmt_2_0.columns;
}

function poolRows(P) {
  const r = rng(P.seed);
  const tests = testRecords();
  const total = BACKGROUND.reduce((s, [w]) => s + w, 0);
  const rows = [];
  for (let k = 0; k < P.pool; k++) {
    const account = P.accounts[k % P.accounts.length], region = P.regions[(k >> 1) % P.regions.length];
    let rec;
    if (k % Math.round(1 / P.testShare) === 0) {
      rec = varied(r, tests[(k / Math.round(1 / P.testShare)) % tests.length], account, region);
    } else {
      let x = r.int(total);
      const make = BACKGROUND.find(([w]) => (x -= w) < 0)[1];
      rec = strip(make(r, account, region));
    }
    rows.push(toSecurityLake(rec, {}));
  }
  return rows;
}

async function run(con, sql) {
  await con.run(sql);
}

export async function generate(dir, P = PARAMS) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const cols = tableColumns();
  const types = Object.fromEntries(Object.entries(cols).map(([c, g]) => [c, parseType(g)]));
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  await run(con, `SET threads = 1`);
  await run(con, `SET TimeZone = 'UTC'`);
  const names = Object.keys(cols);
  const decl = names.map(c => `"${c}" ${duckType(types[c])}`).join(', ');
  await run(con, `CREATE TABLE pool (k INTEGER, ${decl})`);
  const rows = poolRows(P);
  for (let i = 0; i < rows.length; i += 200) {
    const vals = rows.slice(i, i + 200).map((row, j) => `(${i + j}, ${names.map(c => literal(row[c] ?? null, types[c], c)).join(', ')})`);
    await run(con, `INSERT INTO pool VALUES ${vals.join(', ')}`);
  }
  const parts = P.regions.flatMap(g => P.accounts.map(a => `('${g}', '${a}')`)).join(', ');
  const start = Date.parse(P.start);
  const gap = Math.floor(86400000 / P.perDay);
  const uuid = x => `substr(${x}, 1, 8) || '-' || substr(${x}, 9, 4) || '-4' || substr(${x}, 14, 3) || '-a' || substr(${x}, 18, 3) || '-' || substr(${x}, 21, 12)`;
  const other = names.filter(c => !['metadata', 'time', 'time_dt', 'cloud', 'api', 'accountid', 'region'].includes(c));
  // every row: a pool row at its own time, with its own event and request ids
  await run(con, `CREATE TABLE ct AS
    WITH slots AS (
      SELECT p.region, p.account, d.d, s.i,
             ${start}::BIGINT + d.d * 86400000 + s.i * ${gap} + (hash(${P.seed}, p.region, p.account, d.d, s.i, 't') % ${gap})::BIGINT AS t,
             (hash(${P.seed}, p.region, p.account, d.d, s.i, 'k') % ${P.pool})::INTEGER AS k,
             md5(concat_ws('/', ${P.seed}, p.region, p.account, d.d, s.i, 'event')) AS h1,
             md5(concat_ws('/', ${P.seed}, p.region, p.account, d.d, s.i, 'request')) AS h2
      FROM (VALUES ${parts}) p(region, account), range(${P.days}) d(d), range(${P.perDay}) s(i))
    SELECT
      CAST({'product': q.metadata.product, 'event_code': q.metadata.event_code, 'uid': ${uuid('h1')},
            'profiles': q.metadata.profiles, 'version': q.metadata.version} AS ${duckType(types.metadata)}) AS metadata,
      t AS time,
      make_timestamp(t * 1000) AS time_dt,
      CAST({'region': s.region, 'provider': 'AWS'} AS ${duckType(types.cloud)}) AS cloud,
      CAST({'response': q.api.response, 'operation': q.api.operation, 'version': q.api.version, 'service': q.api.service,
            'request': {'data': q.api.request.data, 'uid': CASE WHEN q.api.request.uid IS NULL THEN NULL ELSE ${uuid('h2')} END}}
           AS ${duckType(types.api)}) AS api,
      ${other.map(c => `q."${c}"`).join(', ')},
      s.account AS accountid, s.region AS region,
      concat_ws('_', s.region, s.account, strftime(make_timestamp(t * 1000), '%Y%m%d%H')) AS slot
    FROM slots s JOIN pool q ON q.k = s.k`);
  await run(con, `COPY (SELECT ${names.map(c => `"${c}"`).join(', ')}, slot FROM ct ORDER BY slot, time)
    TO '${dir}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (slot))`);
  con.closeSync?.();
  fs.writeFileSync(path.join(dir, 'params.json'), JSON.stringify(P, null, 1) + '\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) { console.error('usage: node bench/cost/gen.mjs DIR'); process.exit(2); }
  const t0 = Date.now();
  await generate(path.resolve(dir));
  console.log(`generated ${dir} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
