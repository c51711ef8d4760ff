/*
 * cli.h — the command line: option table, parsing, and the commands.
 *
 *   internpris run   --year Y [--input ROOT] [--output ROOT] [--dry-run] …
 *   internpris check --year Y [--input ROOT] [--output ROOT]
 *   internpris --help | --version
 *
 * ip_cli_main returns the process exit status (sysexits.h).
 */
#ifndef IP_CLI_H
#define IP_CLI_H

int ip_cli_main(int argc, char **argv);

#endif /* IP_CLI_H */
