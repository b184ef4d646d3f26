// Aligned plain-text tables for people (`NAME   IMAGE   AGE`), and key/value detail lists.
#pragma once

#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace wharf::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> headers);

  // Adds one row; missing cells print as "-", extra cells are an invariant violation (aborts).
  void add_row(std::vector<std::string> cells);
  bool empty() const { return rows_.empty(); }

  // Writes the header and the rows, columns padded to their widest cell (in terminal columns, so that
  // CJK display names line up) and separated by three spaces. The last column is not padded.
  void print(std::ostream& out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// Writes "Key:   value" lines with the values aligned, for `get` verbs.
void print_fields(std::ostream& out, const std::vector<std::pair<std::string, std::string>>& fields);

// A cell safe for a terminal: control characters (newlines, escape sequences from the server) become
// spaces so that one value cannot break the table or drive the terminal. Empty text becomes "-".
std::string cell(std::string_view text);

// cell(text) cut to at most `columns` terminal columns, ending in "..." when something was cut: long
// values (config files, JSON documents) in a table column.
std::string preview(std::string_view text, size_t columns);

// Columns `text` takes on a terminal: 2 for East Asian wide characters, 1 for other code points.
size_t display_width(std::string_view text);

}  // namespace wharf::cli
