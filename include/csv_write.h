/*
 * csv_write.h — writing the ';'-separated files internpris produces
 * (fees.csv, ledger.csv, the record's register.csv). The reader (csv.h)
 * accepts everything this writes.
 */
#ifndef IP_CSV_WRITE_H
#define IP_CSV_WRITE_H

#include <stdio.h>

/* Writes one field of a ';'-separated file, quoted by RFC 4180 when it
 * holds ';', '"', CR or LF ("" for a quote inside). s is NUL-terminated
 * UTF-8; write errors show in ferror(f). */
void ip_csv_put_field(FILE *f, const char *s);

#endif /* IP_CSV_WRITE_H */
