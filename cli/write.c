/* write.c - the command's output files (write.h).
 *
 * Atomic means: a reader (or the next step of a deployment) sees either the
 * old state or the complete new one, never a file cut short and never some
 * files of a run without the others. Texts are first written to temporary
 * files in the same directory as their final place (mkstemp, so nothing is
 * overwritten while writing), closed and checked, and renamed only when
 * every one of them is written; a rename within one file system replaces
 * its target in one step. A new directory is built whole under a temporary
 * name and renamed once. Files get the usual mode, 0666 & ~umask (mkstemp
 * creates them 0600), directories 0777 & ~umask. */
#include "write.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/base.h"

static char *xprintf2(const char *a, const char *b, const char *c)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
    char *s = malloc(n);
    if (!s)
        sigma_oom();
    snprintf(s, n, "%s%s%s", a, b, c);
    return s;
}

static void cannot(const char *path, const char *what)
{
    fprintf(stderr, "%s: error: %s: %s\n", path, what, strerror(errno));
}

static mode_t umask_now(void)
{
    mode_t um = umask(0);
    umask(um);
    return um;
}

bool output_is_dir(const char *path)
{
    size_t n = strlen(path);
    struct stat st;
    return (n && path[n - 1] == '/') || (stat(path, &st) == 0 && S_ISDIR(st.st_mode));
}

/* Writes all of text to fd; false with errno set. */
static bool write_all(int fd, const char *text, size_t len)
{
    while (len) {
        ssize_t w = write(fd, text, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        text += w;
        len -= (size_t)w;
    }
    return true;
}

/* Writes text into a new file made from the template (ending in XXXXXX,
 * replaced in place). False after printing the error, with no file left;
 * `shown` is the path the error names. */
static bool stage(char *template, const char *text, size_t len, const char *shown)
{
    int fd = mkstemp(template);
    if (fd < 0) {
        cannot(shown, "cannot write");
        return false;
    }
    if (fchmod(fd, 0666 & ~umask_now()) != 0) {
        /* the file stays private: not worth failing the run */
    }
    bool ok = write_all(fd, text, len);
    if (close(fd) != 0)
        ok = false;
    if (!ok) {
        cannot(shown, "cannot write");
        unlink(template);
    }
    return ok;
}

bool stream_open(stream_out *o, const char *path)
{
    *o = (stream_out){.f = stdout};
    if (!path || strcmp(path, "-") == 0)
        return true;
    o->path = path;
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        /* a device or pipe (/dev/null, /dev/stdout): written directly */
        if ((o->f = fopen(path, "w")))
            return true;
        cannot(path, "cannot write");
        return false;
    }
    o->tmp = xprintf2(path, ".tmpXXXXXX", "");
    int fd = mkstemp(o->tmp);
    if (fd >= 0 && fchmod(fd, 0666 & ~umask_now()) != 0) {
        /* the file stays private: not worth failing the run */
    }
    if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
        cannot(path, "cannot write");
        if (fd >= 0) {
            close(fd);
            unlink(o->tmp);
        }
        free(o->tmp);
        o->tmp = NULL;
        return false;
    }
    return true;
}

int stream_write(void *ctx, const char *text, size_t len)
{
    stream_out *o = ctx;
    return fwrite(text, 1, len, o->f) == len ? 0 : -1;
}

bool stream_commit(stream_out *o)
{
    bool ok = true;
    if (o->tmp) {
        bool bad = ferror(o->f) != 0;
        if (fclose(o->f) != 0)
            bad = true;
        if (bad || rename(o->tmp, o->path) != 0) {
            cannot(o->path, "cannot write");
            unlink(o->tmp);
            ok = false;
        }
        free(o->tmp);
        o->tmp = NULL;
    } else if (o->f != stdout) {
        if (ferror(o->f) | fclose(o->f)) {
            cannot(o->path, "cannot write");
            ok = false;
        }
    } else if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "sigma: error writing output: %s\n", strerror(errno));
        ok = false;
    }
    return ok;
}

void stream_abort(stream_out *o)
{
    if (o->tmp) {
        fclose(o->f);
        unlink(o->tmp);
        free(o->tmp);
        o->tmp = NULL;
    } else if (o->f != stdout) {
        fclose(o->f);
    }
}

bool write_text(const char *path, const char *text, size_t len)
{
    stream_out o;
    if (!stream_open(&o, path))
        return false;
    if (stream_write(&o, text, len) != 0) {
        /* the error is seen (ferror) and reported by stream_commit */
    }
    return stream_commit(&o);
}

/* PATH with "-N" before the extension of its last component. */
static char *part_path(const char *path, size_t i)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base)
        dot = base + strlen(base);
    char num[32];
    snprintf(num, sizeof num, "-%zu", i);
    size_t head = (size_t)(dot - path);
    char *s = malloc(head + strlen(num) + strlen(dot) + 1);
    if (!s)
        sigma_oom();
    memcpy(s, path, head);
    strcpy(s + head, num);
    strcat(s, dot);
    return s;
}

bool write_parts(const char *path, const sigma_output_file *files, size_t n)
{
    char **final = calloc(n + 1, sizeof *final), **tmp = calloc(n + 1, sizeof *tmp);
    if (!final || !tmp)
        sigma_oom();
    bool ok = true;
    size_t staged = 0;
    for (; ok && staged < n; staged++) {
        final[staged] = part_path(path, staged + 1);
        tmp[staged] = xprintf2(final[staged], ".tmpXXXXXX", "");
        ok = stage(tmp[staged], files[staged].text, files[staged].len, final[staged]);
    }
    if (!ok)
        staged--; /* the last one left no file */
    for (size_t i = 0; ok && i < n; i++) {
        if (rename(tmp[i], final[i]) != 0) {
            cannot(final[i], "cannot write");
            ok = false;
        } else {
            free(tmp[i]);
            tmp[i] = NULL;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (tmp[i] && i < staged)
            unlink(tmp[i]);
        free(tmp[i]);
        free(final[i]);
    }
    free(tmp);
    free(final);
    return ok;
}

/* Removes the files names[0..n) of dir (those that are there) and dir. */
static void remove_staging(const char *dir, const sigma_output_file *files, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *p = xprintf2(dir, "/", files[i].name);
        unlink(p);
        free(p);
    }
    rmdir(dir);
}

/* Writes every file into the (new, empty) directory staging. */
static bool fill(const char *staging, const char *dir, const sigma_output_file *files, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *p = xprintf2(staging, "/", files[i].name);
        int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0666);
        bool ok = fd >= 0 && write_all(fd, files[i].text, files[i].len);
        if (fd >= 0 && close(fd) != 0)
            ok = false;
        free(p);
        if (!ok) {
            char *shown = xprintf2(dir, "/", files[i].name);
            cannot(shown, "cannot write");
            free(shown);
            return false;
        }
    }
    return true;
}

/* A new directory: built beside it, renamed into place. */
static int new_dir(const char *dir, const sigma_output_file *files, size_t n)
{
    char *staging = xprintf2(dir, ".tmpXXXXXX", "");
    if (!mkdtemp(staging)) {
        cannot(dir, "cannot create the directory");
        free(staging);
        return EXIT_RULES;
    }
    int rc = 0;
    if (!fill(staging, dir, files, n) || chmod(staging, 0777 & ~umask_now()) != 0) {
        rc = EXIT_RULES;
    } else if (rename(staging, dir) != 0) {
        cannot(dir, "cannot create the directory");
        rc = EXIT_RULES;
    }
    if (rc)
        remove_staging(staging, files, n);
    free(staging);
    return rc;
}

/* Which files of an existing directory are there already; EXIT_USAGE when
 * some are and force is not set, EXIT_RULES when one cannot be replaced. */
static int check_existing(const char *dir, const sigma_output_file *files, size_t n, bool force, bool *existed)
{
    size_t found = 0;
    const char *first = NULL;
    for (size_t i = 0; i < n; i++) {
        char *p = xprintf2(dir, "/", files[i].name);
        struct stat st;
        existed[i] = lstat(p, &st) == 0;
        if (existed[i] && S_ISDIR(st.st_mode)) {
            fprintf(stderr, "%s: error: cannot replace a directory with an output file\n", p);
            free(p);
            return EXIT_RULES;
        }
        free(p);
        if (existed[i] && !found++)
            first = files[i].name;
    }
    if (found && !force) {
        fprintf(stderr,
                "Usage: sigma convert [OPTIONS] ...\nTry 'sigma convert --help' for help.\n\n"
                "Error: %s/%s exists (%zu of the %zu output files exist in %s); --force overwrites them.\n",
                dir, first, found, n, dir);
        return EXIT_USAGE;
    }
    return 0;
}

/* An existing directory: files written into a hidden staging folder inside
 * it, then renamed into place one by one. */
static int existing_dir(const char *dir, const sigma_output_file *files, size_t n, bool force)
{
    bool *existed = calloc(n + 1, sizeof *existed);
    if (!existed)
        sigma_oom();
    int rc = check_existing(dir, files, n, force, existed);
    char *staging = xprintf2(dir, "/.sigma-tmpXXXXXX", "");
    if (!rc && !mkdtemp(staging)) {
        cannot(dir, "cannot write into the directory");
        rc = EXIT_RULES;
    } else if (!rc) {
        if (!fill(staging, dir, files, n))
            rc = EXIT_RULES;
        size_t moved = 0;
        for (; !rc && moved < n; moved++) {
            char *from = xprintf2(staging, "/", files[moved].name), *to = xprintf2(dir, "/", files[moved].name);
            if (rename(from, to) != 0) {
                cannot(to, "cannot write");
                rc = EXIT_RULES;
            }
            free(from);
            free(to);
        }
        if (rc) /* take back the new files already moved; replaced ones are gone */
            for (size_t i = 0; i + 1 < moved; i++)
                if (!existed[i]) {
                    char *to = xprintf2(dir, "/", files[i].name);
                    unlink(to);
                    free(to);
                }
        remove_staging(staging, files, n);
    }
    free(staging);
    free(existed);
    return rc;
}

int write_dir(const char *path, const sigma_output_file *files, size_t n, bool force)
{
    /* the directory without its trailing slashes ("/" stays) */
    char *dir = xprintf2(path, "", "");
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        dir[--len] = 0;
    struct stat st;
    int rc;
    if (stat(dir, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            rc = existing_dir(dir, files, n, force);
        } else {
            fprintf(stderr, "%s: error: not a directory\n", dir);
            rc = EXIT_RULES;
        }
    } else if (errno == ENOENT) {
        rc = new_dir(dir, files, n);
    } else {
        cannot(dir, "cannot write");
        rc = EXIT_RULES;
    }
    free(dir);
    return rc;
}
