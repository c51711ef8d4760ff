/*
 * main.c — internpris: the yearly price list of the contact-centre services.
 * Everything happens in cli.c; main only hands over the arguments.
 */
#include "cli.h"

int main(int argc, char **argv)
{
    return ip_cli_main(argc, argv);
}
