// Kubernetes resource quantities ("500m", "2", "512Mi", "1G") parsed into integers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"

namespace wharf {

// CPU in millicores: "500m" -> 500, "2" -> 2000, "0.5" -> 500. Rejects negatives, sub-millicore
// precision and unknown suffixes with an `invalid` error naming `field`. Binary suffixes ("1Ki"), which
// Kubernetes would take, are refused too: in a cpu field they are always a memory value in the wrong place.
Result<int64_t> parse_cpu_millis(std::string_view text, std::string_view field);

// Memory in bytes: binary (Ki Mi Gi Ti Pi Ei) and decimal (k M G T P E) suffixes, plain bytes, and
// exponents ("1e9"). Rejects negatives, fractions of a byte and unknown suffixes, and the milli suffix
// ("512m" is 0.512 bytes to Kubernetes but always meant as megabytes).
Result<int64_t> parse_memory_bytes(std::string_view text, std::string_view field);

// Canonical text for a quantity, as Kubernetes would print it ("500m", "2", "512Mi", "1500000").
std::string format_cpu_millis(int64_t millis);
std::string format_memory_bytes(int64_t bytes);

}  // namespace wharf
