#include "auth/ldap_directory.h"

#include <ldap.h>
#include <spdlog/spdlog.h>
#include <sys/time.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <mutex>
#include <set>
#include <vector>

namespace wharf {
namespace {

// One message for an unknown user and a wrong password: a caller must not be able to tell them apart.
constexpr const char* kBadCredentials = "wrong username or password";
constexpr size_t kMaxUsername = 256;

timeval to_timeval(std::chrono::milliseconds d) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(d.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((d.count() % 1000) * 1000);
  return tv;
}

// Codes that mean "the directory is not there or not answering" rather than "no".
bool is_unreachable(int rc) {
  return rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR || rc == LDAP_TIMEOUT || rc == LDAP_UNAVAILABLE ||
         rc == LDAP_BUSY || rc == LDAP_TIMELIMIT_EXCEEDED || rc == LDAP_LOCAL_ERROR ||
         rc == LDAP_ENCODING_ERROR || rc == LDAP_DECODING_ERROR || rc == LDAP_NO_MEMORY || rc == LDAP_OTHER;
}

// libldap's description of `rc`, with the server's or the TLS layer's diagnostic when there is one.
std::string describe(LDAP* ld, int rc) {
  std::string text = ldap_err2string(rc);
  if (ld != nullptr) {
    char* diagnostic = nullptr;
    if (ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diagnostic) == LDAP_OPT_SUCCESS &&
        diagnostic != nullptr) {
      std::string_view d(diagnostic);
      // libldap fills in "(unknown error code)" when the TLS layer gave no reason: no news.
      if (!d.empty() && d != "(unknown error code)" && d != text) text += " (" + std::string(d) + ")";
      ldap_memfree(diagnostic);
    }
  }
  return text;
}

bool valid_username(const std::string& username) {
  if (username.empty() || username.size() > kMaxUsername) return false;
  return std::none_of(username.begin(), username.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Closes a connection. The handle is freed whatever the result (a dead connection cannot say goodbye),
// so the result is deliberately not looked at.
void unbind(LDAP* ld) {
  if (ld != nullptr) (void)ldap_unbind_ext_s(ld, nullptr, nullptr);
}

// Frees a search result on every path.
struct MessageGuard {
  LDAPMessage* msg = nullptr;
  ~MessageGuard() {
    if (msg != nullptr) ldap_msgfree(msg);
  }
};

// The values of `attribute` in `entry`, as strings.
std::vector<std::string> values_of(LDAP* ld, LDAPMessage* entry, const std::string& attribute) {
  std::vector<std::string> out;
  if (attribute.empty()) return out;
  berval** values = ldap_get_values_len(ld, entry, attribute.c_str());
  if (values == nullptr) return out;
  for (berval** v = values; *v != nullptr; ++v) out.emplace_back((*v)->bv_val, (*v)->bv_len);
  ldap_value_free_len(values);
  return out;
}

// The value of the first RDN of `dn` ("cn=shop-devs,ou=groups,..." -> "shop-devs"); empty when `dn` does
// not parse.
std::string first_rdn_value(const std::string& dn) {
  LDAPDN parsed = nullptr;
  if (ldap_str2dn(dn.c_str(), &parsed, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS || parsed == nullptr) return {};
  std::string out;
  if (parsed[0] != nullptr && parsed[0][0] != nullptr)
    out.assign(parsed[0][0]->la_value.bv_val, parsed[0][0]->la_value.bv_len);
  ldap_dnfree(parsed);
  return out;
}

}  // namespace

std::string ldap_escape_filter_value(std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '*' || c == '(' || c == ')' || c == '\\' || c == '\0') {
      auto u = static_cast<unsigned char>(c);
      out += '\\';
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

std::string ldap_expand_filter(std::string_view filter, const std::map<std::string, std::string>& values) {
  std::string out;
  size_t i = 0;
  while (i < filter.size()) {
    if (filter[i] == '{') {
      auto close = filter.find('}', i);
      if (close != std::string_view::npos) {
        auto it = values.find(std::string(filter.substr(i + 1, close - i - 1)));
        if (it != values.end()) {
          out += ldap_escape_filter_value(it->second);
          i = close + 1;
          continue;
        }
      }
    }
    out += filter[i++];
  }
  return out;
}

std::string ldap_map_group(const LdapOptions& options, const std::string& name) {
  if (auto it = options.group_map.find(name); it != options.group_map.end()) return it->second;
  if (options.group_prefix.empty() || name.starts_with(options.group_prefix)) return name;
  return {};
}

struct LdapDirectory::Impl {
  const LdapOptions& options;

  // The service connection pool: idle connections, and how many exist (idle or lent).
  std::mutex pool_mu;
  std::condition_variable pool_cv;
  std::vector<LDAP*> idle;
  int open = 0;

  explicit Impl(const LdapOptions& o) : options(o) {}

  ~Impl() {
    for (LDAP* ld : idle) unbind(ld);
  }

  Error unreachable(LDAP* ld, int rc) const {
    const auto ms = options.timeout.count();
    if (rc == LDAP_TIMEOUT || rc == LDAP_TIMELIMIT_EXCEEDED)
      return Error::unavailable(
          "the directory server " + options.url + " did not answer within " +
          (ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms") + ": " +
          describe(ld, rc) + "; local accounts can still log in");
    // With ldaps:// a failed TLS handshake looks like a refused connection to libldap.
    std::string hint = options.url.find("ldaps://") != std::string::npos && rc == LDAP_SERVER_DOWN
                           ? " (or the TLS handshake failed: check that caFile holds the CA of the server's "
                             "certificate)"
                           : "";
    return Error::unavailable("the directory server " + options.url + " cannot be reached: " +
                              describe(ld, rc) + hint + "; local accounts can still log in");
  }

  // A new connection with the options applied and, when configured, TLS started. Not bound yet; the TCP
  // connection itself is made by the first operation (StartTLS or bind).
  Result<LDAP*> connect() const {
    LDAP* ld = nullptr;
    int rc = ldap_initialize(&ld, options.url.c_str());
    if (rc != LDAP_SUCCESS || ld == nullptr)
      return fail(Error::unavailable("the directory URL " + options.url +
                                     " is not usable: " + describe(nullptr, rc)));
    auto set = [&](int option, const void* value, const char* what) -> Status {
      int r = ldap_set_option(ld, option, value);
      if (r != LDAP_OPT_SUCCESS)
        return fail(Error::unavailable("cannot set the LDAP option " + std::string(what) + " for " +
                                       options.url + ": " + describe(ld, r)));
      return {};
    };
    const int version = LDAP_VERSION3;
    const timeval tv = to_timeval(options.timeout);
    const int require_cert = LDAP_OPT_X_TLS_DEMAND;
    const int new_ctx = 0;  // a client context
    Status s = set(LDAP_OPT_PROTOCOL_VERSION, &version, "protocol version");
    if (s) s = set(LDAP_OPT_REFERRALS, LDAP_OPT_OFF, "referrals");
    if (s) s = set(LDAP_OPT_NETWORK_TIMEOUT, &tv, "network timeout");
    if (s) s = set(LDAP_OPT_TIMEOUT, &tv, "operation timeout");
    if (s && (options.start_tls || options.url.starts_with("ldaps://") || !options.ca_file.empty())) {
      if (!options.ca_file.empty()) s = set(LDAP_OPT_X_TLS_CACERTFILE, options.ca_file.c_str(), "CA file");
      if (s) s = set(LDAP_OPT_X_TLS_REQUIRE_CERT, &require_cert, "certificate check");
      if (s) s = set(LDAP_OPT_X_TLS_NEWCTX, &new_ctx, "TLS context");
    }
    if (!s) {
      unbind(ld);
      return tl::unexpected(s.error());
    }
    if (options.start_tls && !options.url.starts_with("ldaps://")) {
      rc = ldap_start_tls_s(ld, nullptr, nullptr);
      if (rc != LDAP_SUCCESS) {
        Error e =
            is_unreachable(rc) && rc != LDAP_CONNECT_ERROR
                ? unreachable(ld, rc)
                : Error::unavailable("StartTLS with the directory server " + options.url +
                                     " failed: " + describe(ld, rc) +
                                     "; check that the server offers StartTLS and that caFile holds the "
                                     "CA of its certificate; local accounts can still log in");
        unbind(ld);
        return fail(std::move(e));
      }
    }
    return ld;
  }

  // Simple bind; `rc` out for the caller to classify.
  static int simple_bind(LDAP* ld, const std::string& dn, const std::string& password) {
    berval cred{};
    cred.bv_val = const_cast<char*>(password.data());
    cred.bv_len = password.size();
    return ldap_sasl_bind_s(ld, dn.c_str(), LDAP_SASL_SIMPLE, &cred, nullptr, nullptr, nullptr);
  }

  // A new service connection, bound as the service account (anonymous when bind_dn is empty).
  Result<LDAP*> connect_service() const {
    auto ld = connect();
    if (!ld) return ld;
    if (!options.bind_dn.empty()) {
      int rc = simple_bind(*ld, options.bind_dn, options.bind_password);
      if (rc != LDAP_SUCCESS) {
        Error e =
            is_unreachable(rc)
                ? unreachable(*ld, rc)
                : Error::unavailable("the directory server " + options.url + " refused the service account " +
                                     options.bind_dn + ": " + describe(*ld, rc) +
                                     "; check bindDN and bindPasswordFile; local accounts can still log in");
        unbind(*ld);
        return fail(std::move(e));
      }
    }
    return ld;
  }

  // A lent service connection: returned to the pool on success, closed when an operation failed on it.
  class Lease {
   public:
    Lease(Impl& impl, LDAP* ld, bool reused) : impl_(impl), ld_(ld), reused_(reused) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { impl_.give_back(ld_, healthy_); }
    LDAP* get() const { return ld_; }
    bool reused() const { return reused_; }
    void broken() { healthy_ = false; }

   private:
    Impl& impl_;
    LDAP* ld_;
    bool reused_;
    bool healthy_ = true;
  };

  Result<std::unique_ptr<Lease>> lease() {
    std::unique_lock lock(pool_mu);
    auto deadline = std::chrono::steady_clock::now() + options.timeout;
    for (;;) {
      if (!idle.empty()) {
        LDAP* ld = idle.back();
        idle.pop_back();
        return std::make_unique<Lease>(*this, ld, true);
      }
      if (open < std::max(1, options.pool_size)) {
        ++open;
        lock.unlock();
        auto ld = connect_service();
        if (!ld) {
          lock.lock();
          --open;
          pool_cv.notify_one();
          return tl::unexpected(ld.error());
        }
        return std::make_unique<Lease>(*this, *ld, false);
      }
      if (pool_cv.wait_until(lock, deadline) == std::cv_status::timeout && idle.empty() &&
          open >= std::max(1, options.pool_size))
        return fail(Error::unavailable("all " + std::to_string(options.pool_size) +
                                       " connections to the directory server " + options.url +
                                       " stayed busy for " + std::to_string(options.timeout.count()) +
                                       " ms; local accounts can still log in"));
    }
  }

  void drop_idle() {
    std::vector<LDAP*> stale;
    {
      std::lock_guard lock(pool_mu);
      stale.swap(idle);
      open -= static_cast<int>(stale.size());
      pool_cv.notify_all();
    }
    for (LDAP* ld : stale) unbind(ld);
  }

  void give_back(LDAP* ld, bool healthy) {
    std::lock_guard lock(pool_mu);
    if (healthy) {
      idle.push_back(ld);
    } else {
      unbind(ld);
      --open;
    }
    pool_cv.notify_one();
  }

  // Runs a subtree search on a service connection; a pooled connection the server has closed (restart,
  // idle timeout) is replaced once. `size_limit` 0 is the server's limit.
  Result<std::unique_ptr<Lease>> search(const std::string& base, const std::string& filter,
                                        const std::vector<std::string>& attributes, int size_limit,
                                        MessageGuard& result, int& rc) {
    std::vector<char*> attrs;
    for (const auto& a : attributes)
      if (!a.empty()) attrs.push_back(const_cast<char*>(a.c_str()));
    attrs.push_back(nullptr);
    for (int attempt = 0;; ++attempt) {
      auto conn = lease();
      if (!conn) return conn;
      timeval tv = to_timeval(options.timeout);
      if (result.msg != nullptr) {
        ldap_msgfree(result.msg);
        result.msg = nullptr;
      }
      rc = ldap_search_ext_s((*conn)->get(), base.c_str(), LDAP_SCOPE_SUBTREE, filter.c_str(), attrs.data(),
                             0, nullptr, nullptr, &tv, size_limit, &result.msg);
      if (rc == LDAP_SUCCESS || rc == LDAP_SIZELIMIT_EXCEEDED || rc == LDAP_NO_SUCH_OBJECT) return conn;
      (*conn)->broken();
      if (rc == LDAP_SERVER_DOWN && (*conn)->reused() && attempt == 0) {
        // The server closed an idle connection (restart, idle timeout): the others went the same way.
        drop_idle();
        continue;
      }
      if (is_unreachable(rc)) return fail(unreachable((*conn)->get(), rc));
      return fail(Error::unavailable("the directory server " + options.url + " refused the search under " +
                                     base + " with " + filter + ": " + describe((*conn)->get(), rc) +
                                     "; check the LDAP configuration; local accounts can still log in"));
    }
  }

  // The user's entry: its DN, name and display name, and memberOf groups. `not_found` when there is no
  // such entry or more than one.
  Result<DirectoryUser> find_user(const std::string& username) {
    std::string filter = ldap_expand_filter(options.user_filter, {{"username", username}});
    MessageGuard result;
    int rc = LDAP_SUCCESS;
    auto conn =
        search(options.user_base, filter,
               {options.user_name_attribute, options.display_name_attribute, options.member_of_attribute}, 2,
               result, rc);
    if (!conn) return tl::unexpected(conn.error());
    LDAP* ld = (*conn)->get();
    if (rc == LDAP_NO_SUCH_OBJECT)
      return fail(Error::unavailable("the directory server " + options.url + " has no userBase " +
                                     options.user_base + "; check the LDAP configuration"));
    int count = ldap_count_entries(ld, result.msg);
    if (count < 0) return fail(unreachable(ld, LDAP_DECODING_ERROR));
    if (rc == LDAP_SIZELIMIT_EXCEEDED || count > 1) {
      spdlog::warn("ldap: more than one entry under {} matches {}; refusing the login", options.user_base,
                   filter);
      return fail(Error::not_found("the directory has no single user \"" + username + "\""));
    }
    if (count <= 0) return fail(Error::not_found("the directory has no user \"" + username + "\""));
    LDAPMessage* entry = ldap_first_entry(ld, result.msg);
    if (entry == nullptr) return fail(Error::not_found("the directory has no user \"" + username + "\""));
    DirectoryUser user;
    char* dn = ldap_get_dn(ld, entry);
    if (dn == nullptr) return fail(unreachable(ld, LDAP_DECODING_ERROR));
    user.dn = dn;
    ldap_memfree(dn);
    auto names = values_of(ld, entry, options.user_name_attribute);
    // The directory's spelling of the name when it matches what was asked (uid matching is usually
    // case-insensitive); otherwise, as with a filter on another attribute (mail), the name that was asked.
    user.name = username;
    for (const auto& n : names)
      if (lower(n) == lower(username)) user.name = n;
    auto display = values_of(ld, entry, options.display_name_attribute);
    if (!display.empty()) user.display_name = display.front();
    for (const auto& group_dn : values_of(ld, entry, options.member_of_attribute)) {
      auto name = first_rdn_value(group_dn);
      if (!name.empty()) user.groups.push_back(name);
    }
    return user;
  }

  // Adds the groups found by the group search to `user`, maps every group name, sorts and de-duplicates.
  Status resolve_groups(DirectoryUser& user) {
    std::vector<std::string> raw = std::move(user.groups);
    if (!options.group_base.empty()) {
      std::string filter =
          ldap_expand_filter(options.group_filter, {{"dn", user.dn}, {"username", user.name}});
      MessageGuard result;
      int rc = LDAP_SUCCESS;
      auto conn = search(options.group_base, filter, {options.group_attribute}, 0, result, rc);
      if (!conn) return tl::unexpected(conn.error());
      if (rc == LDAP_NO_SUCH_OBJECT)
        return fail(Error::unavailable("the directory server " + options.url + " has no groupBase " +
                                       options.group_base + "; check the LDAP configuration"));
      if (rc == LDAP_SIZELIMIT_EXCEEDED)
        spdlog::warn("ldap: the group search for {} hit the server's size limit; some groups are missing",
                     user.dn);
      LDAP* ld = (*conn)->get();
      for (LDAPMessage* e = ldap_first_entry(ld, result.msg); e != nullptr; e = ldap_next_entry(ld, e)) {
        auto names = values_of(ld, e, options.group_attribute);
        if (!names.empty()) raw.push_back(names.front());
      }
    }
    std::set<std::string> mapped;
    for (const auto& g : raw)
      if (auto name = ldap_map_group(options, g); !name.empty()) mapped.insert(name);
    user.groups.assign(mapped.begin(), mapped.end());
    return {};
  }
};

LdapDirectory::LdapDirectory(LdapOptions options)
    : options_(std::move(options)), impl_(std::make_unique<Impl>(options_)) {}

LdapDirectory::~LdapDirectory() = default;

Status LdapDirectory::check() {
  auto conn = impl_->lease();
  if (!conn) return tl::unexpected(conn.error());
  return {};
}

Result<DirectoryUser> LdapDirectory::authenticate(const std::string& username, const std::string& password) {
  // An empty password would make a simple bind anonymous, which most servers accept: never a login.
  if (!valid_username(username) || password.empty()) return fail(Error::unauthorized(kBadCredentials));
  auto user = impl_->find_user(username);
  if (!user) {
    if (user.error().code == ErrorCode::kNotFound) return fail(Error::unauthorized(kBadCredentials));
    return user;
  }
  // The user's own bind on a connection of its own, closed right after.
  auto ld = impl_->connect();
  if (!ld) return tl::unexpected(ld.error());
  int rc = Impl::simple_bind(*ld, user->dn, password);
  Error error;
  if (rc != LDAP_SUCCESS) {
    if (is_unreachable(rc)) {
      error = impl_->unreachable(*ld, rc);
    } else {
      if (rc != LDAP_INVALID_CREDENTIALS)
        spdlog::warn("ldap: the bind as {} was refused: {}", user->dn, describe(*ld, rc));
      error = Error::unauthorized(kBadCredentials);
    }
  }
  unbind(*ld);
  if (rc != LDAP_SUCCESS) return fail(std::move(error));
  if (auto s = impl_->resolve_groups(*user); !s) return tl::unexpected(s.error());
  return user;
}

Result<DirectoryUser> LdapDirectory::lookup(const std::string& username) {
  if (!valid_username(username))
    return fail(Error::not_found("the directory has no user \"" + username + "\""));
  auto user = impl_->find_user(username);
  if (!user) return user;
  if (auto s = impl_->resolve_groups(*user); !s) return tl::unexpected(s.error());
  return user;
}

}  // namespace wharf
