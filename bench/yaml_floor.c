/* yaml_floor.c - the libyaml floor for bench/run.sh.
 *
 * Reads every *.yml file under the given paths (files or directories,
 * walked recursively, like `sigma convert`) and runs libyaml's event parser
 * over each one, single-threaded, doing nothing with the events. Each file
 * is read with one read() into one buffer handed to libyaml whole, which is
 * the cheapest way to drive libyaml. Prints the number of files, bytes and
 * events on stdout (so the work cannot be optimised away); exit 1 if a file
 * cannot be read. Syntax errors are counted, not fatal.
 */
#define _XOPEN_SOURCE 700
#include <fcntl.h>
#include <fnmatch.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

static unsigned long nfiles, nerrors, nevents;
static unsigned long long nbytes;
static int io_failed;

static void parse_file(const char *path)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        perror(path);
        io_failed = 1;
        if (fd >= 0)
            close(fd);
        return;
    }
    size_t size = (size_t)st.st_size;
    unsigned char *buf = malloc(size + 1);
    ssize_t got = buf ? read(fd, buf, size) : -1;
    close(fd);
    if (got < 0 || (size_t)got != size) {
        perror(path);
        io_failed = 1;
        free(buf);
        return;
    }
    yaml_parser_t p;
    yaml_parser_initialize(&p);
    yaml_parser_set_input_string(&p, buf, size);
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            nerrors++;
            break;
        }
        nevents++;
        int end = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
        if (end)
            break;
    }
    yaml_parser_delete(&p);
    free(buf);
    nfiles++;
    nbytes += size;
}

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    if (type == FTW_F && fnmatch("*.yml", path + ftw->base, 0) == 0)
        parse_file(path);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("usage: yaml_floor PATH...\n", stderr);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
            nftw(argv[i], visit, 32, FTW_PHYS);
        else
            parse_file(argv[i]);
    }
    printf("%lu files, %llu bytes, %lu events, %lu with syntax errors\n", nfiles, nbytes, nevents, nerrors);
    return io_failed;
}
