// wharf: the server and its command-line client in one binary.
#include <cstring>

#include "cli/cli.h"
#include "runtime/local/shim.h"

int main(int argc, char** argv) {
  // The local runtime's per-instance shim is this binary too; it must not go through the CLI.
  if (argc > 1 && std::strcmp(argv[1], wharf::local::kShimArgument) == 0)
    return wharf::local::shim_main(argc, argv);
  return wharf::cli::main(argc, argv);
}
