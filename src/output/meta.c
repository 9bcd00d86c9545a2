/* meta.c - a rule's metadata for its result (sigma_result level ...
 * attack_tactics), read from the rule's document as written.
 *
 * The document is the one the rule was built from (after `action: global`
 * and `repeat` merging), so the metadata is what the rule gives, before any
 * pipeline. It is read tolerantly, because a rule that failed validation
 * still has a result: a scalar gives its text (dates and numbers as
 * written), a list its scalar items, anything else nothing. The ATT&CK ids
 * are derived from the attack.* tags with the table below. */
#include <ctype.h>
#include <string.h>

#include "output.h"

/* The tactics of MITRE ATT&CK Enterprise v19 (April 2026), as listed on
 * https://attack.mitre.org/tactics/enterprise/ : short name (the Sigma tag
 * after "attack.", with "-" or "_" between words), id, name. v19 split
 * Defense Evasion in two: TA0005 kept its id under the name Stealth, and
 * Defense Impairment is the new TA0112; the older tag attack.defense-evasion
 * still names TA0005. */
static const struct {
    const char *tag, *id, *name;
} tactics[] = {
    {"reconnaissance", "TA0043", "Reconnaissance"},
    {"resource-development", "TA0042", "Resource Development"},
    {"initial-access", "TA0001", "Initial Access"},
    {"execution", "TA0002", "Execution"},
    {"persistence", "TA0003", "Persistence"},
    {"privilege-escalation", "TA0004", "Privilege Escalation"},
    {"stealth", "TA0005", "Stealth"},
    {"defense-evasion", "TA0005", "Stealth"},
    {"defense-impairment", "TA0112", "Defense Impairment"},
    {"credential-access", "TA0006", "Credential Access"},
    {"discovery", "TA0007", "Discovery"},
    {"lateral-movement", "TA0008", "Lateral Movement"},
    {"collection", "TA0009", "Collection"},
    {"command-and-control", "TA0011", "Command and Control"},
    {"exfiltration", "TA0010", "Exfiltration"},
    {"impact", "TA0040", "Impact"},
};
#define NTACTICS (sizeof tactics / sizeof tactics[0])

/* The text of a scalar that is not null, else NULL. */
static const char *scalar(const ynode *n)
{
    if (!n || n->kind != YN_SCALAR || n->u.s.type == YT_NULL)
        return NULL;
    return n->u.s.text;
}

/* The scalar items of a list (a lone scalar is a list of one). */
static const char *const *list(arena *a, const ynode *n, size_t *count)
{
    *count = 0;
    if (!n)
        return NULL;
    if (n->kind != YN_SEQ) {
        const char *s = scalar(n);
        if (!s)
            return NULL;
        const char **v = arena_alloc(a, sizeof *v);
        v[0] = s;
        *count = 1;
        return v;
    }
    const char **v = arena_alloc(a, sizeof *v * (n->u.seq.n + 1));
    for (size_t i = 0; i < n->u.seq.n; i++) {
        const char *s = scalar(n->u.seq.items[i]);
        if (s)
            v[(*count)++] = s;
    }
    return *count ? v : NULL;
}

/* "attack.t1059.001" -> "T1059.001": t, 4 digits, optionally a dot and 3
 * digits (any case). NULL for anything else. */
static const char *technique(arena *a, const char *tag)
{
    if (strncmp(tag, "attack.", 7) != 0 || (tag[7] != 't' && tag[7] != 'T'))
        return NULL;
    const char *p = tag + 8;
    for (int i = 0; i < 4; i++)
        if (!isdigit((unsigned char)p[i]))
            return NULL;
    if (p[4] == '.') {
        for (int i = 5; i < 8; i++)
            if (!isdigit((unsigned char)p[i]))
                return NULL;
        if (p[8])
            return NULL;
    } else if (p[4]) {
        return NULL;
    }
    char *t = arena_strdup(a, tag + 7);
    t[0] = 'T';
    return t;
}

/* The index in tactics[] of "attack.<tactic>" ("_" and "-" alike, any
 * case), or NTACTICS. */
static size_t tactic(const char *tag)
{
    if (strncmp(tag, "attack.", 7) != 0)
        return NTACTICS;
    const char *name = tag + 7;
    for (size_t k = 0; k < NTACTICS; k++) {
        const char *t = tactics[k].tag, *s = name;
        while (*t && *s && (tolower((unsigned char)*s) == *t || (*s == '_' && *t == '-'))) {
            t++;
            s++;
        }
        if (!*t && !*s)
            return k;
    }
    return NTACTICS;
}

static void attack_ids(arena *a, sigma_result *res)
{
    if (!res->ntags)
        return;
    const char **tech = arena_alloc(a, sizeof *tech * res->ntags);
    sigma_attack_tactic *tac = arena_alloc(a, sizeof *tac * res->ntags);
    size_t nt = 0, nc = 0;
    for (size_t i = 0; i < res->ntags; i++) {
        const char *tag = res->tags[i], *t = technique(a, tag);
        size_t k = t ? NTACTICS : tactic(tag);
        if (t) {
            size_t j = 0;
            while (j < nt && strcmp(tech[j], t) != 0)
                j++;
            if (j == nt)
                tech[nt++] = t;
        } else if (k < NTACTICS) {
            size_t j = 0;
            while (j < nc && strcmp(tac[j].id, tactics[k].id) != 0)
                j++;
            if (j == nc)
                tac[nc++] = (sigma_attack_tactic){tactics[k].id, tactics[k].name};
        }
    }
    res->attack_techniques = nt ? tech : NULL;
    res->nattack_techniques = nt;
    res->attack_tactics = nc ? tac : NULL;
    res->nattack_tactics = nc;
}

void out_meta_fill(arena *a, sigma_result *res, const srule *r)
{
    const ynode *doc = r->doc;
    if (!doc || doc->kind != YN_MAP)
        return;
    res->level = scalar(ymap_get(doc, "level"));
    res->status = scalar(ymap_get(doc, "status"));
    res->description = scalar(ymap_get(doc, "description"));
    res->author = scalar(ymap_get(doc, "author"));
    res->date = scalar(ymap_get(doc, "date"));
    res->modified = scalar(ymap_get(doc, "modified"));
    res->tags = list(a, ymap_get(doc, "tags"), &res->ntags);
    res->references = list(a, ymap_get(doc, "references"), &res->nreferences);
    res->falsepositives = list(a, ymap_get(doc, "falsepositives"), &res->nfalsepositives);
    const ynode *ls = ymap_get(doc, "logsource");
    if (ls && ls->kind == YN_MAP) {
        sigma_logsource *l = arena_alloc(a, sizeof *l);
        l->category = scalar(ymap_get(ls, "category"));
        l->product = scalar(ymap_get(ls, "product"));
        l->service = scalar(ymap_get(ls, "service"));
        l->definition = scalar(ymap_get(ls, "definition"));
        res->logsource = l;
    }
    attack_ids(a, res);
}
