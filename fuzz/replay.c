/* replay.c - runs a fuzz target over saved inputs without libFuzzer, so the
 * normal test suite replays the seeds and every crash ever found
 * (fuzz/regress/TARGET/).
 *
 *     replay_TARGET NAME PATH...     (a PATH is a file or a folder of them)
 *
 * The whole replay is one check: "fuzz-replay NAME: 1 passed, 0 failed"
 * when every input ran cleanly, "0 passed, 1 failed" when any input crashed,
 * leaked (under LeakSanitizer), could not be read, or when there was no
 * input at all. Each input runs in a child process, so a failure names the
 * input and the others still run. */
#define _DEFAULT_SOURCE /* struct dirent d_type */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/base.h"
#include "util/file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p)
        sigma_oom();
    return p;
}

/* Runs one input in a child; returns true if it exited 0. */
static bool run_file(const char *path)
{
    file_buf b = {0};
    int err = file_read(path, (size_t)1 << 30, &b);
    if (err) {
        fprintf(stderr, "%s: cannot read: %s\n", path, file_strerror(err));
        file_buf_free(&b);
        return false;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        file_buf_free(&b);
        return false;
    }
    if (pid == 0) {
        LLVMFuzzerTestOneInput((const uint8_t *)b.p, b.len);
        file_buf_free(&b);
        exit(0); /* exit, not _exit: LeakSanitizer checks at exit */
    }
    file_buf_free(&b);
    int status;
    if (waitpid(pid, &status, 0) != pid) {
        perror("waitpid");
        return false;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return true;
    if (WIFSIGNALED(status))
        fprintf(stderr, "%s: killed by signal %d\n", path, WTERMSIG(status));
    else
        fprintf(stderr, "%s: exit status %d\n", path, WEXITSTATUS(status));
    return false;
}

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "?";
    file_list inputs = {0};
    for (int i = 2; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
            file_walk(argv[i], "[!.]*", FILE_WALK_SKIP_HIDDEN, &inputs, NULL, NULL);
        else
            file_list_push(&inputs, xstrdup(argv[i]));
    }
    size_t failed = 0;
    for (size_t i = 0; i < inputs.n; i++)
        if (!run_file(inputs.v[i]))
            failed++;
    printf("fuzz-replay %s: %zu inputs, %zu failed\n", name, inputs.n, failed);
    bool ok = inputs.n > 0 && failed == 0;
    printf("fuzz-replay-%s: %d passed, %d failed\n", name, ok ? 1 : 0, ok ? 0 : 1);
    file_list_free(&inputs);
    return ok ? 0 : 1;
}
