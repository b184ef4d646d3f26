// The `Link` header registries use to paginate `_catalog` and `tags/list`:
//   Link: </v2/_catalog?last=b&n=2>; rel="next"
// Pure.
#pragma once

#include <string>
#include <string_view>

namespace wharf {

// The target of the rel="next" link ("/v2/_catalog?last=b&n=2"), or "" when there is none.
std::string next_link(std::string_view header);

}  // namespace wharf
