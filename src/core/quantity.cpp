#include "core/quantity.h"

#include <algorithm>
#include <iterator>
#include <limits>
#include <optional>
#include <string>

namespace wharf {

namespace {

using u128 = unsigned __int128;

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
// Beyond this many significant digits no int64 amount of bytes or millicores can be meant exactly.
constexpr size_t kMaxSignificantDigits = 36;
// Exponents past this are overflow or fractions anyway; capping keeps the arithmetic small.
constexpr int64_t kExponentCap = 100000;

enum class SuffixKind { kNone, kDecimal, kBinary, kExponent, kMilli };

// A quantity split as Kubernetes' grammar reads it: sign, significant digits, a power of ten and a power
// of two (binary suffixes).
struct Parsed {
  bool negative = false;
  std::string digits;  // significant digits, no leading or trailing zeros; empty means zero
  int64_t exp10 = 0;
  int exp2 = 0;
  SuffixKind suffix = SuffixKind::kNone;
  std::string_view number;  // the text before the suffix, for messages
};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Reads <signedNumber><suffix>; nullopt when the text does not follow the grammar.
std::optional<Parsed> parse_grammar(std::string_view text) {
  Parsed p;
  size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) p.negative = text[i++] == '-';
  std::string all;
  int64_t frac_digits = 0;
  bool seen_digit = false;
  for (; i < text.size() && is_digit(text[i]); ++i) {
    all += text[i];
    seen_digit = true;
  }
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && is_digit(text[i]); ++i) {
      all += text[i];
      ++frac_digits;
      seen_digit = true;
    }
  }
  if (!seen_digit) return std::nullopt;
  p.number = text.substr(0, i);

  std::string_view suffix = text.substr(i);
  static constexpr std::string_view kBinary[] = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
  static constexpr std::string_view kDecimal = "kMGTPE";
  if (suffix.empty()) {
    p.suffix = SuffixKind::kNone;
  } else if (suffix == "m") {
    p.suffix = SuffixKind::kMilli;
    p.exp10 = -3;
  } else if (suffix.size() == 1 && kDecimal.find(suffix[0]) != std::string_view::npos) {
    p.suffix = SuffixKind::kDecimal;
    p.exp10 = 3 * (static_cast<int64_t>(kDecimal.find(suffix[0])) + 1);
  } else if (auto bin = std::find(std::begin(kBinary), std::end(kBinary), suffix); bin != std::end(kBinary)) {
    p.suffix = SuffixKind::kBinary;
    p.exp2 = 10 * static_cast<int>(bin - std::begin(kBinary) + 1);
  } else if (suffix.size() > 1 && (suffix[0] == 'e' || suffix[0] == 'E')) {
    // "1E" alone is exa (handled above) and "1Ei" binary; "1E3" is an exponent, as in Kubernetes.
    size_t j = 1;
    bool neg = false;
    if (j < suffix.size() && (suffix[j] == '+' || suffix[j] == '-')) neg = suffix[j++] == '-';
    if (j == suffix.size()) return std::nullopt;
    int64_t e = 0;
    for (; j < suffix.size(); ++j) {
      if (!is_digit(suffix[j])) return std::nullopt;
      e = std::min(kExponentCap, e * 10 + (suffix[j] - '0'));
    }
    p.suffix = SuffixKind::kExponent;
    p.exp10 = neg ? -e : e;
  } else {
    return std::nullopt;
  }

  // Normalise to significant digits so the size check below means something.
  size_t first = all.find_first_not_of('0');
  if (first == std::string::npos) return p;  // zero
  size_t last = all.find_last_not_of('0');
  p.exp10 += static_cast<int64_t>(all.size() - 1 - last) - frac_digits;
  p.digits = all.substr(first, last - first + 1);
  return p;
}

enum class Exact { kOk, kFraction, kOverflow, kTooManyDigits };

// digits * 10^exp10 * 2^exp2 as an int64, exactly, or why not.
Exact to_int64(const Parsed& p, int64_t exp10, int64_t* out) {
  *out = 0;
  if (p.digits.empty()) return Exact::kOk;
  if (p.digits.size() > kMaxSignificantDigits) {
    return static_cast<int64_t>(p.digits.size()) + exp10 > 19 ? Exact::kOverflow : Exact::kTooManyDigits;
  }
  u128 m = 0;
  for (char c : p.digits) m = m * 10 + static_cast<unsigned>(c - '0');
  int64_t twos = p.exp2;
  if (exp10 < 0) {
    // Dividing by 10^k: the fives must come from the digits, the twos from the digits or the suffix.
    for (int64_t k = 0; k < -exp10; ++k) {
      if (m % 5 != 0) return Exact::kFraction;
      m /= 5;
    }
    twos += exp10;
    for (; twos < 0; ++twos) {
      if (m % 2 != 0) return Exact::kFraction;
      m /= 2;
    }
  } else {
    for (int64_t k = 0; k < exp10; ++k) {
      m *= 10;
      if (m > static_cast<u128>(kInt64Max)) return Exact::kOverflow;
    }
  }
  for (; twos > 0; --twos) {
    m *= 2;
    if (m > static_cast<u128>(kInt64Max)) return Exact::kOverflow;
  }
  if (m > static_cast<u128>(kInt64Max)) return Exact::kOverflow;
  *out = static_cast<int64_t>(m);
  return Exact::kOk;
}

// "resources.memory" -> "memory": messages name the thing, the field carries the path.
std::string label_of(std::string_view field) {
  if (field.empty()) return "quantity";
  size_t dot = field.rfind('.');
  return std::string(dot == std::string_view::npos ? field : field.substr(dot + 1));
}

std::string quoted(std::string_view s) {
  constexpr size_t kShown = 60;
  if (s.size() <= kShown) return "\"" + std::string(s) + "\"";
  return "\"" + std::string(s.substr(0, kShown)) + "...\"";
}

// Magnitude of v as text, with a sign; safe for INT64_MIN.
std::string signed_text(int64_t v, uint64_t* magnitude) {
  *magnitude = v < 0 ? static_cast<uint64_t>(-(v + 1)) + 1 : static_cast<uint64_t>(v);
  return v < 0 ? "-" : "";
}

}  // namespace

Result<int64_t> parse_cpu_millis(std::string_view text, std::string_view field) {
  const std::string f(field), what = label_of(field) + " " + quoted(text);
  if (text.empty()) {
    return fail(Error::invalid(f, label_of(field) + " must not be empty; use cores such as 2 or 0.5, or "
                                                    "millicores such as 500m"));
  }
  auto p = parse_grammar(text);
  if (!p) {
    return fail(Error::invalid(f, what +
                                      " is not a valid quantity: use cores such as 2 or 0.5, or millicores "
                                      "such as 500m"));
  }
  if (p->suffix == SuffixKind::kBinary) {
    // Kubernetes would accept "1Ki" CPUs, but it is always a memory value typed into the wrong field.
    return fail(Error::invalid(f, what + " uses a memory suffix; write cores such as 2 or 0.5, or millicores "
                                         "such as 500m"));
  }
  if (p->negative && !p->digits.empty()) return fail(Error::invalid(f, what + " must not be negative"));
  int64_t millis = 0;
  switch (to_int64(*p, p->exp10 + 3, &millis)) {
    case Exact::kOk:
      return millis;
    case Exact::kFraction:
      return fail(Error::invalid(f, what + " is finer than one millicore; use whole millicores such as 1m"));
    case Exact::kOverflow:
      return fail(Error::invalid(f, what + " is too large"));
    case Exact::kTooManyDigits:
      break;
  }
  return fail(Error::invalid(f, what + " has too many digits; use millicores such as 500m"));
}

Result<int64_t> parse_memory_bytes(std::string_view text, std::string_view field) {
  const std::string f(field), what = label_of(field) + " " + quoted(text);
  if (text.empty()) {
    return fail(Error::invalid(f, label_of(field) + " must not be empty; use a number with a suffix such as "
                                                    "512Mi or 1Gi"));
  }
  auto p = parse_grammar(text);
  if (!p) {
    return fail(Error::invalid(f, what + " is not a valid quantity: use a number with a suffix such as 512Mi "
                                         "or 1Gi"));
  }
  if (p->suffix == SuffixKind::kMilli) {
    // Valid Kubernetes (thousandths of a byte) but never what anyone means.
    const std::string n(p->number);
    return fail(Error::invalid(f, what + " means thousandths of a byte; write " + n + "Mi for mebibytes or " +
                                      n + "M for megabytes"));
  }
  if (p->negative && !p->digits.empty()) return fail(Error::invalid(f, what + " must not be negative"));
  int64_t bytes = 0;
  switch (to_int64(*p, p->exp10, &bytes)) {
    case Exact::kOk:
      return bytes;
    case Exact::kFraction:
      return fail(Error::invalid(f, what +
                                        " is not a whole number of bytes; use whole units such as 300Ki or "
                                        "512Mi"));
    case Exact::kOverflow:
      return fail(Error::invalid(f, what + " is too large; the most is just under 8Ei"));
    case Exact::kTooManyDigits:
      break;
  }
  return fail(Error::invalid(f, what + " has too many digits; use a number with a suffix such as 512Mi"));
}

std::string format_cpu_millis(int64_t millis) {
  uint64_t m = 0;
  std::string out = signed_text(millis, &m);
  if (m % 1000 != 0) return out + std::to_string(m) + "m";
  // Whole cores: the largest decimal suffix that keeps the number whole, as Kubernetes prints it.
  uint64_t cores = m / 1000;
  static constexpr std::string_view kSuffix[] = {"", "k", "M", "G", "T", "P", "E"};
  size_t s = 0;
  while (cores != 0 && cores % 1000 == 0 && s + 1 < std::size(kSuffix)) cores /= 1000, ++s;
  return out + std::to_string(cores) + std::string(kSuffix[s]);
}

std::string format_memory_bytes(int64_t bytes) {
  uint64_t b = 0;
  std::string out = signed_text(bytes, &b);
  // Kubernetes prints binary quantities with the largest power of 1024 that divides them, and plain bytes
  // below 1Ki or when none does.
  static constexpr std::string_view kSuffix[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
  size_t s = 0;
  while (b >= 1024 && b % 1024 == 0 && s + 1 < std::size(kSuffix)) b /= 1024, ++s;
  return out + std::to_string(b) + std::string(kSuffix[s]);
}

}  // namespace wharf
