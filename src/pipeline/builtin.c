/* builtin.c - the built-in pipelines (`-p NAME`).
 *
 * athena_security_lake_table_name: pySigma-backend-athena's pipeline of the
 * same name: the state table_name of each AWS log source's Security Lake
 * table, amazon_security_lake_table_<region>_<source>_<version>, from
 * -O aws_table_region (required) and -O aws_table_version (default 2_0),
 * dashes written as underscores. */
#define SIGMA_PIPELINE_INTERNAL
#include "pipeline.h"

#include <string.h>

static const struct {
    const char *service, *suffix;
} sl_tables[] = {
    {"cloudtrail", "cloud_trail_mgmt"},
    {"cloudtrail_s3", "s3_data"},
    {"cloudtrail_lambda", "lambda_execution"},
    {"route53", "route53"},
    {"security_hub", "sh_findings"},
    {"vpc_flow_logs", "vpc_flow"},
    {"waf", "waf"},
    {"eks_audit", "eks_audit"},
};

pipeline *pl_builtin(pipeline_set *ps, const char *name)
{
    if (strcmp(name, "athena_security_lake_table_name") != 0)
        return NULL;
    arena *a = ps->a;
    pipeline *p = arena_alloc(a, sizeof *p);
    p->name = "athena map source to table name pipeline";
    p->sortkey = "athena_security_lake_table_name";
    p->priority = 20;
    p->builtin = true;
    size_t n = sizeof sl_tables / sizeof sl_tables[0];
    p->items = arena_alloc(a, sizeof *p->items * n);
    pvar *defs = arena_alloc(a, sizeof *defs);
    defs[0].name = "backend_aws_table_version";
    defs[0].text = "2_0";
    for (size_t i = 0; i < n; i++) {
        pitem *it = arena_alloc(a, sizeof *it);
        it->type = T_SET_STATE;
        it->file = "athena_security_lake_table_name";
        it->id = arena_printf(a, "athena_security_lake_table_name_%s", sl_tables[i].service);
        pcond *c = arena_alloc(a, sizeof *c);
        c->type = C_LOGSOURCE;
        c->kind = CK_RULE;
        c->ls.product = "aws";
        c->ls.service = sl_tables[i].service;
        it->rc.c = arena_alloc(a, sizeof *it->rc.c);
        it->rc.c[0] = c;
        it->rc.n = 1;
        it->key = "table_name";
        ynode *v = arena_alloc(a, sizeof *v);
        v->kind = YN_SCALAR;
        v->u.s.type = YT_STR;
        v->u.s.text = arena_printf(a, "amazon_security_lake_table_{backend_aws_table_region}_%s_{backend_aws_table_version}",
                                   sl_tables[i].suffix);
        v->u.s.len = strlen(v->u.s.text);
        it->val = v;
        it->defaults = defs;
        it->ndefaults = 1;
        it->dash_to_underscore = true;
        it->hint = "athena_security_lake_table_name needs the AWS region of the Security Lake tables";
        p->items[p->nitems++] = it;
    }
    return p;
}
