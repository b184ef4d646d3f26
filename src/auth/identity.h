// Identity: who is calling, once authenticated.
#pragma once

#include <string>

namespace wharf {

struct Identity {
  std::string user;
  bool admin = false;
};

}  // namespace wharf
