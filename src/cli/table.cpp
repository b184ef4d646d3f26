#include "cli/table.h"

#include <algorithm>
#include <cstdlib>

namespace wharf::cli {
namespace {

constexpr std::string_view kSeparator = "   ";

// Decodes the UTF-8 sequence at text[i]; advances i. Malformed bytes count as one code point each so
// that a bad byte from the server costs one column instead of desynchronising the table.
char32_t next_code_point(std::string_view text, size_t& i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  size_t extra = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
  if (i + extra >= text.size()) extra = 0;  // a truncated sequence: the lead byte alone
  char32_t cp = extra == 0 ? lead : lead & (0x3F >> extra);
  for (size_t k = 1; k <= extra; ++k) cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
  i += extra + 1;
  return cp;
}

bool is_wide(char32_t cp) {
  return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
         (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
         (cp >= 0x20000 && cp <= 0x3FFFD);
}

void pad(std::ostream& out, size_t n) {
  for (size_t i = 0; i < n; ++i) out.put(' ');
}

}  // namespace

size_t display_width(std::string_view text) {
  size_t width = 0;
  for (size_t i = 0; i < text.size();) width += is_wide(next_code_point(text, i)) ? 2 : 1;
  return width;
}

std::string cell(std::string_view text) {
  if (text.empty()) return "-";
  std::string out(text);
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) c = ' ';
  }
  return out;
}

std::string preview(std::string_view text, size_t columns) {
  std::string whole = cell(text);
  if (display_width(whole) <= columns) return whole;
  constexpr std::string_view kEllipsis = "...";
  const size_t room = columns > kEllipsis.size() ? columns - kEllipsis.size() : 0;
  size_t width = 0, end = 0;
  for (size_t i = 0; i < whole.size();) {
    width += is_wide(next_code_point(whole, i)) ? 2 : 1;
    if (width > room) break;
    end = i;
  }
  return whole.substr(0, end) + std::string(kEllipsis);
}

Table::Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

void Table::add_row(std::vector<std::string> cells) {
  if (cells.size() > headers_.size()) std::abort();  // a verb built a row that does not fit its header
  cells.resize(headers_.size(), "-");
  for (auto& c : cells) c = cell(c);
  rows_.push_back(std::move(cells));
}

void Table::print(std::ostream& out) const {
  std::vector<size_t> widths(headers_.size());
  for (size_t c = 0; c < headers_.size(); ++c) {
    widths[c] = display_width(headers_[c]);
    for (const auto& row : rows_) widths[c] = std::max(widths[c], display_width(row[c]));
  }
  auto print_row = [&](const std::vector<std::string>& row) {
    for (size_t c = 0; c < row.size(); ++c) {
      out << row[c];
      if (c + 1 < row.size()) {
        pad(out, widths[c] - display_width(row[c]));
        out << kSeparator;
      }
    }
    out << '\n';
  };
  print_row(headers_);
  for (const auto& row : rows_) print_row(row);
}

void print_fields(std::ostream& out, const std::vector<std::pair<std::string, std::string>>& fields) {
  size_t width = 0;
  for (const auto& [key, _] : fields) width = std::max(width, display_width(key) + 1);
  for (const auto& [key, value] : fields) {
    out << key << ':';
    pad(out, width - display_width(key) - 1 + 2);
    out << cell(value) << '\n';
  }
}

}  // namespace wharf::cli
