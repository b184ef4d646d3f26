// The config centre's API: drafts, publishing (with an optional rolling restart or hot update), versions,
// diff, import/export, copy between environments, search, the live version's long poll and the access
// keys of the Apollo-compatible API (routes_apollo.cpp). Secret values are sealed here (SecretBox) before
// they reach the store and unsealed only to validate, compare or reveal them; every response masks them
// unless the caller holds config.reveal and asks with ?reveal=1.
#include <charconv>
#include <map>

#include "api/error_response.h"
#include "api/handler_support.h"
#include "api/live_config_poll.h"
#include "api/release_submission.h"
#include "api/routes.h"
#include "controller/config_version_cache.h"
#include "core/access_policy.h"
#include "core/config_diff.h"
#include "core/config_format.h"
#include "core/config_validation.h"
#include "store/audit_scope.h"
#include "util/config_secrets.h"
#include "util/crypto.h"
#include "util/duration.h"
#include "util/secret_box.h"

namespace wharf::api {
namespace {

constexpr const char* kBase = "/api/v1/projects/{project}/apps/{app}/environments/{env}/config";

std::string path(const char* tail) {
  return std::string(kBase) + tail;
}

ConfigKey key_of(const HttpRequest& req) {
  return {req.param("project"), req.param("app"), req.param("env")};
}

std::string where(const ConfigKey& key) {
  return "app \"" + key.app + "\" in environment \"" + key.environment + "\"";
}

// ---------------------------------------------------------------------------------------------------------
// JSON forms

json encode_item(const ConfigItem& i, bool reveal) {
  json j{{"key", i.key},
         {"value", i.secret && !reveal ? std::string(kMaskedValue) : i.value},
         {"type", to_string(i.type)},
         {"comment", i.comment},
         {"secret", i.secret}};
  if (!i.validation.empty()) {
    json v = json::object();
    if (!i.validation.regex.empty()) v["regex"] = i.validation.regex;
    if (i.validation.min) v["min"] = *i.validation.min;
    if (i.validation.max) v["max"] = *i.validation.max;
    j["validation"] = std::move(v);
  }
  return j;
}

json encode_items(const std::vector<ConfigItem>& items, bool reveal) {
  json a = json::array();
  for (const auto& i : items) a.push_back(encode_item(i, reveal));
  return a;
}

json encode_changes(const std::vector<ConfigChange>& changes) {
  json a = json::array();
  for (const auto& c : changes) {
    json j{{"key", c.key}, {"change", to_string(c.kind)}, {"secret", c.secret}};
    if (!c.fields.empty()) j["fields"] = c.fields;
    if (c.old_value) j["oldValue"] = *c.old_value;
    if (c.new_value) j["newValue"] = *c.new_value;
    a.push_back(std::move(j));
  }
  return a;
}

json encode_errors(const std::vector<ConfigItemError>& errors) {
  json a = json::array();
  for (const auto& e : errors) a.push_back(json{{"field", e.field}, {"key", e.key}, {"message", e.message}});
  return a;
}

json encode_version(const ConfigVersion& v) {
  return json{{"project", v.project},         {"app", v.app},
              {"environment", v.environment}, {"version", v.version},
              {"message", v.message},         {"createdBy", v.created_by},
              {"createdAt", v.created_at},    {"itemCount", v.item_count},
              {"size", v.size_bytes},         {"resourceVersion", v.resource_version}};
}

Status only_fields(const json& body, const std::string& prefix, std::initializer_list<const char*> allowed) {
  for (const auto& [key, _] : body.items()) {
    bool ok = false;
    for (const char* a : allowed) ok = ok || key == a;
    if (!ok) {
      std::string known;
      for (const char* a : allowed) known += std::string(known.empty() ? "" : ", ") + a;
      return fail(Error::invalid(prefix + key, "unknown field \"" + key + "\"; known fields: " + known));
    }
  }
  return {};
}

Result<std::optional<int64_t>> optional_int(const json& j, const std::string& field) {
  if (j.is_null()) return std::optional<int64_t>();
  if (!j.is_number_integer()) return fail(Error::invalid(field, "must be an integer"));
  return std::optional<int64_t>(j.get<int64_t>());
}

// Applies the fields present in `j` to `item` (a new item, or a copy of the stored one for PATCH). A value
// may be given as a string, or as a number or boolean for convenience.
Status decode_item_into(const json& j, const std::string& field, ConfigItem& item, bool& has_value) {
  if (!j.is_object()) return fail(Error::invalid(field, "an item is an object with key, value, type, ..."));
  if (auto s = only_fields(j, field + ".", {"key", "value", "type", "comment", "secret", "validation"}); !s)
    return s;
  has_value = false;
  for (const auto& [name, v] : j.items()) {
    const std::string f = field + "." + name;
    if (name == "key") {
      if (!v.is_string()) return fail(Error::invalid(f, "the key must be a string"));
      item.key = v.get<std::string>();
    } else if (name == "value") {
      has_value = true;
      if (v.is_string()) {
        item.value = v.get<std::string>();
      } else if (v.is_number_integer() || v.is_boolean()) {
        item.value = v.dump();
      } else if (v.is_null()) {
        item.value.clear();
      } else {
        return fail(Error::invalid(f, "the value must be a string (put JSON documents in a string)"));
      }
    } else if (name == "type") {
      auto t = v.is_string() ? parse_config_type(v.get<std::string>()) : std::nullopt;
      if (!t)
        return fail(
            Error::invalid(f, "the type must be one of string, int, bool, json, yaml, properties, text"));
      item.type = *t;
    } else if (name == "comment") {
      if (!v.is_string() && !v.is_null()) return fail(Error::invalid(f, "the comment must be a string"));
      item.comment = v.is_null() ? "" : v.get<std::string>();
    } else if (name == "secret") {
      if (!v.is_boolean()) return fail(Error::invalid(f, "secret must be true or false"));
      item.secret = v.get<bool>();
    } else if (name == "validation") {
      item.validation = {};
      if (v.is_null()) continue;
      if (!v.is_object()) return fail(Error::invalid(f, "validation is an object {regex, min, max}"));
      if (auto s = only_fields(v, f + ".", {"regex", "min", "max"}); !s) return s;
      if (auto r = v.find("regex"); r != v.end() && !r->is_null()) {
        if (!r->is_string()) return fail(Error::invalid(f + ".regex", "the regex must be a string"));
        item.validation.regex = r->get<std::string>();
      }
      for (const char* bound : {"min", "max"}) {
        if (auto b = v.find(bound); b != v.end()) {
          auto n = optional_int(*b, f + "." + bound);
          if (!n) return fail(n.error());
          (std::string_view(bound) == "min" ? item.validation.min : item.validation.max) = *n;
        }
      }
    }
  }
  if (item.key.empty()) return fail(Error::invalid(field + ".key", "every item needs a key"));
  return {};
}

// ---------------------------------------------------------------------------------------------------------
// Secrets

Result<const SecretBox*> box_of(ApiContext& ctx) {
  if (!ctx.secrets) return fail(Error::unavailable("secret config values cannot be handled: no secret key"));
  return ctx.secrets;
}

// The items with their secret values unsealed.
Result<std::vector<ConfigItem>> unsealed(ApiContext& ctx, std::vector<ConfigItem> items) {
  return unseal_config_items(ctx.secrets, std::move(items));
}

// The plaintext items of a new draft in the form the store keeps: sorted, limits checked, secrets sealed.
// A secret whose plaintext did not change keeps its stored sealed value (`stored` sealed, `stored_plain`
// the same unsealed), so diffs and the store see no change.
Result<std::vector<ConfigItem>> sealed_for_store(ApiContext& ctx, std::vector<ConfigItem> items,
                                                 const std::vector<ConfigItem>& stored,
                                                 const std::vector<ConfigItem>& stored_plain) {
  sort_config_items(items);  // first, so that "items[i]" in an error is the position GET shows
  if (auto s = check_config_limits(items); !s) return fail(s.error());
  std::map<std::string_view, size_t> at;
  for (size_t i = 0; i < stored.size(); ++i) at[stored[i].key] = i;
  for (auto& item : items) {
    if (!item.secret) continue;
    auto it = at.find(item.key);
    if (it != at.end() && stored[it->second].secret && stored_plain[it->second].value == item.value) {
      item.value = stored[it->second].value;
      continue;
    }
    auto box = box_of(ctx);
    if (!box) return fail(box.error());
    item.value = (*box)->seal(item.value);
  }
  return items;
}

// "******" sent back for a secret keeps the stored value; a secret made non-secret needs its value.
Status resolve_masked(ConfigItem& item, const ConfigItem* stored_plain, bool has_value,
                      const std::string& field) {
  const bool masked = has_value && item.value == kMaskedValue;
  if (stored_plain && stored_plain->secret) {
    if (!item.secret && (masked || !has_value))
      return fail(Error::invalid(
          field + ".value", "to make secret item \"" + item.key + "\" non-secret, send its value as well"));
    if (masked || !has_value) item.value = stored_plain->value;
    return {};
  }
  if (item.secret && masked)
    return fail(Error::invalid(field + ".value", "\"" + item.key +
                                                     "\" has no stored secret value to keep; send "
                                                     "the value itself"));
  return {};
}

// Whether the response may show secret values: ?reveal=1 from a caller who holds config.reveal there.
// Asking without the permission is refused rather than silently masked, and every reveal is audited.
Result<bool> wants_reveal(ApiContext& ctx, const HttpRequest& req, const Identity& who,
                          const ConfigKey& key) {
  auto q = req.q("reveal");
  if (!q || *q == "0" || *q == "false" || q->empty()) return false;
  if (!who.access || !who.access->allows("config.reveal", key.project, key.environment))
    return fail(
        Error::forbidden("revealing secret config values needs the config.reveal permission in "
                         "environment \"" +
                         key.environment + "\"; leave out reveal=1 to see them masked"));
  AuditRecord record;
  record.actor = who.user;
  record.remote = req.remote;
  record.action = "config.reveal";
  record.method = req.method;
  record.target = req.path;
  record.project = key.project;
  record.result = "ok";
  (void)ctx.store.append_audit(record);
  return true;
}

// ---------------------------------------------------------------------------------------------------------
// Snapshots and views

// A snapshot named in a query: "draft", or a version number ("0": the empty config before version 1).
Result<std::vector<ConfigItem>> load_snapshot(ApiContext& ctx, const ConfigKey& key, const std::string& name,
                                              const char* field) {
  if (name == "draft") {
    auto d = ctx.store.get_config_draft(key);
    if (!d) return fail(d.error());
    return unsealed(ctx, std::move(d->items));
  }
  int64_t v = 0;
  auto [p, ec] = std::from_chars(name.data(), name.data() + name.size(), v);
  if (ec != std::errc() || p != name.data() + name.size() || v < 0)
    return fail(Error::invalid(
        field, std::string(field) + " must be \"draft\" or a config version number; got \"" + name + "\""));
  if (v == 0) return std::vector<ConfigItem>{};
  auto version = ctx.store.get_config_version(key, v);
  if (!version) return fail(version.error());
  return unsealed(ctx, std::move(version->items));
}

// The draft as the API shows it: items (masked unless revealed), the changes since its base version and
// what would stop it from being published.
Result<json> draft_view(ApiContext& ctx, const ConfigDraft& draft, bool reveal) {
  const ConfigKey key{draft.project, draft.app, draft.environment};
  auto plain = unsealed(ctx, draft.items);
  if (!plain) return fail(plain.error());
  auto base = load_snapshot(ctx, key, std::to_string(draft.base_version), "baseVersion");
  if (!base) return fail(base.error());
  return json{{"project", draft.project},
              {"app", draft.app},
              {"environment", draft.environment},
              {"baseVersion", draft.base_version},
              {"resourceVersion", draft.resource_version},
              {"updatedBy", draft.updated_by},
              {"updatedAt", draft.updated_at},
              {"items", encode_items(*plain, reveal)},
              {"changes", encode_changes(diff_config(*base, *plain))},
              {"problems", encode_errors(validate_config_items(*plain))}};
}

Result<HttpResponse> respond_draft(ApiContext& ctx, const ConfigDraft& draft, bool reveal, int status = 200) {
  auto view = draft_view(ctx, draft, reveal);
  if (!view) return fail(view.error());
  return HttpResponse::json(status, view->dump(-1, ' ', false, json::error_handler_t::replace));
}

// Stores `items` (plaintext) as the draft of `key`, on top of `stored` (as read, sealed). A dry run
// returns the draft it would store and stores nothing.
Result<ConfigDraft> save_plain(ApiContext& ctx, const ConfigDraft& stored,
                               const std::vector<ConfigItem>& stored_plain, std::vector<ConfigItem> items,
                               int64_t resource_version, const Identity& who, bool dry_run = false) {
  auto sealed = sealed_for_store(ctx, std::move(items), stored.items, stored_plain);
  if (!sealed) return fail(sealed.error());
  ConfigDraft next = stored;
  next.items = std::move(*sealed);
  next.updated_by = who.user;
  next.resource_version = resource_version;
  if (dry_run) return next;
  return ctx.store.save_config_draft(next);
}

const ConfigItem* find_item(const std::vector<ConfigItem>& items, const std::string& key) {
  for (const auto& i : items)
    if (i.key == key) return &i;
  return nullptr;
}

// ---------------------------------------------------------------------------------------------------------
// Handlers

Result<HttpResponse> get_draft(ApiContext& ctx, HttpRequest& req, const Identity& who) {
  const ConfigKey key = key_of(req);
  auto reveal = wants_reveal(ctx, req, who, key);
  if (!reveal) return fail(reveal.error());
  auto draft = ctx.store.get_config_draft(key);
  if (!draft) return fail(draft.error());
  return respond_draft(ctx, *draft, *reveal);
}

Result<HttpResponse> put_draft(ApiContext& ctx, HttpRequest& req, const Identity& who) {
  const ConfigKey key = key_of(req);
  auto body = body_object(req);
  if (!body) return fail(body.error());
  if (auto s = only_fields(*body, "", {"items", "resourceVersion"}); !s) return fail(s.error());
  auto rv = resource_version_of(*body);
  if (!rv) return fail(rv.error());
  auto list = body->find("items");
  if (list == body->end() || !list->is_array())
    return fail(Error::invalid("items", "items must be the array of every item of the draft"));
  auto stored = ctx.store.get_config_draft(key);
  if (!stored) return fail(stored.error());
  auto stored_plain = unsealed(ctx, stored->items);
  if (!stored_plain) return fail(stored_plain.error());
  std::vector<ConfigItem> items;
  std::map<std::string, size_t> seen;
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string field = "items[" + std::to_string(i) + "]";
    ConfigItem item;
    bool has_value = false;
    if (auto s = decode_item_into((*list)[i], field, item, has_value); !s) return fail(s.error());
    if (auto [it, inserted] = seen.emplace(item.key, i); !inserted)
      return fail(Error::invalid(field + ".key", "\"" + item.key + "\" is already the key of items[" +
                                                     std::to_string(it->second) + "]"));
    if (auto s = resolve_masked(item, find_item(*stored_plain, item.key), has_value, field); !s)
      return fail(s.error());
    items.push_back(std::move(item));
  }
  auto saved = save_plain(ctx, *stored, *stored_plain, std::move(items), *rv, who);
  if (!saved) return fail(saved.error());
  return respond_draft(ctx, *saved, false);
}

Result<HttpResponse> patch_items(ApiContext& ctx, HttpRequest& req, const Identity& who) {
  const ConfigKey key = key_of(req);
  auto body = body_object(req);
  if (!body) return fail(body.error());
  if (auto s = only_fields(*body, "", {"set", "remove", "resourceVersion"}); !s) return fail(s.error());
  auto rv = resource_version_of(*body);
  if (!rv) return fail(rv.error());
  auto set = body->find("set");
  auto remove = body->find("remove");
  if (set != body->end() && !set->is_array())
    return fail(Error::invalid("set", "set must be an array of items to add or change"));
  if (remove != body->end() && !remove->is_array())
    return fail(Error::invalid("remove", "remove must be an array of keys"));
  // Without a resourceVersion, a concurrent edit of another key is merged by retrying on the new draft.
  for (int attempt = 0;; ++attempt) {
    auto stored = ctx.store.get_config_draft(key);
    if (!stored) return fail(stored.error());
    auto plain = unsealed(ctx, stored->items);
    if (!plain) return fail(plain.error());
    std::vector<ConfigItem> items = *plain;
    if (remove != body->end()) {
      for (size_t i = 0; i < remove->size(); ++i) {
        const auto& k = (*remove)[i];
        if (!k.is_string())
          return fail(Error::invalid("remove[" + std::to_string(i) + "]", "remove lists keys (strings)"));
        std::erase_if(items, [&](const ConfigItem& c) { return c.key == k.get<std::string>(); });
      }
    }
    if (set != body->end()) {
      for (size_t i = 0; i < set->size(); ++i) {
        const std::string field = "set[" + std::to_string(i) + "]";
        const auto& j = (*set)[i];
        auto key_field = j.is_object() ? j.find("key") : j.end();
        if (!j.is_object() || key_field == j.end() || !key_field->is_string())
          return fail(Error::invalid(field + ".key", "every item needs a key"));
        const ConfigItem* old = find_item(*plain, key_field->get<std::string>());
        ConfigItem item = old ? *old : ConfigItem{};
        bool has_value = false;
        if (auto s = decode_item_into(j, field, item, has_value); !s) return fail(s.error());
        if (!old && !has_value) item.value.clear();
        if (auto s = resolve_masked(item, old, has_value || !old, field); !s) return fail(s.error());
        std::erase_if(items, [&](const ConfigItem& c) { return c.key == item.key; });
        items.push_back(std::move(item));
      }
    }
    const int64_t expected = *rv != 0 ? *rv : stored->resource_version;
    auto saved = save_plain(ctx, *stored, *plain, std::move(items), expected, who);
    if (!saved && saved.error().code == ErrorCode::kConflict && *rv == 0 && attempt < 3) continue;
    if (!saved) return fail(saved.error());
    return respond_draft(ctx, *saved, false);
  }
}

// What publishing does beyond storing the version: nothing (the next deploy takes it), a rolling restart
// onto it (a deploy release), or a hot update (config clients get it at once; running instances keep
// their files and environment until their next release).
enum class Apply { kNone, kRestart, kHot };

std::string_view to_string(Apply a) {
  switch (a) {
    case Apply::kRestart:
      return "restart";
    case Apply::kHot:
      return "hot";
    case Apply::kNone:
      break;
  }
  return "none";
}

Result<Apply> apply_of(const json& body) {
  auto it = body.find("apply");
  if (it == body.end() || it->is_null()) return Apply::kNone;
  if (it->is_string()) {
    const auto& text = it->get_ref<const std::string&>();
    for (Apply a : {Apply::kNone, Apply::kRestart, Apply::kHot})
      if (text == to_string(a)) return a;
  }
  return fail(Error::invalid("apply",
                             "apply must be \"none\" (the next deploy takes the version), \"restart\" "
                             "(roll the running instances onto it) or \"hot\" (config clients get it "
                             "now, instances at their next release)"));
}

Result<HttpResponse> publish(ApiContext& ctx, HttpRequest& req, const Identity& who) {
  const ConfigKey key = key_of(req);
  json body = json::object();
  if (!req.body.empty()) {
    auto b = body_object(req);
    if (!b) return fail(b.error());
    body = std::move(*b);
  }
  if (auto s = only_fields(body, "", {"message", "resourceVersion", "apply"}); !s) return fail(s.error());
  auto message = message_of(body);
  if (!message) return fail(message.error());
  auto apply = apply_of(body);
  if (!apply) return fail(apply.error());
  if (*apply == Apply::kRestart) {
    // Checked before publishing, so a refused restart does not leave a version published on its own.
    if (!who.access->allows("app.deploy", key.project, key.environment))
      return fail(
          Error::forbidden("apply \"restart\" deploys the app, which needs the app.deploy permission in "
                           "environment \"" +
                           key.environment + "\"; publish without it, or with \"hot\""));
    auto history = ctx.store.recent_releases(key, 1);
    if (!history) return fail(history.error());
    if (history->empty())
      return fail(Error::conflict("apply \"restart\" rolls out the new version to running instances, but " +
                                      where(key) +
                                      " was never deployed; deploy it (it takes the latest "
                                      "version) or publish without apply",
                                  "apply"));
  }
  auto rv = resource_version_of(body);
  if (!rv) return fail(rv.error());
  auto draft = ctx.store.get_config_draft(key);
  if (!draft) return fail(draft.error());
  if (*rv != 0 && *rv != draft->resource_version)
    return fail(Error::conflict("the config draft of " + where(key) +
                                    " changed since you read it (resourceVersion " +
                                    std::to_string(draft->resource_version) + ", you sent " +
                                    std::to_string(*rv) + "); review it and publish again",
                                "resourceVersion"));
  auto plain = unsealed(ctx, draft->items);
  if (!plain) return fail(plain.error());
  auto errors = validate_config_items(*plain);
  if (!errors.empty()) {
    const std::string text = std::to_string(errors.size()) + " problem" + (errors.size() == 1 ? "" : "s") +
                             " in the config draft of " + where(key) + "; fix " +
                             (errors.size() == 1 ? "it" : "them") + " and publish again";
    if (AuditScope* audit = AuditScope::current()) audit->record().result = "422 invalid_config: " + text;
    json err{{"code", "invalid_config"},
             {"message", text},
             {"field", errors.front().field},
             {"items", encode_errors(errors)}};
    return HttpResponse::json(
        422, json{{"error", std::move(err)}}.dump(-1, ' ', false, json::error_handler_t::replace));
  }
  auto base = load_snapshot(ctx, key, std::to_string(draft->base_version), "baseVersion");
  if (!base) return fail(base.error());
  // What was validated is what gets published: the store refuses a draft changed in between.
  auto version =
      ctx.store.publish_config(key, draft->resource_version, *message, who.user, *apply == Apply::kHot);
  if (!version) return fail(version.error());
  json out = encode_version(*version);
  ctx.bus.publish(Event{"ADDED", "config", key.project,
                        key.app + "/" + key.environment + "/" + std::to_string(version->version),
                        version->resource_version, out.dump(-1, ' ', false, json::error_handler_t::replace)});
  out["apply"] = to_string(*apply);
  out["changes"] = encode_changes(diff_config(*base, *plain));
  if (*apply == Apply::kRestart) {
    DeployRequest deploy;
    deploy.config_version = version->version;
    deploy.message = "config version " + std::to_string(version->version) +
                     (message->empty() ? std::string() : ": " + *message);
    auto release = submit_deploy(ctx, req, std::move(deploy), who.user);
    // The version is published either way; say why no release followed rather than fail the call.
    if (release)
      out["release"] = json::parse(release->body, nullptr, false);
    else
      out["releaseError"] =
          json{{"code", to_string(release.error().code)}, {"message", release.error().message}};
  }
  return HttpResponse::json(201, out.dump(-1, ' ', false, json::error_handler_t::replace));
}

Result<int64_t> version_param(const HttpRequest& req) {
  const auto& text = req.param("version");
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v < 1)
    return fail(Error::invalid("version", "version must be a positive integer; got \"" + text + "\""));
  return v;
}

Result<HttpResponse> get_version(ApiContext& ctx, HttpRequest& req, const Identity& who) {
  const ConfigKey key = key_of(req);
  auto n = version_param(req);
  if (!n) return fail(n.error());
  auto reveal = wants_reveal(ctx, req, who, key);
  if (!reveal) return fail(reveal.error());
  auto v = ctx.store.get_config_version(key, *n);
  if (!v) return fail(v.error());
  auto plain = unsealed(ctx, v->items);
  if (!plain) return fail(plain.error());
  json out = encode_version(*v);
  out["items"] = encode_items(*plain, *reveal);
  return HttpResponse::json(200, out.dump(-1, ' ', false, json::error_handler_t::replace));
}

Result<HttpResponse> diff(ApiContext& ctx, HttpRequest& req, const Identity&) {
  const ConfigKey key = key_of(req);
  std::string from = req.q("from").value_or("");
  std::string to = req.q("to").value_or("draft");
  if (from.empty()) {
    auto d = ctx.store.get_config_draft(key);
    if (!d) return fail(d.error());
    from = std::to_string(d->base_version);
  }
  auto a = load_snapshot(ctx, key, from, "from");
  if (!a) return fail(a.error());
  auto b = load_snapshot(ctx, key, to, "to");
  if (!b) return fail(b.error());
  auto as_json = [](const std::string& s) { return s == "draft" ? json(s) : json(std::stoll(s)); };
  json out{{"from", as_json(from)}, {"to", as_json(to)}, {"changes", encode_changes(diff_config(*a, *b))}};
  return HttpResponse::json(200, out.dump(-1, ' ', false, json::error_handler_t::replace));
}

Result<ConfigFormat> format_of(const std::string& text, const char* field) {
  auto f = parse_config_format(text);
  if (!f)
    return fail(Error::invalid(
        field, std::string(field) + " must be one of properties, env, yaml, json; got \"" + text + "\""));
  return *f;
}

Result<HttpResponse> import_items(ApiContext& ctx, HttpRequest& req, const Identity& who) {
  const ConfigKey key = key_of(req);
  auto body = body_object(req);
  if (!body) return fail(body.error());
  if (auto s = only_fields(*body, "", {"format", "text", "mode", "resourceVersion"}); !s)
    return fail(s.error());
  auto fmt_field = body->find("format");
  auto text_field = body->find("text");
  if (fmt_field == body->end() || !fmt_field->is_string())
    return fail(Error::invalid("format", "format must be one of properties, env, yaml, json"));
  if (text_field == body->end() || !text_field->is_string())
    return fail(Error::invalid("text", "text must be the file's content as a string"));
  auto format = format_of(fmt_field->get<std::string>(), "format");
  if (!format) return fail(format.error());
  std::string mode = "merge";
  if (auto m = body->find("mode"); m != body->end()) {
    if (!m->is_string() || (*m != "merge" && *m != "replace"))
      return fail(Error::invalid("mode",
                                 "mode is \"merge\" (keep keys the text does not name) or \"replace\" "
                                 "(remove the other scalar items)"));
    mode = m->get<std::string>();
  }
  auto rv = resource_version_of(*body);
  if (!rv) return fail(rv.error());
  auto dry = is_dry_run(req);
  if (!dry) return fail(dry.error());
  auto reveal = wants_reveal(ctx, req, who, key);
  if (!reveal) return fail(reveal.error());
  auto imported = parse_config_text(*format, text_field->get_ref<const std::string&>(), "text");
  if (!imported) return fail(imported.error());

  auto stored = ctx.store.get_config_draft(key);
  if (!stored) return fail(stored.error());
  auto plain = unsealed(ctx, stored->items);
  if (!plain) return fail(plain.error());
  std::vector<ConfigItem> items;
  std::map<std::string, bool> named;
  for (const auto& i : *imported) named[i.key] = true;
  for (const auto& i : *plain)
    if (!named.count(i.key) && (mode == "merge" || is_file_item(i))) items.push_back(i);
  for (size_t n = 0; n < imported->size(); ++n) {
    ConfigItem in = (*imported)[n];
    const ConfigItem* old = find_item(*plain, in.key);
    ConfigItem item = old ? *old : in;  // an existing item keeps its type, comment, validation and secrecy
    item.value = in.value;
    if (old && old->secret && in.value == kMaskedValue) item.value = old->value;  // an export, masked
    items.push_back(std::move(item));
  }
  auto saved = save_plain(ctx, *stored, *plain, std::move(items), *rv != 0 ? *rv : stored->resource_version,
                          who, *dry);
  if (!saved) return fail(saved.error());
  auto view = draft_view(ctx, *saved, *reveal);
  if (!view) return fail(view.error());
  (*view)["imported"] = imported->size();
  return HttpResponse::json(200, view->dump(-1, ' ', false, json::error_handler_t::replace));
}

Result<HttpResponse> export_items(ApiContext& ctx, HttpRequest& req, const Identity& who) {
  const ConfigKey key = key_of(req);
  auto format = format_of(req.q("format").value_or("properties"), "format");
  if (!format) return fail(format.error());
  auto reveal = wants_reveal(ctx, req, who, key);
  if (!reveal) return fail(reveal.error());
  std::string which = req.q("version").value_or("");
  if (which.empty()) {
    auto latest = ctx.store.latest_config_version(key);
    if (!latest) return fail(latest.error());
    if (*latest == 0)
      return fail(Error::not_found("no config version of " + where(key) +
                                   " is published yet; export version=draft for the working copy"));
    which = std::to_string(*latest);
  }
  auto items = load_snapshot(ctx, key, which, "version");
  if (!items) return fail(items.error());
  if (!*reveal)
    for (auto& i : *items)
      if (i.secret) i.value = std::string(kMaskedValue);
  auto resp = HttpResponse::text(200, format_config_text(*format, *items));
  resp.headers.emplace_back("X-Wharf-Config-Version", which);
  return resp;
}

Result<HttpResponse> copy_to(ApiContext& ctx, HttpRequest& req, const Identity& who) {
  const ConfigKey key = key_of(req);
  auto body = body_object(req);
  if (!body) return fail(body.error());
  if (auto s = only_fields(*body, "", {"environment", "from", "resourceVersion"}); !s) return fail(s.error());
  auto env = body->find("environment");
  if (env == body->end() || !env->is_string())
    return fail(Error::invalid("environment", "environment names the environment to copy the config to"));
  const ConfigKey target{key.project, key.app, env->get<std::string>()};
  if (target.environment == key.environment)
    return fail(
        Error::invalid("environment", "copy to another environment than \"" + key.environment + "\""));
  if (!who.access || !who.access->allows("config.edit", target.project, target.environment))
    return fail(Error::forbidden("copying config to environment \"" + target.environment +
                                 "\" needs the config.edit permission there"));
  auto rv = resource_version_of(*body);
  if (!rv) return fail(rv.error());
  auto dry = is_dry_run(req);
  if (!dry) return fail(dry.error());
  // The source: the latest published version by default, or "draft", or a version number.
  std::string from;
  if (auto f = body->find("from"); f != body->end() && !f->is_null()) {
    if (f->is_number_integer()) {
      from = std::to_string(f->get<int64_t>());
    } else if (f->is_string()) {
      from = f->get<std::string>();
    } else {
      return fail(Error::invalid("from", "from is \"draft\" or a config version number"));
    }
  } else {
    auto latest = ctx.store.latest_config_version(key);
    if (!latest) return fail(latest.error());
    from = *latest > 0 ? std::to_string(*latest) : "draft";
  }
  auto source = load_snapshot(ctx, key, from, "from");
  if (!source) return fail(source.error());
  auto stored = ctx.store.get_config_draft(target);
  if (!stored) return fail(stored.error());
  auto plain = unsealed(ctx, stored->items);
  if (!plain) return fail(plain.error());
  auto saved = save_plain(ctx, *stored, *plain, std::move(*source), *rv != 0 ? *rv : stored->resource_version,
                          who, *dry);
  if (!saved) return fail(saved.error());
  auto view = draft_view(ctx, *saved, false);
  if (!view) return fail(view.error());
  (*view)["copiedFrom"] = json{{"environment", key.environment},
                               {"version", from == "draft" ? json("draft") : json(std::stoll(from))}};
  return HttpResponse::json(200, view->dump(-1, ' ', false, json::error_handler_t::replace));
}

Result<HttpResponse> search(ApiContext& ctx, HttpRequest& req, const Identity& who) {
  const std::string& project = req.param("project");
  auto q = req.q("q");
  if (!q || q->empty() || q->size() > 200)
    return fail(Error::invalid("q", "q is the text to search for (1 to 200 characters)"));
  auto options = list_options(req);
  if (!options) return fail(options.error());
  auto page = ctx.store.search_config(project, *q, *options);
  if (!page) return fail(page.error());
  json items = json::array();
  for (const auto& h : page->items) {
    // Environment-narrowed grants read config only in their environments.
    if (!who.access || !who.access->allows("config.read", project, h.environment)) continue;
    json j{{"app", h.app},        {"environment", h.environment},
           {"key", h.key},        {"type", to_string(h.type)},
           {"secret", h.secret},  {"matched", h.matched},
           {"comment", h.comment}};
    j["value"] = h.secret ? std::string(kMaskedValue) : h.value;
    items.push_back(std::move(j));
  }
  return HttpResponse::json(200, json{{"items", std::move(items)}, {"continue", page->continue_token}}.dump(
                                     -1, ' ', false, json::error_handler_t::replace));
}

// ---------------------------------------------------------------------------------------------------------
// Live version and access keys

constexpr auto kDefaultLongPoll = std::chrono::seconds(30);
constexpr auto kMaxLongPoll = std::chrono::seconds(120);

// The live version with its items (masked unless revealed); version 0 and no items when none is live.
HttpResponse live_view(ApiContext& ctx, const ConfigKey& key, int64_t version, bool reveal) {
  json out{
      {"project", key.project}, {"app", key.app}, {"environment", key.environment}, {"version", version}};
  if (version == 0) {
    out["items"] = json::array();
    return HttpResponse::json(200, out.dump());
  }
  auto v = ctx.config_versions->get(key, version);
  if (!v) return error_response(v.error());
  out = encode_version(**v);
  out["items"] = encode_items((*v)->items, reveal);
  return HttpResponse::json(200, out.dump(-1, ' ', false, json::error_handler_t::replace));
}

// GET .../config/live: the version config clients should have now. With ?after=N it is a long poll: it
// answers as soon as the live version is not N (a publish with apply, a deploy or rollback), or 304 after
// ?wait= (default 30 s, at most 120 s).
Result<HttpResponse> live(ApiContext& ctx, HttpRequest& req, const Identity& who) {
  const ConfigKey key = key_of(req);
  auto reveal = wants_reveal(ctx, req, who, key);
  if (!reveal) return fail(reveal.error());
  auto wait = std::chrono::seconds(kDefaultLongPoll);
  if (auto w = req.q("wait")) {
    auto parsed = parse_duration(*w);
    if (!parsed || *parsed > kMaxLongPoll)
      return fail(Error::invalid(
          "wait", "wait must be a duration of at most 120s, e.g. \"30s\"; got \"" + *w + "\""));
    wait = *parsed;
  }
  auto after = req.q("after");
  if (!after) {
    auto v = ctx.live_config->live(key);
    if (!v) return fail(v.error());
    return live_view(ctx, key, *v, *reveal);
  }
  int64_t known = 0;
  auto [p, ec] = std::from_chars(after->data(), after->data() + after->size(), known);
  if (ec != std::errc() || p != after->data() + after->size() || known < 0)
    return fail(
        Error::invalid("after", "after must be the version you have (0: none); got \"" + *after + "\""));
  HttpResponse unchanged;
  unchanged.status = 304;
  unchanged.body.clear();
  auto poll = LiveConfigPoll::start(
      *ctx.live_config, key, known, wait,
      [&ctx, key, reveal = *reveal](int64_t version) { return live_view(ctx, key, version, reveal); },
      std::move(unchanged));
  if (!poll) return fail(poll.error());
  HttpResponse r;
  r.deferred = std::move(*poll);
  return r;
}

json encode_access_key(const ConfigAccessKey& k) {
  return json{{"id", k.id}, {"createdBy", k.created_by}, {"createdAt", k.created_at}};
}

Result<HttpResponse> create_access_key(ApiContext& ctx, HttpRequest& req, const Identity& who) {
  const ConfigKey key = key_of(req);
  auto box = box_of(ctx);
  if (!box) return fail(box.error());
  const std::string secret = random_hex(16);  // 32 hex digits, like Apollo's
  auto stored = ctx.store.create_config_access_key(
      ConfigAccessKey{key.project, key.app, key.environment, 0, (*box)->seal(secret), who.user, ""});
  if (!stored) return fail(stored.error());
  json out = encode_access_key(*stored);
  out["secret"] = secret;
  out["note"] = "the secret is shown only now: give it to the Apollo client as apollo.access-key.secret";
  return HttpResponse::json(201, out.dump());
}

Result<HttpResponse> list_access_keys(ApiContext& ctx, HttpRequest& req, const Identity&) {
  auto keys = ctx.store.list_config_access_keys(key_of(req));
  if (!keys) return fail(keys.error());
  json items = json::array();
  for (const auto& k : *keys) items.push_back(encode_access_key(k));
  return HttpResponse::json(200, json{{"items", std::move(items)}}.dump());
}

Result<HttpResponse> delete_access_key(ApiContext& ctx, HttpRequest& req, const Identity&) {
  const auto& text = req.param("id");
  int64_t id = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || p != text.data() + text.size())
    return fail(Error::invalid("id", "an access key id is an integer; got \"" + text + "\""));
  if (auto s = ctx.store.delete_config_access_key(key_of(req), id); !s) return fail(s.error());
  HttpResponse r;
  r.status = 204;
  return r;
}

}  // namespace

void add_config_routes(Router& router, ApiContext& ctx) {
  auto bind = [&ctx](Result<HttpResponse> (*fn)(ApiContext&, HttpRequest&, const Identity&)) {
    return [&ctx, fn](HttpRequest& req, const Identity& who) { return fn(ctx, req, who); };
  };
  // Routes that may reveal secrets are not cached: every reveal is audited.
  router.add({"GET", path("/draft"), "config.read",
              "The config draft: items (secrets masked), changes since its base version, problems",
              bind(get_draft)});
  router.add({"PUT", path("/draft"), "config.edit", "Replace every item of the config draft (batch edit)",
              bind(put_draft)});
  router.add({"PATCH", path("/draft/items"), "config.edit",
              "Add, change or remove some items of the config draft", bind(patch_items)});
  router.add({"POST", path("/publish"), "config.publish",
              "Publish the draft as the next config version; 422 lists every invalid item", bind(publish)});
  router.add(cached({"GET", path("/versions"), "config.read", "Published config versions, newest first",
                     [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
                       auto options = list_options(req);
                       if (!options) return fail(options.error());
                       auto page = ctx.store.list_config_versions(key_of(req), *options);
                       if (!page) return fail(page.error());
                       return page_response(*page, [](const ConfigVersion& v) { return encode_version(v); });
                     }}));
  router.add({"GET", path("/versions/{version}"), "config.read", "One config version with its items",
              bind(get_version)});
  router.add(
      cached({"GET", path("/diff"), "config.read",
              "Changes between two config versions or a version and the draft (?from=&to=)", bind(diff)}));
  // Both take ?dryRun=true: the draft they would leave, unsaved, for a preview.
  router.add(
      dry_runnable({"POST", path("/import"), "config.edit",
                    "Import .properties, .env, YAML or JSON text into the draft", bind(import_items)}));
  router.add({"GET", path("/export"), "config.read",
              "Export a config version's scalar items as .properties, .env, YAML or JSON",
              bind(export_items)});
  router.add({"GET", path("/live"), "config.read",
              "The version config clients should have now; ?after=N waits (long poll) until it is not N, 304 "
              "after ?wait=",
              bind(live)});
  // A key reads secret values through the Apollo API, so handing one out needs config.reveal.
  router.add({"POST", path("/access-keys"), "config.reveal",
              "Create an access key for the Apollo-compatible API (the secret is shown once)",
              bind(create_access_key)});
  router.add({"GET", path("/access-keys"), "config.read",
              "Access keys of the Apollo-compatible API (no secrets)", bind(list_access_keys)});
  router.add({"DELETE", path("/access-keys/{id}"), "config.reveal", "Revoke an access key",
              bind(delete_access_key)});
  router.add(
      dry_runnable({"POST", path("/copy-to"), "config.edit",
                    "Copy this environment's config into another environment's draft", bind(copy_to)}));
  // Project-wide, so it needs project.read; the hits are filtered to environments where the caller holds
  // config.read.
  router.add(cached({"GET", "/api/v1/projects/{project}/config/search", "project.read",
                     "Search the project's config drafts by key, non-secret value and comment (?q=); only "
                     "environments where the caller holds config.read",
                     bind(search)}));
}

}  // namespace wharf::api
