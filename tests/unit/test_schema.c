/* test_schema.c - table schemas: types, Glue JSON and DDL loaders, schema
 * sets and lookup, built-ins, the field resolver, the schema option. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigma.h"
#include "schema/schema.h"
#include "util/arena.h"
#include "util/embed.h"
#include "util/file.h"
#include "util/sbuf.h"

#include "t.h"

static arena *A;

/* ---- helpers ----------------------------------------------------------- */

/* The canonical form of a parsed type, or "error@OFFSET: message". */
static const char *ty(const char *s)
{
    size_t at;
    const char *msg;
    const stype *t = stype_parse_all(A, s, strlen(s), &at, &msg);
    if (!t)
        return arena_printf(A, "error@%zu: %s", at, msg);
    sbuf b = SBUF_INIT;
    stype_format(&b, t);
    const char *r = arena_strdup(A, b.p);
    sb_free(&b);
    return r;
}

/* Loads text; "" on success (tables in *out), else the error message. */
static const char *load(schema_format fmt, const char *text, stable ***out, size_t *n)
{
    static char err[512];
    err[0] = 0;
    *out = NULL;
    *n = 0;
    bool ok = fmt == SCHEMA_GLUE_JSON ? schema_load_glue(A, "t.json", text, strlen(text), out, n, err, sizeof err)
                                      : schema_load_ddl(A, "t.ddl", text, strlen(text), out, n, err, sizeof err);
    if (ok && err[0])
        return "success with a message";
    if (!ok && *n)
        return "failure left tables behind";
    return ok ? "" : err;
}

static const char *load_err(schema_format fmt, const char *text)
{
    stable **v;
    size_t n;
    return load(fmt, text, &v, &n);
}

static const char *glue_err(const char *text)
{
    return load_err(SCHEMA_GLUE_JSON, text);
}

static const char *ddl_err(const char *text)
{
    return load_err(SCHEMA_DDL, text);
}

/* One table as stable_format prints it, or the error. */
static const char *one(schema_format fmt, const char *text)
{
    stable **v;
    size_t n;
    const char *e = load(fmt, text, &v, &n);
    if (*e)
        return e;
    if (n != 1)
        return arena_printf(A, "%zu tables", n);
    sbuf b = SBUF_INIT;
    stable_format(&b, v[0]);
    const char *r = arena_strdup(A, b.p);
    sb_free(&b);
    return r;
}

static char *read_text(const char *path)
{
    file_buf fb = {0};
    char *r = file_read(path, SIZE_MAX, &fb) == 0 && fb.p ? arena_strdup(A, fb.p) : NULL;
    file_buf_free(&fb);
    return r;
}

static const stable *builtin(const char *from)
{
    schema_set *s = schema_set_new(A);
    const stable *t;
    return schema_set_find(s, from, &t) == SCHEMA_FOUND ? t : NULL;
}

/* A resolution as text: steps then the leaf, e.g.
 * "col(actor) member(user) member(uid) : string", "col(resources) any
 * member(uid) : string", "col(unmapped) key(a.b) : string",
 * "col(api) member(request) member(data) json(userName) : json",
 * or "unknown: <message>". */
static const char *res(const stable *t, const char *field)
{
    if (!t)
        return "no table";
    sresolved r = schema_resolve(A, t, field);
    if (r.status == SR_UNKNOWN)
        return arena_printf(A, "unknown: %s", r.message);
    sbuf b = SBUF_INIT;
    for (size_t i = 0; i < r.nsteps; i++) {
        const sstep *s = &r.steps[i];
        if (i)
            sb_putc(&b, ' ');
        switch (s->kind) {
        case SA_COLUMN: sb_printf(&b, "col(%s)", s->name); break;
        case SA_MEMBER: sb_printf(&b, "member(%s)", s->name); break;
        case SA_MAP_KEY: sb_printf(&b, "key(%s)", s->name); break;
        case SA_ANY: sb_puts(&b, "any"); break;
        case SA_JSON:
            sb_puts(&b, "json(");
            for (size_t k = 0; k < s->nkeys; k++)
                sb_printf(&b, "%s%s", k ? "|" : "", s->keys[k]);
            sb_putc(&b, ')');
            break;
        }
    }
    sb_puts(&b, " : ");
    if (r.json) {
        sb_puts(&b, "json");
    } else {
        stype_format(&b, r.leaf);
    }
    if (r.trailing_any)
        sb_printf(&b, " (trailing any %zu)", r.trailing_any);
    const char *out = arena_strdup(A, b.p);
    sb_free(&b);
    return out;
}

/* Cases of res: a table, a field and the resolution wanted (one check each). */
typedef struct res_case {
    const stable *t;
    const char *field, *want;
} res_case;

static void check_res(const res_case *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        CHECK_STR(res(c[i].t, c[i].field), c[i].want);
}

/* ---- types ------------------------------------------------------------- */

static void test_types(void)
{
    /* every type, canonical spelling */
    CHECK_STR(ty("string"), "string");
    CHECK_STR(ty("varchar(65535)"), "varchar(65535)");
    CHECK_STR(ty("char(10)"), "char(10)");
    CHECK_STR(ty("boolean"), "boolean");
    CHECK_STR(ty("tinyint"), "tinyint");
    CHECK_STR(ty("smallint"), "smallint");
    CHECK_STR(ty("int"), "int");
    CHECK_STR(ty("integer"), "int");
    CHECK_STR(ty("bigint"), "bigint");
    CHECK_STR(ty("float"), "float");
    CHECK_STR(ty("double"), "double");
    CHECK_STR(ty("decimal(3,1)"), "decimal(3,1)");
    CHECK_STR(ty("decimal"), "decimal(10,0)");
    CHECK_STR(ty("decimal(38)"), "decimal(38,0)");
    CHECK_STR(ty("date"), "date");
    CHECK_STR(ty("timestamp"), "timestamp");
    CHECK_STR(ty("binary"), "binary");
    CHECK_STR(ty("array<string>"), "array<string>");
    CHECK_STR(ty("map<string,string>"), "map<string,string>");
    CHECK_STR(ty("map<int,array<bigint>>"), "map<int,array<bigint>>");
    CHECK_STR(ty("struct<a:string,b:struct<c:int>>"), "struct<a:string,b:struct<c:int>>");
    CHECK_STR(ty("struct<>"), "struct<>");
    CHECK_STR(ty("array<array<struct<x:double>>>"), "array<array<struct<x:double>>>");
    /* keywords in any case, white space between tokens, names as spelled */
    CHECK_STR(ty("  STRUCT< Type : STRING,\n\tuserName:Array < VarChar ( 5 ) > >  "),
              "struct<Type:string,userName:array<varchar(5)>>");
    CHECK_STR(ty("DECIMAL ( 10 , 2 )"), "decimal(10,2)");
    /* member names: Glue's liberal names, back-quoted ones */
    CHECK_STR(ty("struct<@timestamp:string,a-b:int,x.y:int>"), "struct<@timestamp:string,a-b:int,x.y:int>");
    CHECK_STR(ty("struct<`a b`:int,`c``d`:int,`e:f`:int>"), "struct<`a b`:int,`c``d`:int,`e:f`:int>");
    /* the canonical form parses back to an equal type */
    const char *src = "struct<`a b`:map<string,array<struct<c:decimal(5,2)>>>,d:char(3)>";
    size_t at;
    const char *msg;
    const stype *t1 = stype_parse_all(A, src, strlen(src), &at, &msg);
    const char *canon = ty(src);
    const stype *t2 = stype_parse_all(A, canon, strlen(canon), &at, &msg);
    CHECK(t1 && t2 && stype_equal(t1, t2, false));
    /* equality: member name case only with case_fold */
    const stype *u1 = stype_parse_all(A, "struct<Ab:int>", 14, &at, &msg);
    const stype *u2 = stype_parse_all(A, "struct<aB:int>", 14, &at, &msg);
    CHECK(!stype_equal(u1, u2, false));
    CHECK(stype_equal(u1, u2, true));
    CHECK(!stype_equal(stype_parse_all(A, "varchar(4)", 10, &at, &msg), stype_parse_all(A, "varchar(5)", 10, &at, &msg), true));
    /* stype_parse stops after the type */
    size_t end;
    const stype *p = stype_parse(A, "map<string,int> COMMENT 'x'", 27, &end, &msg);
    CHECK(p && p->kind == ST_MAP && end == 15);
    /* kind predicates */
    CHECK(stype_is_text(stype_parse_all(A, "char(1)", 7, &at, &msg)));
    CHECK(!stype_is_text(stype_parse_all(A, "binary", 6, &at, &msg)));
    CHECK(stype_is_numeric(stype_parse_all(A, "decimal", 7, &at, &msg)));
    CHECK(!stype_is_numeric(stype_parse_all(A, "boolean", 7, &at, &msg)));
    CHECK(!stype_is_primitive(stype_parse_all(A, "struct<>", 8, &at, &msg)));
    CHECK(stype_is_primitive(stype_parse_all(A, "timestamp", 9, &at, &msg)));
    /* member lookup is case-insensitive */
    const stype *st = stype_parse_all(A, "struct<userName:int>", 20, &at, &msg);
    CHECK(stype_member(st, "USERNAME", 8) && strcmp(stype_member(st, "USERNAME", 8)->name, "userName") == 0);
    CHECK(stype_member(st, "user", 4) == NULL);
}

static void test_type_errors(void)
{
    static const t_case type_errors[] = {
        {"", "error@0: empty type"},
        {"   ", "error@3: empty type"},
        {"strng", "error@0: unknown type 'strng'"},
        {"int64", "error@0: unknown type 'int64'"},
        {"uniontype<int,string>", "error@0: unknown type 'uniontype'"},
        {"string x", "error@7: unexpected 'x' after the type"},
        {"<int>", "error@0: expected a type, found '<'"},
        {"array", "error@5: expected '<' after array, found the end"},
        {"array<int", "error@9: expected '>' after the array element type, found the end"},
        {"array<>", "error@6: expected a type, found '>'"},
        {"map<string>", "error@10: expected ',' after the map key type, found '>'"},
        {"map<string,int", "error@14: expected '>' after the map value type, found the end"},
        {"map<array<int>,int>", "error@4: a map key must be a primitive type"},
        {"struct<a:int;b:int>", "error@12: expected ',' or '>' in struct<...>, found ';'"},
        {"struct<a int>", "error@9: expected ':' after struct member name 'a', found 'i'"},
        {"struct<:int>", "error@7: expected a struct member name, found ':'"},
        {"struct<a:int,>", "error@13: expected a struct member name, found '>'"},
        {"struct<a:int,A:string>", "error@13: struct member 'A' is defined twice"},
        {"struct<`a:int>", "error@7: unterminated `-quoted name"},
        {"struct<``:int>", "error@7: empty struct member name"},
        {"struct<a:strin>", "error@9: unknown type 'strin'"},
        {"varchar", "error@7: expected '(' after varchar (varchar(n)), found the end"},
        {"varchar(0)", "error@8: varchar length must be 1 to 65535"},
        {"varchar(65536)", "error@8: varchar length must be 1 to 65535"},
        {"varchar(99999999999999)", "error@8: varchar length must be 1 to 65535"},
        {"varchar(x)", "error@8: expected varchar length (a number), found 'x'"},
        {"varchar(5", "error@9: expected ')' after the varchar length, found the end"},
        {"char(256)", "error@5: char length must be 1 to 255"},
        {"decimal(0)", "error@8: decimal precision must be 1 to 38"},
        {"decimal(39,1)", "error@8: decimal precision must be 1 to 38"},
        {"decimal(5,6)", "error@10: decimal scale must be 0 to 5"},
        {"decimal(5,2", "error@11: expected ')' after the decimal precision and scale, found the end"},
        {"string\x01", "error@6: unexpected byte 0x01 after the type"},
    };
    CHECK_CASES(ty, type_errors);
    /* nesting limit: 100 levels parse, 101 do not */
    sbuf b = SBUF_INIT;
    for (int i = 0; i < 99; i++)
        sb_puts(&b, "array<");
    sb_puts(&b, "int");
    for (int i = 0; i < 99; i++)
        sb_putc(&b, '>');
    CHECK(strncmp(ty(b.p), "array<array<", 12) == 0);
    sb_clear(&b);
    for (int i = 0; i < 100; i++)
        sb_puts(&b, "array<");
    sb_puts(&b, "int");
    for (int i = 0; i < 100; i++)
        sb_putc(&b, '>');
    CHECK_STR(ty(b.p), "error@600: type nested too deeply (limit 100 levels)");
    /* many members: the duplicate check is not quadratic, and finds the first */
    sb_clear(&b);
    sb_puts(&b, "struct<");
    for (int i = 0; i < 20000; i++)
        sb_printf(&b, "m%d:int,", i);
    sb_puts(&b, "M5:int,m7:int>");
    const char *big = ty(b.p);
    CHECK(strstr(big, "struct member 'M5' is defined twice") != NULL);
    sb_free(&b);
}

/* ---- Glue JSON --------------------------------------------------------- */

static void test_glue(void)
{
    /* get-table */
    CHECK_STR(one(SCHEMA_GLUE_JSON,
                  "{\"Table\": {\"Name\": \"events\", \"DatabaseName\": \"sec\", \"Description\": \"d\",\n"
                  " \"StorageDescriptor\": {\"Columns\": [{\"Name\": \"a\", \"Type\": \"int\", \"Comment\": \"c\"},\n"
                  "   {\"Name\": \"b\", \"Type\": \"struct<x:string>\", \"Parameters\": {}}], \"Location\": \"s3://x\"},\n"
                  " \"PartitionKeys\": [{\"Name\": \"dt\", \"Type\": \"string\"}], \"TableType\": \"EXTERNAL_TABLE\"}}"),
              "sec.events\n  a int\n  b struct<x:string>\n  dt string (partition)\n");
    /* get-tables, in order, positions of each table */
    stable **v;
    size_t n;
    CHECK_STR(load(SCHEMA_GLUE_JSON,
                   "{\"TableList\": [\n  {\"Name\": \"one\", \"StorageDescriptor\": {\"Columns\": [{\"Name\": \"a\", "
                   "\"Type\": \"int\"}]}},\n  {\"Name\": \"two\", \"StorageDescriptor\": {\"Columns\": []},\n"
                   "   \"PartitionKeys\": [{\"Name\": \"p\", \"Type\": \"date\"}]}\n], \"NextToken\": \"x\"}",
                   &v, &n),
              "");
    CHECK(n == 2);
    if (n == 2) {
        CHECK_STR(v[0]->name, "one");
        CHECK(v[0]->database == NULL && v[0]->npartition == 0 && v[0]->line == 2 && v[0]->col == 3);
        CHECK_STR(v[1]->name, "two");
        CHECK(v[1]->npartition == 1 && v[1]->row->nmembers == 1 && v[1]->line == 3 && v[1]->col == 3);
        CHECK_STR(v[0]->file, "t.json");
        CHECK(v[0]->comment == NULL);
    }
    /* a bare table (get-table --query Table) and a list of tables */
    CHECK_STR(one(SCHEMA_GLUE_JSON, "{\"Name\": \"t\", \"StorageDescriptor\": {\"Columns\": [{\"Name\": \"a\", \"Type\": \"boolean\"}]}}"),
              "t\n  a boolean\n");
    CHECK_STR(one(SCHEMA_GLUE_JSON, "[{\"Name\": \"t\", \"StorageDescriptor\": {\"Columns\": [{\"Name\": \"a\", \"Type\": \"binary\"}]}}]"),
              "t\n  a binary\n");
    /* a byte-order mark is skipped; positions do not count it */
    CHECK_STR(load_err(SCHEMA_GLUE_JSON, "\xEF\xBB\xBF{\"x\": 1}"),
              "t.json:1:1: expected a Glue table: {\"Table\": {...}} (aws glue get-table) or {\"TableList\": [...]} "
              "(aws glue get-tables)");
    /* the description becomes the comment */
    CHECK(load(SCHEMA_GLUE_JSON, "{\"Table\": {\"Name\": \"t\", \"Description\": \"hello\", \"StorageDescriptor\": {\"Columns\": [{\"Name\": \"a\", \"Type\": \"int\"}]}}}", &v, &n)[0] == 0 &&
          n == 1 && v[0]->comment && strcmp(v[0]->comment, "hello") == 0);
}

static void test_glue_errors(void)
{
    static const t_case glue_errors[] = {
        /* syntax errors: jansson's message and position */
        {"{\"Table\": {\n  \"Name\": x}}", "t.json:2:11: invalid token near 'x'"},
        {"", "t.json:1:1: '[' or '{' expected near end of file"},
        {"{\"a\": 1, \"a\": 2}", "t.json:1:12: duplicate object key near '\"a\"'"},
        {"{\"Table\": {}} x", "t.json:1:15: end of file expected near 'x'"},
        {"{\"a\": \"\\u0000\"}", "t.json:1:14: \\u0000 is not allowed without JSON_ALLOW_NUL near '\"\\u0000\"'"},
        /* the wrong shape */
        {"\n  {\"Tables\": []}",
         "t.json:2:3: expected a Glue table: {\"Table\": {...}} (aws glue get-table) or {\"TableList\": [...]} "
         "(aws glue get-tables)"},
        {"{\"TableList\": {}}", "t.json:1:15: \"TableList\" must be an array of tables"},
        {"{\"TableList\": []}", "t.json:1:15: no table in this file (the list is empty)"},
        {"[]", "t.json:1:1: no table in this file (the list is empty)"},
        {"{\"TableList\": [1]}", "t.json:1:16: a table must be an object"},
        {"{\"Table\": {\"DatabaseName\": \"d\"}}", "t.json:1:11: table has no \"Name\""},
        {"{\"Table\": {\"Name\": \"\"}}", "t.json:1:20: \"Name\" must be a non-empty string"},
        {"{\"Table\": {\"Name\": 5}}", "t.json:1:20: \"Name\" must be a non-empty string"},
        {"{\"Table\": {\"Name\": \"t\", \"DatabaseName\": null}}",
         "t.json:1:41: \"DatabaseName\" must be a non-empty string"},
        {"{\"Table\": {\"Name\": \"t\", \"Description\": []}}", "t.json:1:40: \"Description\" must be a string"},
        {"{\"Table\": {\"Name\": \"t\"}}", "t.json:1:11: table 't' has no \"StorageDescriptor\""},
        {"{\"Table\": {\"Name\": \"t\", \"StorageDescriptor\": 1}}",
         "t.json:1:46: \"StorageDescriptor\" must be an object"},
        {"{\"Table\": {\"Name\": \"t\", \"StorageDescriptor\": {}}}",
         "t.json:1:46: table 't' has no \"StorageDescriptor\".\"Columns\""},
        {"{\"Table\": {\"Name\": \"t\", \"StorageDescriptor\": {\"Columns\": {}}}}",
         "t.json:1:58: \"Columns\" must be an array of columns"},
        {"{\"Table\": {\"Name\": \"t\", \"StorageDescriptor\": {\"Columns\": []}}}",
         "t.json:1:11: table 't' has no columns"},
        {"{\"Table\": {\"Name\": \"t\", \"StorageDescriptor\": {\"Columns\": [\"a\"]}}}",
         "t.json:1:59: a column must be an object with \"Name\" and \"Type\""},
        {"{\"Table\": {\"Name\": \"t\", \"StorageDescriptor\": {\"Columns\": [{\"Type\": \"int\"}]}}}",
         "t.json:1:59: column has no \"Name\""},
        {"{\"Table\": {\"Name\": \"t\", \"StorageDescriptor\": {\"Columns\": [\n"
         "  {\"Name\": \"a\"}]}}}",
         "t.json:2:3: column 'a' of table 't' has no \"Type\""},
        {"{\"Table\": {\"Name\": \"t\", \"StorageDescriptor\": {\"Columns\": [\n"
         "  {\"Name\": \"a\", \"Type\": 1}]}}}",
         "t.json:2:25: \"Type\" must be a string"},
        {"{\"Table\": {\"Name\": \"t\", \"StorageDescriptor\": {\"Columns\": [{\"Name\": \"a\", \"Type\": \"int\"}]},\n"
         "  \"PartitionKeys\": {}}}",
         "t.json:2:20: \"PartitionKeys\" must be an array of columns"},
        /* an error inside a type string: on its character, escapes counted */
        {"{\"Table\": {\"Name\": \"t\", \"StorageDescriptor\": {\"Columns\": [\n"
         "  {\"Name\": \"a\", \"Type\": \"struct<x:int,y:strin>\"}]}}}",
         "t.json:2:41: column 'a': unknown type 'strin'"},
        {"{\"Table\": {\"Name\": \"t\", \"StorageDescriptor\": {\"Columns\": [\n"
         "  {\"Name\": \"a\", \"Type\": \"struct<\\u00e9\\\"x:int,y:strin>\"}]}}}",
         "t.json:2:49: column 'a': unknown type 'strin'"},
        {"{\"Table\": {\"Name\": \"t\", \"StorageDescriptor\": {\"Columns\": [\n"
         "  {\"Name\": \"a\", \"Type\": \"struct<\\ud83d\\ude00:int,y:\\u0041>\"}]}}}",
         "t.json:2:52: column 'a': unknown type 'A'"},
        {"{\"Table\": {\"Name\": \"t\", \"StorageDescriptor\": {\"Columns\": [\n"
         "  {\"Name\": \"a\", \"Type\": \"\"}]}}}",
         "t.json:2:26: column 'a': empty type"},
        {"{\"Table\": {\"Name\": \"t\", \"StorageDescriptor\": {\"Columns\": [\n"
         "  {\"Name\": \"a\", \"Type\": \"int\"}, {\"Name\": \"b\", \"Type\": \"int\"}]},\n"
         "  \"PartitionKeys\": [{\"Name\": \"x\", \"Type\": \"string\"}, {\"Name\": \"A\", \"Type\": \"string\"}]}}",
         "t.json:3:63: column 'A' is defined twice in table 't'"},
        /* the second table of a list, past a nested object that the walk skips */
        {"{\"TableList\": [{\"Name\": \"a\", \"Parameters\": {\"k\": [1, {\"x\": \"]\"}]},"
         " \"StorageDescriptor\": {\"Columns\": [{\"Name\": \"c\", \"Type\": \"int\"}]}},\n"
         " {\"Name\": \"b\", \"StorageDescriptor\": {\"Columns\": [{\"Name\": \"c\", \"Type\": \"in\"}]}}]}",
         "t.json:2:73: column 'c': unknown type 'in'"},
    };
    CHECK_CASES(glue_err, glue_errors);
}

/* ---- DDL --------------------------------------------------------------- */

static void test_ddl(void)
{
    /* SHOW CREATE TABLE of a Hive table: back quotes, comments, every clause */
    CHECK_STR(one(SCHEMA_DDL,
                  "CREATE EXTERNAL TABLE `sec`.`events`(\n"
                  "  `eventversion` string COMMENT 'from deserializer', \n"
                  "  `useridentity` struct<type:string,arn:string> COMMENT 'from deserializer',\n"
                  "  `n` decimal(10, 2))\n"
                  "COMMENT 'the table'\n"
                  "PARTITIONED BY ( \n  `region` string COMMENT 'r', \n  `day` string)\n"
                  "CLUSTERED BY (eventversion) SORTED BY (eventversion ASC) INTO 4 BUCKETS\n"
                  "ROW FORMAT SERDE \n  'org.apache.hive.hcatalog.data.JsonSerDe' \n"
                  "WITH SERDEPROPERTIES ( \n  'serialization.format'='1') \n"
                  "STORED AS INPUTFORMAT \n  'com.amazon.emr.cloudtrail.CloudTrailInputFormat' \n"
                  "OUTPUTFORMAT \n  'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'\n"
                  "LOCATION\n  's3://bucket/AWSLogs/'\n"
                  "TBLPROPERTIES (\n  'projection.enabled'='true', \n  \"x\"=\"y\")\n"),
              "sec.events\n  eventversion string\n  useridentity struct<type:string,arn:string>\n  n decimal(10,2)\n"
              "  region string (partition)\n  day string (partition)\n");
    /* Iceberg: PARTITIONED BY names columns and transforms: no new columns */
    CHECK_STR(one(SCHEMA_DDL, "create table db.t (ts timestamp, id bigint, `c` string)\n"
                              "partitioned by (day(ts), bucket(16, id), `c`)\nlocation 's3://x/'\n"
                              "tblproperties ('table_type'='iceberg');"),
              "db.t\n  ts timestamp\n  id bigint\n  c string\n");
    /* DELIMITED row format, STORED AS word, comments, IF NOT EXISTS */
    CHECK_STR(one(SCHEMA_DDL, "-- a comment\n/* another\n one */ CREATE TABLE IF NOT EXISTS t (\n"
                              "  a int, -- the id\n  b array<string> /* tags */)\n"
                              "ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' ESCAPED BY '\\\\' "
                              "LINES TERMINATED BY '\\n' STORED AS TEXTFILE"),
              "t\n  a int\n  b array<string>\n");
    /* keywords as names, a name with odd characters, a type over lines */
    CHECK_STR(one(SCHEMA_DDL, "CREATE TABLE `my table` (comment string, location int, `a``b` struct<\n"
                              "  x: int,\n  `y z`: map<string, string>\n>)"),
              "my table\n  comment string\n  location int\n  `a``b` struct<x:int,`y z`:map<string,string>>\n");
    /* several statements, table positions and comment */
    stable **v;
    size_t n;
    CHECK_STR(load(SCHEMA_DDL, ";\nCREATE TABLE a (x int) COMMENT 'first';\n\n  create table b.c (y int);;", &v, &n), "");
    CHECK(n == 2);
    if (n == 2) {
        CHECK(v[0]->line == 2 && v[0]->col == 1 && v[1]->line == 4 && v[1]->col == 3);
        CHECK_STR(v[0]->comment, "first");
        CHECK(v[1]->comment == NULL);
        CHECK_STR(v[1]->database, "b");
        CHECK_STR(v[1]->name, "c");
    }
    /* a byte-order mark */
    CHECK_STR(one(SCHEMA_DDL, "\xEF\xBB\xBF" "CREATE TABLE t (a int)"), "t\n  a int\n");
}

static void test_ddl_errors(void)
{
    static const t_case ddl_errors[] = {
        {"", "t.ddl:1:1: no CREATE TABLE statement in this file"},
        {"-- nothing\n;", "t.ddl:1:1: no CREATE TABLE statement in this file"},
        {"SELECT 1", "t.ddl:1:1: expected CREATE TABLE, found 'SELECT'"},
        {"CREATE VIEW v AS SELECT 1", "t.ddl:1:8: expected TABLE after CREATE, found 'VIEW'"},
        {"CREATE TABLE IF EXISTS t (a int)", "t.ddl:1:17: expected NOT after IF, found 'EXISTS'"},
        {"CREATE TABLE t AS SELECT * FROM u",
         "t.ddl:1:16: expected '(' and the column list after the table name, found 'AS'"},
        {"CREATE TABLE t WITH (format = 'PARQUET') AS SELECT 1",
         "t.ddl:1:16: expected '(' and the column list after the table name, found 'WITH'"},
        {"CREATE TABLE (a int)", "t.ddl:1:14: expected a table name, found '('"},
        {"CREATE TABLE db. (a int)", "t.ddl:1:18: expected a table name after the database, found '('"},
        {"CREATE TABLE t ()", "t.ddl:1:17: expected a column name, found ')'"},
        {"CREATE TABLE t (a)", "t.ddl:1:18: column 'a': expected a type, found ')'"},
        {"CREATE TABLE t (\n  a int,\n  b strin)", "t.ddl:3:5: column 'b': unknown type 'strin'"},
        {"CREATE TABLE t (\n  a struct<x:int,\n    y:map<array<int>,int>>)",
         "t.ddl:3:11: column 'a': a map key must be a primitive type"},
        {"CREATE TABLE t (a int b int)", "t.ddl:1:23: expected ',' or ')' after a column, found 'b'"},
        {"CREATE TABLE t (a int COMMENT x)", "t.ddl:1:31: expected a string after COMMENT, found 'x'"},
        {"CREATE TABLE t (a int,\n  A string)", "t.ddl:2:3: column 'A' is defined twice in table 't'"},
        {"CREATE TABLE t (a int) PARTITIONED BY (a string)", "t.ddl:1:40: column 'a' is defined twice in table 't'"},
        {"CREATE TABLE t (a int) PARTITIONED (b string)", "t.ddl:1:36: expected BY after PARTITIONED, found '('"},
        {"CREATE TABLE t (a int) PARTITIONED BY (b string) PARTITIONED BY (c string)",
         "t.ddl:1:50: PARTITIONED BY given twice"},
        {"CREATE TABLE t (a int) PARTITIONED BY b", "t.ddl:1:39: expected '(' after PARTITIONED BY, found 'b'"},
        {"CREATE TABLE t (a int) PARTITIONED BY (b string c string)",
         "t.ddl:1:49: expected ',' or ')' in PARTITIONED BY, found 'c'"},
        {"CREATE TABLE t (a int) PARTITIONED BY (bucket(16, a", "t.ddl:1:46: unbalanced '(': no matching ')'"},
        {"CREATE TABLE t (a int) LOCATION", "t.ddl:1:32: expected a string after LOCATION, found the end of the file"},
        {"CREATE TABLE t (a int) TBLPROPERTIES ('a' 'b')", "t.ddl:1:43: expected '=' in TBLPROPERTIES, found a string"},
        {"CREATE TABLE t (a int) TBLPROPERTIES (a='b')",
         "t.ddl:1:39: expected 'key'='value' in TBLPROPERTIES, found 'a'"},
        {"CREATE TABLE t (a int) TBLPROPERTIES ('a'='b' 'c'='d')",
         "t.ddl:1:47: expected ',' or ')' in TBLPROPERTIES, found a string"},
        {"CREATE TABLE t (a int) WITH ('a'='b')", "t.ddl:1:29: expected SERDEPROPERTIES after WITH, found '('"},
        {"CREATE TABLE t (a int) ROW SERDE 'x'", "t.ddl:1:28: expected FORMAT after ROW, found 'SERDE'"},
        {"CREATE TABLE t (a int) ROW FORMAT;", "t.ddl:1:34: incomplete ROW FORMAT clause: found ';'"},
        {"CREATE TABLE t (a int) STORED PARQUET", "t.ddl:1:31: expected AS or BY after STORED, found 'PARQUET'"},
        {"CREATE TABLE t (a int) STORED AS PARQUET)", "t.ddl:1:41: unexpected ')' in STORED"},
        {"CREATE TABLE t (a int) CLUSTERED (a) INTO 2 BUCKETS", "t.ddl:1:34: expected BY after CLUSTERED, found '('"},
        {"CREATE TABLE t (a int)\nPRIMARY KEY (a)",
         "t.ddl:2:1: expected COMMENT, PARTITIONED BY, CLUSTERED BY, ROW FORMAT, STORED AS, WITH SERDEPROPERTIES, "
         "LOCATION, TBLPROPERTIES or the end of the statement, found 'PRIMARY'"},
        {"CREATE TABLE t (a int) COMMENT 'x", "t.ddl:1:32: unterminated string"},
        {"CREATE TABLE `t (a int)", "t.ddl:1:14: unterminated `-quoted name"},
        {"CREATE TABLE `` (a int)", "t.ddl:1:14: empty `-quoted name"},
        {"CREATE TABLE t (a int) /* open", "t.ddl:1:24: unterminated comment"},
        {"CREATE TABLE t (a int) @", "t.ddl:1:24: unexpected character '@'"},
        {"CREATE TABLE t\xC3\xA9 (a int)", "t.ddl:1:15: unexpected byte 0xC3"},
        {"CREATE TABLE t (\n  \xC3\xA9\xC3\xA9 int)", "t.ddl:2:3: unexpected byte 0xC3"},
        /* columns count characters: the error after two accented letters */
        {"CREATE TABLE t (`\xC3\xA9\xC3\xA9` strin)", "t.ddl:1:22: column '\xC3\xA9\xC3\xA9': unknown type 'strin'"},
        {"CREATE TABLE t (a int) COMMENT 'a\\'b' LOCATION 'x' ; CREATE",
         "t.ddl:1:60: expected TABLE after CREATE, found the end of the file"},
    };
    CHECK_CASES(ddl_err, ddl_errors);
    /* a NUL byte inside a string */
    stable **v;
    size_t n;
    char err[256];
    const char nul[] = "CREATE TABLE t (a int) COMMENT 'a\0b'";
    CHECK(!schema_load_ddl(A, "t.ddl", nul, sizeof nul - 1, &v, &n, err, sizeof err));
    CHECK_STR(err, "t.ddl:1:34: NUL byte in a string");
}

/* ---- the same table from Glue JSON and from DDL -------------------------- */

static void test_same_model(void)
{
    char *json = read_text("tests/schema/cloudtrail_logs.json");
    char *docs = read_text("tests/schema/cloudtrail_docs.sql");
    char *sl = read_text("tests/schema/security_lake_eu_west_2.json");
    CHECK(json && docs && sl);
    if (!json || !docs || !sl)
        return;
    stable **gv, **dv, **sv;
    size_t gn, dn, sn;
    CHECK_STR(load(SCHEMA_GLUE_JSON, json, &gv, &gn), "");
    CHECK_STR(load(SCHEMA_DDL, docs, &dv, &dn), "");
    CHECK_STR(load(SCHEMA_GLUE_JSON, sl, &sv, &sn), "");
    const stable *b = builtin("cloudtrail_logs");
    CHECK(b && gn == 1 && dn == 1 && sn == 2);
    if (!b || gn != 1 || dn != 1 || sn != 2)
        return;
    /* Glue JSON and the built-in DDL: identical models, names included */
    CHECK(stype_equal(gv[0]->row, b->row, false));
    CHECK(gv[0]->npartition == 4 && b->npartition == 4);
    CHECK_STR(gv[0]->database, "default");
    sbuf x = SBUF_INIT, y = SBUF_INIT;
    stable_format(&x, gv[0]);
    stable_format(&y, b);
    CHECK_STR(x.p + strlen("default."), y.p);
    CHECK(strstr(y.p, "\n  resources array<struct<arn:string,accountid:string,type:string>>\n") != NULL);
    CHECK(strstr(y.p, "\n  day string (partition)\n") != NULL);
    sb_free(&x);
    sb_free(&y);
    /* the documentation's camelCase DDL: the same model up to name case */
    CHECK(stype_equal(dv[0]->row, b->row, true));
    CHECK(!stype_equal(dv[0]->row, b->row, false));
    CHECK(dv[0]->npartition == 4);
    /* Security Lake tables as get-tables prints them: the built-ins */
    for (size_t i = 0; i < sn; i++) {
        const stable *bt = builtin(arena_printf(A, "%s.%s", sv[i]->database, sv[i]->name));
        CHECK(bt && stype_equal(sv[i]->row, bt->row, false) && bt->npartition == 0 && sv[i]->npartition == 0);
    }
}

/* ---- built-ins --------------------------------------------------------- */

static void test_builtins(void)
{
    CHECK(embed_schemas.n == 2);
    CHECK(embed_find(&embed_schemas, "cloudtrail_logs.ddl") != NULL);
    CHECK(embed_find(&embed_schemas, "security_lake_v2.ddl") != NULL);
    CHECK(embed_find(&embed_schemas, "nope.ddl") == NULL);
    const embed_file *f = embed_find(&embed_schemas, "cloudtrail_logs.ddl");
    CHECK(f && f->data[f->len] == 0 && strlen(f->data) == f->len && strncmp(f->data, "-- cloudtrail_logs.ddl", 22) == 0);
    size_t n;
    const stable *const *v = schema_builtin_tables(&n);
    CHECK(v != NULL && n == 9);
    /* column counts from the reference tables */
    static const struct {
        const char *suffix;
        size_t ncols;
    } sl[] = {{"cloud_trail_mgmt_2_0", 30}, {"s3_data_2_0", 30}, {"lambda_execution_2_0", 30},
              {"route53_2_0", 30},          {"vpc_flow_2_0", 29}, {"sh_findings_2_0", 29},
              {"eks_audit_2_0", 26},        {"waf_2_0", 27}};
    for (size_t i = 0; i < sizeof sl / sizeof *sl; i++) {
        const stable *t = builtin(arena_printf(A, "amazon_security_lake_table_us_east_1_%s", sl[i].suffix));
        CHECK(t && t->row->nmembers == sl[i].ncols && t->npartition == 0);
        /* every region, with or without its database, any case */
        CHECK(builtin(arena_printf(A, "amazon_security_lake_glue_db_ap_southeast_2.amazon_security_lake_table_ap_southeast_2_%s",
                                   sl[i].suffix)) == t);
        CHECK(builtin(arena_printf(A, "\"AMAZON_SECURITY_LAKE_GLUE_DB_US_GOV_WEST_1\".\"amazon_security_lake_table_us_gov_west_1_%s\"",
                                   sl[i].suffix)) == t);
        CHECK(builtin(arena_printf(A, "awsdatacatalog.amazon_security_lake_glue_db_eu_west_2.amazon_security_lake_table_eu_west_2_%s",
                                   sl[i].suffix)) == t);
    }
    const stable *ct = builtin("cloudtrail_logs");
    CHECK(ct && ct->row->nmembers == 33 && ct->npartition == 4 && ct->database == NULL);
    CHECK(builtin("default.CloudTrail_Logs") == ct);
    CHECK(builtin("\"my-db\".cloudtrail_logs") == ct);
    /* not built-in: other names, a mismatched or odd region, another database */
    CHECK(builtin("cloudtrail") == NULL);
    CHECK(builtin("amazon_security_lake_table__cloud_trail_mgmt_2_0") == NULL);
    CHECK(builtin("amazon_security_lake_table_eu_west_2__cloud_trail_mgmt_2_0") == NULL);
    CHECK(builtin("amazon_security_lake_table_eu-west-2_cloud_trail_mgmt_2_0") == NULL);
    CHECK(builtin("amazon_security_lake_table_eu_west_2_cloud_trail_mgmt_1_0") == NULL);
    CHECK(builtin("amazon_security_lake_glue_db_us_east_1.amazon_security_lake_table_eu_west_2_waf_2_0") == NULL);
    CHECK(builtin("mydb.amazon_security_lake_table_eu_west_2_waf_2_0") == NULL);
    /* the list for `sigma list schemas` */
    const char *const *lines = schema_builtin_list();
    size_t k = 0;
    while (lines[k])
        k++;
    CHECK(k == 9);
    CHECK_STR(lines[0], "cloudtrail_logs\tCloudTrail logs as the Athena documentation creates the table (29 columns, 4 "
                        "partition keys)");
    CHECK_STR(lines[1], "amazon_security_lake_table_{region}_cloud_trail_mgmt_2_0\tSecurity Lake v2: CloudTrail "
                        "management events (OCSF 1.1.0 API Activity, Authentication, Account Change) (30 columns; "
                        "database amazon_security_lake_glue_db_{region})");
    size_t ne;
    const sigma_entry *e = sigma_list_entries("schemas", &ne);
    CHECK(ne == 9);
    CHECK_STR(e[1].name, "amazon_security_lake_table_{region}_cloud_trail_mgmt_2_0");
}

/* ---- schema sets and lookup -------------------------------------------- */

static const char *find(const schema_set *s, const char *from)
{
    const stable *t;
    switch (schema_set_find(s, from, &t)) {
    case SCHEMA_NOT_FOUND: return "not found";
    case SCHEMA_AMBIGUOUS: return "ambiguous";
    case SCHEMA_FOUND: break;
    }
    return arena_printf(A, "%s%s%s (%s)", t->database ? t->database : "", t->database ? "." : "", t->name,
                        t->row->members[0].name);
}

static const char *add(schema_set *s, const char *spec)
{
    static char err[512];
    return schema_set_add(s, spec, err, sizeof err) ? "" : err;
}

static void test_set(void)
{
    schema_set *s = schema_set_new(A);
    /* a folder: *.json, *.sql, *.ddl below it, sorted by path */
    CHECK_STR(add(s, "tests/schema/dir/"), "");
    CHECK(schema_set_count(s) == 4);
    CHECK_STR(find(s, "sec.events"), "sec.events (EventID)");
    CHECK_STR(find(s, "OPS.Events"), "ops.events (message)");
    CHECK_STR(find(s, "\"ops\".\"events\""), "ops.events (message)");
    CHECK_STR(find(s, "events"), "ambiguous");
    CHECK_STR(find(s, "other.events"), "not found");
    CHECK_STR(find(s, "flows"), "flows (src)");
    CHECK_STR(find(s, "any.flows"), "flows (src)"); /* the DDL names no database */
    CHECK_STR(find(s, "catalog.logs.dns"), "logs.dns (query)");
    CHECK_STR(find(s, "dns"), "logs.dns (query)");
    CHECK_STR(find(s, "nope"), "not found");
    CHECK_STR(find(s, ""), "not found");
    CHECK_STR(find(s, "\"unterminated"), "not found");
    /* loaded tables come before the built-ins; `none` turns those off */
    CHECK_STR(find(s, "cloudtrail_logs"), "cloudtrail_logs (eventversion)");
    CHECK_STR(add(s, "tests/schema/cloudtrail_docs.sql"), "");
    CHECK_STR(find(s, "cloudtrail_logs"), "cloudtrail_logs (eventVersion)");
    CHECK_STR(find(s, "amazon_security_lake_table_eu_west_2_waf_2_0"),
              "amazon_security_lake_glue_db_{region}.amazon_security_lake_table_{region}_waf_2_0 (metadata)");
    CHECK_STR(add(s, "none"), "");
    CHECK_STR(find(s, "amazon_security_lake_table_eu_west_2_waf_2_0"), "not found");
    /* an exact database beats a table that names none */
    schema_set *s2 = schema_set_new(A);
    char err[512];
    CHECK(schema_set_add_text(s2, "x.ddl", "CREATE TABLE t (a int); CREATE TABLE d.t (b int)", strlen("CREATE TABLE t (a int); CREATE TABLE d.t (b int)"), SCHEMA_DDL, err, sizeof err));
    CHECK_STR(find(s2, "d.t"), "d.t (b)");
    CHECK_STR(find(s2, "e.t"), "t (a)");
    CHECK_STR(find(s2, "t"), "ambiguous");
    /* a table defined twice: an error at the second definition */
    CHECK(!schema_set_add_text(s2, "y.ddl", "\n  CREATE TABLE D.T (c int)", strlen("\n  CREATE TABLE D.T (c int)"), SCHEMA_DDL, err, sizeof err));
    CHECK_STR(err, "y.ddl:2:3: table 'D.T' is already defined at x.ddl:1:25");
    CHECK(!schema_set_add_text(s2, "z.ddl", "CREATE TABLE u (c int); CREATE TABLE U (c int)", strlen("CREATE TABLE u (c int); CREATE TABLE U (c int)"), SCHEMA_DDL, err, sizeof err));
    CHECK_STR(err, "z.ddl:1:25: table 'U' is already defined at z.ddl:1:1");
    CHECK_STR(find(s2, "u"), "not found"); /* nothing of a failed file is kept */
    schema_set *s3 = schema_set_new(A);
    /* the Glue table names database `default`, the DDL none: two tables */
    CHECK_STR(add(s3, "tests/schema/cloudtrail_logs.json, tests/schema/cloudtrail_docs.sql"), "");
    CHECK_STR(find(s3, "default.cloudtrail_logs"), "default.cloudtrail_logs (eventversion)");
    CHECK_STR(find(s3, "other.cloudtrail_logs"), "cloudtrail_logs (eventVersion)");
    CHECK_STR(find(s3, "cloudtrail_logs"), "ambiguous");
    CHECK_STR(add(s3, "tests/schema/cloudtrail_logs.json"),
              "tests/schema/cloudtrail_logs.json:2:14: table 'default.cloudtrail_logs' is already defined at "
              "tests/schema/cloudtrail_logs.json:2:14");
    /* a folder loads in path order up to the file that fails */
    schema_set *s5 = schema_set_new(A);
    CHECK_STR(add(s5, "tests/schema/dir/sub/c_dns.sql,tests/schema/dir"),
              "tests/schema/dir/sub/c_dns.sql:1:1: table 'logs.dns' is already defined at "
              "tests/schema/dir/sub/c_dns.sql:1:1");
    CHECK(schema_set_count(s5) == 4);
    /* files that cannot be read, empty specs, folders without schemas */
    schema_set *s4 = schema_set_new(A);
    CHECK_STR(add(s4, "tests/schema/missing.json"), "tests/schema/missing.json: No such file or directory");
    CHECK_STR(add(s4, " , "), "schema option needs a file or folder (-O schema=PATH[,PATH...]) or 'none'");
    CHECK_STR(add(s4, "tests/golden/pipelines"), "tests/golden/pipelines: no *.json, *.sql or *.ddl file in this folder");
    /* a file of another extension: JSON or DDL by its first character */
    CHECK_STR(add(s4, "tests/schema/dir/notes.txt"),
              "tests/schema/dir/notes.txt:1:1: expected CREATE TABLE, found 'Not'");
    CHECK(schema_set_count(s4) == 0);
    schema_set_builtins(s4, false);
    CHECK_STR(find(s4, "cloudtrail_logs"), "not found");
    schema_set_builtins(s4, true);
    CHECK_STR(find(s4, "cloudtrail_logs"), "cloudtrail_logs (eventversion)");
}

/* ---- resolver ---------------------------------------------------------- */

static void test_resolve(void)
{
    const stable *mgmt = builtin("amazon_security_lake_table_eu_west_2_cloud_trail_mgmt_2_0");
    const stable *eks = builtin("amazon_security_lake_table_eu_west_2_eks_audit_2_0");
    const stable *sh = builtin("amazon_security_lake_table_eu_west_2_sh_findings_2_0");
    const stable *ct = builtin("cloudtrail_logs");
    CHECK(mgmt && eks && sh && ct);
    const res_case found[] = {
        /* columns and struct members, case-insensitive, spelled as the schema */
        {mgmt, "time", "col(time) : bigint"},
        {mgmt, "TIME_DT", "col(time_dt) : timestamp"},
        {mgmt, "is_mfa", "col(is_mfa) : boolean"},
        {mgmt, "class_uid", "col(class_uid) : int"},
        {mgmt, "actor.user.uid", "col(actor) member(user) member(uid) : string"},
        {mgmt, "Actor.Session.Is_MFA", "col(actor) member(session) member(is_mfa) : boolean"},
        {ct, "userIdentity.sessionContext.sessionIssuer.type",
         "col(useridentity) member(sessioncontext) member(sessionissuer) member(type) : string"},
        {ct, "eventName", "col(eventname) : string"},
        /* a struct as the value */
        {mgmt, "actor.user",
         "col(actor) member(user) : struct<type:string,name:string,uid_alt:string,uid:string,account:struct<uid:string>,credential_uid:string>"},
        /* map: the rest of the path is one key */
        {mgmt, "unmapped.recipientAccountId", "col(unmapped) key(recipientAccountId) : string"},
        {mgmt, "unmapped.userIdentity.sessionContext.sessionIssuer.type",
         "col(unmapped) key(userIdentity.sessionContext.sessionIssuer.type) : string"},
        {mgmt, "unmapped.a\\.b.c", "col(unmapped) key(a.b.c) : string"},
        {mgmt, "unmapped", "col(unmapped) : map<string,string>"},
        {ct, "useridentity.sessioncontext.webidfederationdata.attributes.x.y",
         "col(useridentity) member(sessioncontext) member(webidfederationdata) member(attributes) key(x.y) : string"},
        /* JSON text: the rest of the path; a bare JSON column is text */
        {mgmt, "api.request.data.userName", "col(api) member(request) member(data) json(userName) : json"},
        {ct, "requestParameters.containerDefinitions.command",
         "col(requestparameters) json(containerDefinitions|command) : json"},
        {ct, "responseElements.pendingModifiedValues.masterUserPassword",
         "col(responseelements) json(pendingModifiedValues|masterUserPassword) : json"},
        {ct, "additionalEventData.MFAUsed", "col(additionaleventdata) json(MFAUsed) : json"},
        {ct, "requestParameters.a\\.b.c", "col(requestparameters) json(a.b|c) : json"},
        {ct, "requestParameters", "col(requestparameters) : string"},
        /* arrays: any element, of structs, of scalars, nested, at the end */
        {mgmt, "resources.uid", "col(resources) any member(uid) : string"},
        {mgmt, "resources.owner.account.uid", "col(resources) any member(owner) member(account) member(uid) : string"},
        {ct, "resources.ARN", "col(resources) any member(arn) : string"},
        {mgmt, "observables.type_id", "col(observables) any member(type_id) : int"},
        {mgmt, "metadata.profiles", "col(metadata) member(profiles) any : string (trailing any 1)"},
        {eks, "actor.user.groups.name", "col(actor) member(user) member(groups) any member(name) : string"},
        {eks, "src_endpoint.intermediate_ips",
         "col(src_endpoint) member(intermediate_ips) any : string (trailing any 1)"},
        {eks, "resources",
         "col(resources) any : struct<namespace:string,name:string,uid:string,version:string,type:string> (trailing any 1)"},
        {sh, "vulnerabilities.cve.cvss.base_score",
         "col(vulnerabilities) any member(cve) member(cvss) any member(base_score) : decimal(3,1)"},
        {sh, "finding_info.types", "col(finding_info) member(types) any : string (trailing any 1)"},
        {sh, "resources.data.k", "col(resources) any member(data) json(k) : json"},
    };
    check_res(found, sizeof found / sizeof *found);
    /* nested arrays, arrays of maps, a name holding dots */
    stable **v;
    size_t n;
    CHECK_STR(load(SCHEMA_DDL, "CREATE TABLE t (m array<array<struct<x:int>>>, a array<array<string>>, "
                               "am array<map<string,bigint>>, `a.b` int, s struct<`c.d`:struct<e:int>>, "
                               "bin binary)",
                   &v, &n),
              "");
    const res_case nested[] = {
        {v[0], "m.x", "col(m) any any member(x) : int"},
        {v[0], "a", "col(a) any any : string (trailing any 2)"},
        {v[0], "a.k", "col(a) any any json(k) : json"},
        {v[0], "am.key.x", "col(am) any key(key.x) : bigint"},
        {v[0], "a.b", "col(a) any any json(b) : json"}, /* a part first: a is a column */
        {v[0], "a\\.b", "col(a.b) : int"},
        {v[0], "s.c.d.e", "col(s) member(c.d) member(e) : int"},
        {v[0], "s.c\\.d.E", "col(s) member(c.d) member(e) : int"},
    };
    check_res(nested, sizeof nested / sizeof *nested);
    const res_case unknown[] = {
        /* unknown fields: why, and the closest paths */
        {mgmt, "actor.user.id",
         "unknown: unknown field 'actor.user.id': actor.user has no member 'id' (did you mean actor.user.uid?)"},
        {mgmt, "actr.user.uid",
         "unknown: unknown field 'actr.user.uid': no column 'actr' (did you mean actor.user.uid?)"},
        {mgmt, "actor.usr.uid_alt",
         "unknown: unknown field 'actor.usr.uid_alt': actor has no member 'usr' (did you mean actor.user.uid_alt?)"},
        {mgmt, "eventName", "unknown: unknown field 'eventName': no column 'eventName'"},
        {ct, "status", "unknown: unknown field 'status': no column 'status'"},
        {mgmt, "time.x", "unknown: unknown field 'time.x': time is bigint, which has no members"},
        {mgmt, "actor.session.is_mfa.x",
         "unknown: unknown field 'actor.session.is_mfa.x': actor.session.is_mfa is boolean, which has no members"},
        {mgmt, "resources.x", "unknown: unknown field 'resources.x': resources has no member 'x'"},
        {mgmt, "src_endpoint.ipp",
         "unknown: unknown field 'src_endpoint.ipp': src_endpoint has no member 'ipp' (did you mean src_endpoint.ip?)"},
        {mgmt, "session.uidd",
         "unknown: unknown field 'session.uidd': session has no member 'uidd' (did you mean session.uid?)"},
        {v[0], "s.c.x", "unknown: unknown field 's.c.x': s has no member 'c' (did you mean s.c\\.d?)"},
        {v[0], "", "unknown: unknown field '': no column '' (did you mean m, a or s?)"},
        {v[0], "bin.x", "unknown: unknown field 'bin.x': bin is binary, which has no members"},
    };
    check_res(unknown, sizeof unknown / sizeof *unknown);
    /* the failure keeps the steps that did resolve, and the candidates */
    sresolved r = schema_resolve(A, mgmt, "actor.user.id");
    CHECK(r.status == SR_UNKNOWN && r.nsteps == 2 && r.ncandidates == 1);
    CHECK_STR(r.candidates[0], "actor.user.uid");
    /* a very long field: no suggestion, no time spent */
    sbuf b = SBUF_INIT;
    for (int i = 0; i < 5000; i++)
        sb_puts(&b, "x.");
    sb_puts(&b, "y");
    r = schema_resolve(A, mgmt, b.p);
    CHECK(r.status == SR_UNKNOWN && r.ncandidates == 0);
    sb_free(&b);
    /* every field path of a table */
    size_t np;
    const char *const *paths = schema_field_paths(A, ct, &np);
    CHECK(np > 60);
    bool seen_map = false, seen_deep = false, seen_arr = false;
    for (size_t i = 0; i < np; i++) {
        if (strcmp(paths[i], "useridentity.sessioncontext.webidfederationdata.attributes") == 0)
            seen_map = true;
        if (strcmp(paths[i], "useridentity.sessioncontext.attributes.mfaauthenticated") == 0)
            seen_deep = true;
        if (strcmp(paths[i], "resources.arn") == 0)
            seen_arr = true;
    }
    CHECK(seen_map && seen_deep && seen_arr);
    CHECK_STR(paths[0], "eventversion");
}

/* ---- the option through the API ---------------------------------------- */

static void test_option(void)
{
    sigma_compiler *c = sigma_compiler_new();
    CHECK(sigma_set_option(c, "schema", "tests/schema/cloudtrail_logs.json,tests/schema/dir") == SIGMA_OK);
    CHECK(sigma_set_option(c, "schema", "tests/schema/dir/b_flows.ddl") == SIGMA_EUSAGE);
    CHECK_STR(sigma_last_error(c), "tests/schema/dir/b_flows.ddl:1:1: table 'flows' is already defined at "
                                   "tests/schema/dir/b_flows.ddl:1:1");
    CHECK(sigma_set_option(c, "schema", "tests/schema/none.json") == SIGMA_EUSAGE);
    CHECK_STR(sigma_last_error(c), "tests/schema/none.json: No such file or directory");
    /* no warning about an unknown option */
    static const char rule[] = "title: t\nlogsource: {product: aws}\ndetection:\n  sel: {eventName: x}\n  condition: sel\n";
    sigma_add_source(c, "r.yml", rule, sizeof rule - 1);
    CHECK(sigma_compile(c) == SIGMA_OK);
    CHECK(sigma_diag_count(c) == 0);
    sigma_compiler_free(&c);
}

int main(void)
{
    A = arena_new();
    test_types();
    test_type_errors();
    test_glue();
    test_glue_errors();
    test_ddl();
    test_ddl_errors();
    test_same_model();
    test_builtins();
    test_set();
    test_resolve();
    test_option();
    arena_free(A);
    return t_done("schema");
}
