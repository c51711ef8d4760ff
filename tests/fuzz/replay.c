/*
 * replay.c — runs a fuzz target's LLVMFuzzerTestOneInput over files, without
 * libFuzzer, so that ctest replays the stored corpus (seeds and every crash
 * the fuzzer found) with any compiler, in the sanitizer build too
 * (SQLite's test/fuzzcheck.c in miniature).
 *
 * Usage: fuzz_replay_<target> PATH... (files, or folders of files)
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char *data = NULL;
    size_t len = 0, alloc = 0, n;
    if (!f) {
        perror(path);
        return -1;
    }
    for (;;) {
        if (len == alloc) {
            alloc = alloc ? alloc * 2 : 4096;
            data = realloc(data, alloc);
            if (!data) {
                fprintf(stderr, "%s: out of memory\n", path);
                exit(1);
            }
        }
        n = fread(data + len, 1, alloc - len, f);
        if (n == 0)
            break;
        len += n;
    }
    if (ferror(f)) {
        perror(path);
        fclose(f);
        free(data);
        return -1;
    }
    fclose(f);
    /* an exact-size copy, so that a read past the end is caught */
    {
        unsigned char *exact = malloc(len ? len : 1);
        if (!exact)
            exit(1);
        memcpy(exact, data, len);
        free(data);
        LLVMFuzzerTestOneInput(exact, len);
        free(exact);
    }
    return 0;
}

int main(int argc, char **argv)
{
    int i, failed = 0;
    long files = 0;
    for (i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            perror(argv[i]);
            failed = 1;
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            DIR *dir = opendir(argv[i]);
            struct dirent *e;
            if (!dir) {
                perror(argv[i]);
                failed = 1;
                continue;
            }
            while ((e = readdir(dir)) != NULL) {
                char path[4096];
                if (e->d_name[0] == '.')
                    continue;
                snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
                if (run_file(path) != 0)
                    failed = 1;
                else
                    files++;
            }
            closedir(dir);
        } else if (run_file(argv[i]) != 0) {
            failed = 1;
        } else {
            files++;
        }
    }
    printf("replayed %ld inputs\n", files);
    if (files == 0) {
        fprintf(stderr, "no inputs found\n");
        return 1;
    }
    return failed;
}
