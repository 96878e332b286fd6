/* `thidua key`: API keys from the command line, which is how the first
 * administrator key comes to exist. */
#ifndef THIDUA_CLI_KEY_H
#define THIDUA_CLI_KEY_H

/* thidua key create --role R [--scope ORG] --name TEXT
 * thidua key list
 * thidua key revoke ID */
int key_main(int argc, char **argv);

#endif
