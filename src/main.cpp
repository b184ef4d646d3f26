// wharf: the server and its command-line client in one binary.
#include "cli/cli.h"

int main(int argc, char** argv) {
  return wharf::cli::main(argc, argv);
}
