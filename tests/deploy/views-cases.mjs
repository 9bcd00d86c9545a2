// views-cases.mjs - the rules, events and expected rows of the views tests,
// shared by tests/deploy/views.mjs (DuckDB) and tests/trino/views.mjs (Trino):
// files with odd names among them, a rule with two queries, a regex, a
// correlation over a rule it keeps (generate: true).

// file name -> rule text; expected: view name -> ids it returns, in input
// (sorted path) order
export const RULES = {
  'proc_creation_win_cmd.yml': `title: Cmd
logsource: {category: process_creation, product: windows}
detection:
    sel:
        Image|endswith: '\\cmd.exe'
    condition: sel
`,
  'two queries; DROP "x".yml': `title: Two
logsource: {category: process_creation, product: windows}
detection:
    a:
        CommandLine|contains: "it's"
    b:
        CommandLine|re: '^whoami( |$)'
    condition: [a, b]
`,
  'select.yml': `title: Reserved word file name
name: reserved
logsource: {category: process_creation, product: windows}
detection:
    sel:
        User: admin
    condition: sel
`,
  'corr.yml': `title: Many admin logins
correlation:
    type: event_count
    rules: [reserved]
    group-by: [Host]
    timespan: 1h
    condition: {gte: 2}
    generate: true
`,
};
export const EXPECT = {
  sigma_corr: [5],
  sigma_proc_creation_win_cmd: [1, 3],
  sigma_select: [3, 5],
  sigma_two_queries_drop_x: [2],
  sigma_two_queries_drop_x_2: [4],
};
export const EVENTS = [
  { id: 1, Image: 'C:\\Windows\\System32\\CMD.EXE', CommandLine: 'cmd /c dir', User: 'bob', Host: 'h1', time: '2024-01-01 10:00:00' },
  { id: 2, Image: 'C:\\x.exe', CommandLine: "echo it's", User: 'bob', Host: 'h1', time: '2024-01-01 10:01:00' },
  { id: 3, Image: 'C:\\cmd.exe', CommandLine: 'x', User: 'Admin', Host: 'h2', time: '2024-01-01 10:02:00' },
  { id: 4, Image: 'C:\\y.exe', CommandLine: 'whoami /all', User: 'eve', Host: 'h2', time: '2024-01-01 10:03:00' },
  { id: 5, Image: 'C:\\z.exe', CommandLine: 'z', User: 'admin', Host: 'h2', time: '2024-01-01 10:30:00' },
];
