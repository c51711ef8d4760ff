/*
 * csv_write.c — fields of the ';'-separated files internpris writes, quoted
 * by RFC 4180 where they need it, so that the reader (csv.c) and a
 * spreadsheet read back exactly the text that was written.
 */
#include "csv_write.h"

#include <string.h>

void ip_csv_put_field(FILE *f, const char *s)
{
    const char *p;
    if (!strpbrk(s, ";\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (p = s; *p; p++) {
        if (*p == '"')
            fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}
