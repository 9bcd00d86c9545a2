/* terraform.c - the format terraform: one aws_athena_named_query resource
 * (Terraform's AWS provider) per query, in HCL native syntax:
 *
 *     resource "aws_athena_named_query" "proc_creation_win_x" {
 *       name        = "<title>"            (" #2" ... for later queries)
 *       description = "<description>"      (when the rule has one)
 *       database    = "<athena_database>"
 *       workgroup   = "<athena_workgroup>" (when given)
 *       query       = "<query>"
 *     }
 *
 * separated by a blank line. Every string is an HCL quoted template with
 * ${ and %{ escaped (escape.c), so nothing in a rule is ever interpolated.
 * The resource name is the result's file key with every character other
 * than A-Z, a-z, 0-9, _ and - written _, a leading _ when it would start
 * with a digit or -, and _2, _3 ... for a rule's later queries. Resources
 * of one run have distinct names, so the files of `-o DIR/` form one
 * Terraform module. name and description are cut to Athena's 128 and 1,024
 * characters. */
#include <stdio.h>

#include "output.h"

static void tf_ident(sbuf *b, const char *key, size_t k, const out_options *o)
{
    (void)o;
    if (!((*key >= 'a' && *key <= 'z') || (*key >= 'A' && *key <= 'Z') || *key == '_'))
        sb_putc(b, '_');
    for (const char *p = key; *p; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        sb_putc(b, ok ? c : '_');
    }
    if (k)
        sb_printf(b, "_%zu", k + 1);
}

static const out_query_labels tf_labels = {
    .name = "  name        = ",
    .description = "\n  description = ",
    .database = "\n  database    = ",
    .workgroup = "\n  workgroup   = ",
    .query = "\n  query       = ",
};

static void tf_item(sbuf *b, const out_item *it, const out_options *o)
{
    if (it->index)
        sb_putc(b, '\n');
    sb_printf(b, "resource \"aws_athena_named_query\" \"%s\" {\n", it->name);
    out_named_query(b, it, o, &tf_labels, out_hcl_str);
    sb_puts(b, "\n}\n");
}

const out_format out_terraform = {
    .name = "terraform",
    .ext = ".tf",
    .description = "Terraform (HCL), an aws_athena_named_query resource per query",
    .deploy = true,
    .ident = tf_ident,
    .ident_sep = "_",
    .item = tf_item,
};
