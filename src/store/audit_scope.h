// AuditScope: ties the audit record of one API call to the store write the call makes.
//
// While a scope is open on a thread, the first write transaction the store commits on that thread also
// appends the scope's record, so a change and its record are committed together or not at all. The
// dispatcher opens a scope around every mutating call, then appends the record on its own when the call
// wrote nothing (refused, invalid, failed). Scopes do not nest.
#pragma once

#include <cstdlib>
#include <utility>

#include "core/audit.h"

namespace wharf {

class AuditScope {
 public:
  explicit AuditScope(AuditRecord record) : record_(std::move(record)) {
    if (current_) std::abort();  // one call, one scope
    current_ = this;
  }
  ~AuditScope() { current_ = nullptr; }
  AuditScope(const AuditScope&) = delete;
  AuditScope& operator=(const AuditScope&) = delete;

  // The scope open on this thread, or nullptr.
  static AuditScope* current() { return current_; }

  AuditRecord& record() { return record_; }
  bool written() const { return written_; }
  // Called by the store once the transaction holding the record committed.
  void mark_written() { written_ = true; }

 private:
  AuditRecord record_;
  bool written_ = false;
  static inline thread_local AuditScope* current_ = nullptr;
};

}  // namespace wharf
