/* cloudformation.c - the format cloudformation: an AWS CloudFormation
 * template (YAML) with one AWS::Athena::NamedQuery resource per query:
 *
 *     AWSTemplateFormatVersion: "2010-09-09"
 *     Description: "Sigma rules as Athena named queries"
 *     Resources:
 *       ProcCreationWinX:
 *         Type: "AWS::Athena::NamedQuery"
 *         Properties:
 *           Name: "<title>"                 (" #2" ... for later queries)
 *           Description: "<description>"    (when the rule has one)
 *           Database: "<athena_database>"
 *           WorkGroup: "<athena_workgroup>" (when given)
 *           QueryString: "<query>"
 *
 * Every string is a YAML double-quoted scalar (escape.c). The logical id is
 * the result's file key in CamelCase (only A-Za-z0-9, as CloudFormation
 * requires), with 2, 3 ... for a rule's later queries. Name and Description
 * are cut to the resource schema's 128 and 1,024 characters. The driver
 * keeps each template under 400 resources and 800,000 bytes (CloudFormation
 * allows 500 and 1,000,000 bytes from S3: the margin leaves room for what a
 * user adds, and keeps cfn-lint's "approaching the limit" notes away). */
#include "output.h"

static void cfn_ident(sbuf *b, const char *key, size_t k, const out_options *o)
{
    (void)o;
    size_t start = b->len;
    bool upper = true;
    for (const char *p = key; *p && b->len - start < 200; p++) {
        char c = *p;
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum) {
            upper = true;
            continue;
        }
        sb_putc(b, upper && c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c);
        upper = false;
    }
    if (b->len == start)
        sb_puts(b, "Rule");
    if (k)
        sb_printf(b, "%zu", k + 1);
}

static void cfn_begin(sbuf *b, const out_options *o)
{
    (void)o;
    sb_puts(b, "AWSTemplateFormatVersion: \"2010-09-09\"\n"
               "Description: \"Sigma rules as Athena named queries\"\n"
               "Resources:\n");
}

static const out_query_labels cfn_labels = {
    .name = "      Name: ",
    .description = "\n      Description: ",
    .database = "\n      Database: ",
    .workgroup = "\n      WorkGroup: ",
    .query = "\n      QueryString: ",
};

static void cfn_item(sbuf *b, const out_item *it, const out_options *o)
{
    sb_printf(b, "  %s:\n", it->name);
    sb_puts(b, "    Type: \"AWS::Athena::NamedQuery\"\n"
               "    Properties:\n");
    out_named_query(b, it, o, &cfn_labels, out_yaml_str);
    sb_putc(b, '\n');
}

const out_format out_cloudformation = {
    .name = "cloudformation",
    .ext = ".yml",
    .description = "CloudFormation template (YAML), an AWS::Athena::NamedQuery per query",
    .deploy = true,
    .max_items = 400,
    .max_bytes = 800000,
    .ident = cfn_ident,
    .ident_sep = "",
    .begin = cfn_begin,
    .item = cfn_item,
};
