/* bin2c: a file as a C array, for building a file into a program.

     bin2c NAME IN OUT

   writes OUT, a header that defines

     static const unsigned char NAME[] = { ...the bytes of IN..., 0 };

   (sizeof NAME - 1 bytes of IN, then a terminating 0). An array, not a
   string literal: C99 compilers need not take literals over 4095 bytes.
   make runs it to build examples/server_page.html into build/server.
   Exit status 0, or 1 with a message on stderr (OUT is then removed). */
#include <stdio.h>
#include <string.h>

static int fail(const char *what, const char *path, FILE *in, FILE *out, const char *out_path) {
    fprintf(stderr, "bin2c: %s %s\n", what, path);
    if (in) fclose(in);
    if (out) { fclose(out); remove(out_path); }
    return 1;
}

int main(int argc, char **argv) {
    FILE *in, *out;
    unsigned long n = 0;
    int c;
    const char *p;
    if (argc != 4) { fprintf(stderr, "usage: bin2c NAME IN OUT\n"); return 1; }
    for (p = argv[1]; *p; p++)
        if (!(*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (p > argv[1] && *p >= '0' &&
              *p <= '9'))) {
            fprintf(stderr, "bin2c: '%s' is not a C identifier\n", argv[1]);
            return 1;
        }
    in = fopen(argv[2], "rb");
    if (!in) return fail("cannot read", argv[2], NULL, NULL, NULL);
    out = fopen(argv[3], "w");
    if (!out) return fail("cannot write", argv[3], in, NULL, NULL);
    fprintf(out, "/* %s, written by tools/bin2c.c from %s: do not edit. */\nstatic const unsigned char %s[] = {\n",
            argv[3], argv[2], argv[1]);
    while ((c = getc(in)) != EOF) {
        fprintf(out, "%s%d,", n % 24 == 0 ? (n ? "\n" : "") : " ", c);
        n++;
    }
    if (ferror(in)) return fail("cannot read", argv[2], in, out, argv[3]);
    fprintf(out, "%s0\n};\n", n ? "\n" : "");
    fclose(in);
    if (ferror(out) | fclose(out)) { remove(argv[3]); fprintf(stderr, "bin2c: cannot write %s\n", argv[3]); return 1; }
    return 0;
}
