/* file.c - the one file reader and directory walker (file.h). */
#define _DEFAULT_SOURCE /* struct dirent d_type */
#include "file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base.h"
#include "limits.h"

void file_buf_free(file_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* Room for want bytes plus the NUL; the buffer doubles from 64 KiB. */
static void reserve(file_buf *b, size_t want)
{
    b->p = sigma_grow(b->p, &b->cap, want + 1, 64 * 1024);
}

int file_read(const char *path, size_t limit, file_buf *b)
{
    b->len = 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return errno;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return e;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return FILE_ENOTREG;
    }
    size_t size = (size_t)st.st_size;
    if (size > limit) {
        close(fd);
        b->len = size;
        return FILE_ETOOBIG;
    }
    reserve(b, size);
    size_t got = 0;
    int err = 0;
    while (got < size) {
        ssize_t k = read(fd, b->p + got, size - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            err = errno;
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    close(fd);
    if (err)
        return err;
    if (got != size)
        return FILE_ESHORT;
    b->p[size] = 0;
    b->len = size;
    return 0;
}

int file_read_stream(FILE *f, file_buf *b)
{
    b->len = 0;
    errno = 0;
    for (;;) {
        reserve(b, b->len + 64 * 1024);
        size_t k = fread(b->p + b->len, 1, b->cap - 1 - b->len, f);
        b->len += k;
        if (k == 0)
            break;
    }
    b->p[b->len] = 0;
    return !ferror(f) ? 0 : errno ? errno : EIO;
}

const char *file_strerror(int err)
{
    switch (err) {
    case FILE_ENOTREG: return "not a regular file";
    case FILE_ESHORT: return "read error";
    case FILE_ETOOBIG: return "file too large";
    default: return strerror(err);
    }
}

void file_list_push(file_list *l, char *path)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v)
            sigma_oom();
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = path;
}

void file_list_free(file_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

/* fnmatch(pattern, name, 0), with a fast path for the usual "*.yml": a
 * star and a literal suffix is a suffix test. */
static bool name_matches(const char *pattern, const char *name)
{
    if (pattern[0] == '*' && !strpbrk(pattern + 1, "*?[\\")) {
        size_t pl = strlen(pattern + 1), nl = strlen(name);
        return nl >= pl && memcmp(name + nl - pl, pattern + 1, pl) == 0;
    }
    return fnmatch(pattern, name, 0) == 0;
}

typedef struct walker {
    const char *pattern;
    unsigned flags;
    file_list *out;
    file_walk_error onerr;
    void *ctx;
} walker;

static char *join(const char *dir, size_t dl, const char *name)
{
    size_t nl = strlen(name);
    char *p = malloc(dl + nl + 2);
    if (!p)
        sigma_oom();
    memcpy(p, dir, dl);
    p[dl] = '/';
    memcpy(p + dl + 1, name, nl + 1);
    return p;
}

static void walk(walker *w, const char *dir, int depth)
{
    if (depth > SIGMA_MAX_DIR_DEPTH) {
        if (w->onerr) /* most likely a symbolic-link loop */
            w->onerr(w->ctx, dir, ELOOP);
        return;
    }
    DIR *d = opendir(dir);
    if (!d) {
        if (w->onerr)
            w->onerr(w->ctx, dir, errno);
        return;
    }
    size_t dl = strlen(dir);
    if (dl && dir[dl - 1] == '/')
        dl--;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *name = e->d_name;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
            continue;
        if ((w->flags & FILE_WALK_SKIP_HIDDEN) && name[0] == '.')
            continue;
        /* the entry type saves a stat() per file; links and unknown types
         * are stat()ed (followed) */
        bool is_dir = false, is_reg = false;
#if defined(DT_DIR) && defined(DT_REG)
        is_dir = e->d_type == DT_DIR;
        is_reg = e->d_type == DT_REG;
        if (is_reg && !name_matches(w->pattern, name))
            continue;
#endif
        char *p = join(dir, dl, name);
        if (!is_dir && !is_reg) {
            struct stat st;
            if (stat(p, &st) != 0) {
                /* reported: a dangling link that would have been read, and
                 * a link loop (whatever its name) */
                int err = errno;
                if (w->onerr && (err == ELOOP || name_matches(w->pattern, name)))
                    w->onerr(w->ctx, p, err);
                free(p);
                continue;
            }
            is_dir = S_ISDIR(st.st_mode);
            is_reg = S_ISREG(st.st_mode);
        }
        if (is_dir) {
            walk(w, p, depth + 1);
            free(p);
        } else if (is_reg && name_matches(w->pattern, name)) {
            file_list_push(w->out, p);
        } else {
            free(p);
        }
    }
    closedir(d);
}

static int cmp_path(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void file_walk(const char *dir, const char *pattern, unsigned flags, file_list *out, file_walk_error onerr,
               void *ctx)
{
    walker w = {pattern, flags, out, onerr, ctx};
    size_t first = out->n;
    walk(&w, dir, 0);
    if (out->n - first > 1)
        qsort(out->v + first, out->n - first, sizeof *out->v, cmp_path);
}
