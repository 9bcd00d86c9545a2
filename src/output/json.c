/* json.c - the formats json (one array, an object per result) and jsonl
 * (one object per line, for streaming). Both write the same object:
 *
 *   {"file", "id", "title", "type", "queries" | "error", "warnings" (only
 *    when there are any), "level", "status", "description", "author",
 *    "date", "modified", "tags", "attack": {"techniques", "tactics":
 *    [{"id", "name"}]}, "logsource": {"category", "product", "service",
 *    "definition"} | null, "references", "falsepositives"}
 *
 * in that key order: the keys up to "warnings" are those of the first
 * version, byte for byte; the metadata keys follow them, always present
 * (null or [] when the rule does not give them). A rule pack (sigma_packs)
 * is {"file", "title", "type": "pack", "table", "rules", "queries"}. */
#include <stdio.h>

#include "output.h"

static void str_list(sbuf *b, const char *const *v, size_t n)
{
    sb_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_puts(b, ", ");
        out_json_str(b, v[i]);
    }
    sb_putc(b, ']');
}

static void diag_object(sbuf *b, const sigma_diag *d)
{
    sb_puts(b, "{\"message\": ");
    out_json_str(b, d->message);
    sb_printf(b, ", \"line\": %u, \"column\": %u}", d->line, d->column);
}

static void key_str(sbuf *b, const char *key, const char *value)
{
    sb_printf(b, ", \"%s\": ", key);
    out_json_str(b, value);
}

static void metadata(sbuf *b, const sigma_result *r)
{
    key_str(b, "level", r->level);
    key_str(b, "status", r->status);
    key_str(b, "description", r->description);
    key_str(b, "author", r->author);
    key_str(b, "date", r->date);
    key_str(b, "modified", r->modified);
    sb_puts(b, ", \"tags\": ");
    str_list(b, r->tags, r->ntags);
    sb_puts(b, ", \"attack\": {\"techniques\": ");
    str_list(b, r->attack_techniques, r->nattack_techniques);
    sb_puts(b, ", \"tactics\": [");
    for (size_t i = 0; i < r->nattack_tactics; i++) {
        sb_puts(b, i ? ", {\"id\": " : "{\"id\": ");
        out_json_str(b, r->attack_tactics[i].id);
        sb_puts(b, ", \"name\": ");
        out_json_str(b, r->attack_tactics[i].name);
        sb_putc(b, '}');
    }
    sb_puts(b, "]}, \"logsource\": ");
    if (r->logsource) {
        sb_puts(b, "{\"category\": ");
        out_json_str(b, r->logsource->category);
        key_str(b, "product", r->logsource->product);
        key_str(b, "service", r->logsource->service);
        key_str(b, "definition", r->logsource->definition);
        sb_putc(b, '}');
    } else {
        sb_puts(b, "null");
    }
    sb_puts(b, ", \"references\": ");
    str_list(b, r->references, r->nreferences);
    sb_puts(b, ", \"falsepositives\": ");
    str_list(b, r->falsepositives, r->nfalsepositives);
}

/* A pack: {"file", "title", "type": "pack", "table", "rules", "queries"}. */
static void pack_object(sbuf *b, const sigma_result *r)
{
    sb_puts(b, "{\"file\": ");
    out_json_str(b, r->file);
    key_str(b, "title", r->title);
    key_str(b, "type", sigma_result_type_name(r->type));
    key_str(b, "table", r->table ? r->table : "<TABLE>");
    sb_puts(b, ", \"rules\": ");
    str_list(b, r->rules, r->nrules);
    sb_puts(b, ", \"queries\": ");
    str_list(b, r->queries, r->nqueries);
    sb_putc(b, '}');
}

void out_json_object(sbuf *b, const sigma_result *r)
{
    if (r->type == SIGMA_PACK) {
        pack_object(b, r);
        return;
    }
    sb_puts(b, "{\"file\": ");
    out_json_str(b, r->file);
    key_str(b, "id", r->id);
    key_str(b, "title", r->title);
    key_str(b, "type", sigma_result_type_name(r->type));
    if (r->error) {
        sb_puts(b, ", \"error\": ");
        diag_object(b, r->error);
    } else {
        sb_puts(b, ", \"queries\": ");
        str_list(b, r->queries, r->nqueries);
    }
    if (r->nwarnings) {
        sb_puts(b, ", \"warnings\": [");
        for (size_t k = 0; k < r->nwarnings; k++) {
            if (k)
                sb_puts(b, ", ");
            diag_object(b, &r->warnings[k]);
        }
        sb_putc(b, ']');
    }
    metadata(b, r);
    sb_putc(b, '}');
}

/* json: "[", each object on a line of its own after "\n" or ",\n", then
 * "\n]\n"; "[]\n" when there is no result. */
static void json_begin(sbuf *b, const out_options *o)
{
    (void)o;
    sb_putc(b, '[');
}

static void json_item(sbuf *b, const out_item *it, const out_options *o)
{
    (void)o;
    sb_puts(b, it->index ? ",\n" : "\n");
    out_json_object(b, it->res);
}

static void json_end(sbuf *b, size_t n, const out_options *o)
{
    (void)o;
    sb_puts(b, n ? "\n]\n" : "]\n");
}

const out_format out_json = {
    .name = "json",
    .ext = ".json",
    .description = "one JSON array, an object per rule with its queries or error and its metadata",
    .per_result = true,
    .begin = json_begin,
    .item = json_item,
    .end = json_end,
};

static void jsonl_item(sbuf *b, const out_item *it, const out_options *o)
{
    (void)o;
    out_json_object(b, it->res);
    sb_putc(b, '\n');
}

const out_format out_jsonl = {
    .name = "jsonl",
    .ext = ".jsonl",
    .description = "one JSON object per line, the objects of json",
    .per_result = true,
    .item = jsonl_item,
};
