// `wharf config ...`: the config centre of an app in an environment. Edits (set, unset, import, copy) go
// to the environment's draft; `publish` turns the draft into the next immutable config version, which the
// next deploy uses. Secret values stay masked unless --reveal is given by someone who holds config.reveal.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "cli/api_client.h"
#include "cli/api_paths.h"
#include "cli/document_file.h"
#include "cli/output.h"
#include "cli/release_wait.h"
#include "cli/table.h"
#include "cli/time_format.h"
#include "cli/verbs.h"

namespace wharf::cli {
namespace {

constexpr size_t kValueColumns = 40;  // the VALUE column of tables
constexpr size_t kDiffColumns = 60;   // each value on a diff line
constexpr std::string_view kMask = "******";

struct ConfigOptions {
  std::string project, app, env;
  std::string version;  // list, show: N; export, copy: N or "draft"
  bool draft = false, reveal = false;
  std::vector<std::string> assignments, files, keys;  // set: KEY=VALUE, --from-file KEY=PATH; unset: KEY
  std::string type, comment;
  bool secret = false, not_secret = false;
  std::string file, format;  // import, export
  bool replace = false;
  std::string from, to;  // diff: versions; copy: environments
  std::string message, apply, timeout = "300s";
  bool wait = false;
  std::string text;  // search
  int limit = 0;
  std::string key_id;  // access-key revoke
};

std::string config_path(const ProjectScope& scope, const ConfigOptions& o, std::string_view tail) {
  return paths::app_env(scope.project, o.app, o.env, "config/" + std::string(tail));
}

std::string where(const std::string& app, const std::string& env) {
  return "\"" + app + "\" in " + env;
}

// "wharf config VERB APP -e ENV" (with -p when given): a command to suggest.
std::string suggest(const char* verb, const ConfigOptions& o, const std::string& env) {
  return "wharf config " + std::string(verb) + " " + o.app + " -e " + env +
         (o.project.empty() ? "" : " -p " + o.project);
}

std::string plural(size_t n, const char* noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

std::string joined(const json& list, const char* separator = ", ") {
  std::string out;
  for (const auto& s : list)
    if (s.is_string()) out += (out.empty() ? "" : separator) + s.get<std::string>();
  return out;
}

// "812 B", "1.5 KiB", "3.0 MiB".
std::string byte_size(const json& object, const char* key) {
  if (!object.contains(key) || !object[key].is_number()) return "";
  const double n = object[key].get<double>();
  if (n < 1024) return std::to_string(static_cast<int64_t>(n)) + " B";
  char text[32];
  if (n < 1024 * 1024) {
    std::snprintf(text, sizeof text, "%.1f KiB", n / 1024);
  } else {
    std::snprintf(text, sizeof text, "%.1f MiB", n / (1024 * 1024));
  }
  return text;
}

// ---- printing items and changes

void print_items(const json& items, const std::string& empty_sentence) {
  if (!items.is_array() || items.empty()) {
    say(empty_sentence);
    return;
  }
  Table table({"KEY", "TYPE", "VALUE", "SECRET", "COMMENT"});
  for (const auto& i : items)
    table.add_row({text_of(i, "key"), text_of(i, "type"), preview(text_of(i, "value"), kValueColumns),
                   yes_no(i, "secret"), text_of(i, "comment")});
  table.print(std::cout);
}

// Colours for diff lines: only on a terminal, and not when NO_COLOR is set (no-color.org) or TERM=dumb.
struct Palette {
  std::string_view added, removed, changed, reset;
};

Palette palette() {
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  if (!isatty(STDOUT_FILENO) || (no_color && *no_color) || (term && std::string_view(term) == "dumb"))
    return {};
  return {"\033[32m", "\033[31m", "\033[33m", "\033[0m"};
}

std::string shown_value(const json& change, const char* field) {
  if (change.value("secret", false)) return std::string(kMask);
  if (!change.contains(field)) return "";
  // As it is when that is unambiguous; else quoted with escapes: "", " padded ", "line1\nline2".
  const std::string value = text_of(change, field);
  const bool plain = !value.empty() && value.front() != ' ' && value.back() != ' ' &&
                     std::none_of(value.begin(), value.end(), [](char c) {
                       return static_cast<unsigned char>(c) < 0x20 || c == 0x7F || c == '"';
                     });
  return preview(plain ? value : json(value).dump(), kDiffColumns);
}

// One line per change: "+ KEY = value", "- KEY = value", "~ KEY: old -> new". Secret values never
// appear (the server does not send them): a changed secret says what changed.
void print_changes(const json& changes) {
  const Palette colour = palette();
  for (const auto& c : changes) {
    const std::string key = cell(text_of(c, "key"));
    const std::string kind = text_of(c, "change");
    const std::string secret = c.value("secret", false) ? " (secret)" : "";
    std::string line;
    std::string_view start;
    if (kind == "added") {
      start = colour.added;
      line = "+ " + key + " = " + shown_value(c, "newValue") + secret;
    } else if (kind == "removed") {
      start = colour.removed;
      line = "- " + key + " = " + shown_value(c, "oldValue") + secret;
    } else {
      start = colour.changed;
      json others = json::array();
      for (const auto& f : c.value("fields", json::array()))
        if (!c.contains("newValue") || f != "value") others.push_back(f);
      if (c.contains("newValue")) {
        line = "~ " + key + ": " + shown_value(c, "oldValue") + " -> " + shown_value(c, "newValue");
        if (!others.empty()) line += " (also " + joined(others) + ")";
      } else {
        line = "~ " + key + secret + ": " + joined(others) + " changed";
      }
    }
    std::cout << start << line << colour.reset << '\n';
  }
}

// "version 3", "the draft", "version 0 (empty)".
std::string snapshot_name(const json& which) {
  if (which.is_string()) return which == "draft" ? "the draft" : "version " + which.get<std::string>();
  if (which.is_number_integer() && which.get<int64_t>() == 0) return "version 0 (empty)";
  return "version " + which.dump();
}

// The problems that would stop a publish, on stderr: they do not stop an edit.
void warn_problems(const json& draft) {
  for (const auto& p : draft.value("problems", json::array()))
    std::cerr << "warning: " << text_of(p, "key") << ": " << text_of(p, "message") << " ("
              << text_of(p, "field") << "); publishing is refused until this is fixed\n";
}

// What an edit prints: the draft with -o json|yaml; for people `sentence`, the draft's unpublished
// changes and how to publish them.
void report_draft(Session& session, const json& draft, const ConfigOptions& o, const std::string& env,
                  const std::string& sentence) {
  if (session.json_output()) {
    print_json(draft);
    return;
  }
  say(sentence);
  const json changes = draft.value("changes", json::array());
  const std::string base = snapshot_name(draft.value("baseVersion", json(0)));
  if (changes.empty()) {
    say("The draft is the same as " + base + ": nothing to publish.");
  } else {
    say(plural(changes.size(), "unpublished change") + " since " + base + ":");
    print_changes(changes);
    say("Publish with `" + suggest("publish", o, env) + " -m MESSAGE`.");
  }
  warn_problems(draft);
}

// ---- list, show, versions

// `?reveal=1` when asked for.
std::string reveal_query(const ConfigOptions& o) {
  std::string query;
  if (o.reveal) add_query(query, "reveal", "1");
  return query;
}

// The number of the latest published version, or a refusal naming the draft when there is none.
Outcome<std::string> latest_version(const ProjectScope& scope, const ConfigOptions& o) {
  auto page = scope.api->get(config_path(scope, o, "versions?limit=1"));
  if (!page) return tl::unexpected(page.error());
  const json items = page->value("items", json::array());
  if (items.empty())
    return refused("no config version of " + where(o.app, o.env) +
                   " is published yet; --draft shows the draft, `wharf config publish` publishes it");
  return text_of(items.front(), "version");
}

// The version --version names, else the latest one, with its items.
Outcome<json> get_version(const ProjectScope& scope, const ConfigOptions& o) {
  std::string version = o.version;
  if (version.empty()) {
    auto latest = latest_version(scope, o);
    if (!latest) return tl::unexpected(latest.error());
    version = *latest;
  }
  return scope.api->get(config_path(scope, o, "versions/" + url_escape(version)) + reveal_query(o));
}

Outcome<void> list(Session& session, const ConfigOptions& o) {
  auto scope = session.in_project(o.project);
  if (!scope) return tl::unexpected(scope.error());
  auto snapshot =
      o.draft ? scope->api->get(config_path(*scope, o, "draft") + reveal_query(o)) : get_version(*scope, o);
  if (!snapshot) return tl::unexpected(snapshot.error());
  if (session.json_output()) {
    print_json(*snapshot);
    return {};
  }
  print_items(snapshot->value("items", json::array()),
              "No config items in " +
                  std::string(o.draft ? "the draft" : "version " + text_of(*snapshot, "version")) + " of " +
                  where(o.app, o.env) + ".");
  if (o.draft) {
    if (size_t n = snapshot->value("changes", json::array()).size(); n > 0)
      std::cerr << plural(n, "unpublished change") << " since "
                << snapshot_name(snapshot->value("baseVersion", json(0))) << ": `"
                << suggest("diff", o, o.env) << "` shows them\n";
    warn_problems(*snapshot);
  }
  return {};
}

Outcome<void> show(Session& session, const ConfigOptions& o) {
  auto scope = session.in_project(o.project);
  if (!scope) return tl::unexpected(scope.error());
  auto v = get_version(*scope, o);
  if (!v) return tl::unexpected(v.error());
  if (session.json_output()) {
    print_json(*v);
    return {};
  }
  print_fields(std::cout, {{"Version", text_of(*v, "version")},
                           {"App", text_of(*v, "app")},
                           {"Environment", text_of(*v, "environment")},
                           {"Message", text_of(*v, "message")},
                           {"Author", text_of(*v, "createdBy")},
                           {"Created", short_time(text_of(*v, "createdAt"))},
                           {"Items", text_of(*v, "itemCount")},
                           {"Size", byte_size(*v, "size")}});
  std::cout << '\n';
  print_items(v->value("items", json::array()), "No config items in this version.");
  return {};
}

Outcome<void> versions(Session& session, const ConfigOptions& o) {
  auto scope = session.in_project(o.project);
  if (!scope) return tl::unexpected(scope.error());
  auto items = scope->api->list(config_path(*scope, o, "versions"), o.limit);
  if (!items) return tl::unexpected(items.error());
  if (session.json_output()) {
    print_json(*items);
    return {};
  }
  if (items->empty()) {
    say("No config version of " + where(o.app, o.env) + " is published yet.");
    return {};
  }
  Table table({"VERSION", "MESSAGE", "AUTHOR", "CREATED", "ITEMS", "SIZE"});
  for (const auto& v : *items)
    table.add_row({text_of(v, "version"), preview(text_of(v, "message"), kDiffColumns),
                   text_of(v, "createdBy"), short_time(text_of(v, "createdAt")), text_of(v, "itemCount"),
                   byte_size(v, "size")});
  table.print(std::cout);
  return {};
}

// ---- set, unset

// KEY=VALUE split at the first '='; a usage failure without one or with an empty key.
Outcome<std::pair<std::string, std::string>> split_assignment(const std::string& text, const char* what) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    return usage_error("\"" + text + "\" is not " + what + " (the key, '=', then the " +
                       (std::string_view(what) == "KEY=PATH" ? "file" : "value") + ")");
  return std::pair{text.substr(0, eq), text.substr(eq + 1)};
}

// A new item's type from the extension of its name (the key) when that names a kind of file:
// application.yaml is yaml, nginx.conf is text. Other keys (DB_PASSWORD, db.pool.size) get none: a string.
std::optional<std::string> file_type_of(std::string_view key) {
  const size_t dot = key.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const std::string_view ext = key.substr(dot + 1);
  if (ext == "yaml" || ext == "yml") return "yaml";
  if (ext == "json" || ext == "properties") return std::string(ext);
  for (std::string_view text :
       {"txt", "conf", "cfg", "ini", "toml", "xml", "html", "csv", "sql", "sh", "pem", "crt"})
    if (ext == text) return "text";
  return std::nullopt;
}

bool is_utf8(const std::string& text) {
  try {
    (void)json(text).dump();
    return true;
  } catch (const json::type_error&) {
    return false;
  }
}

bool has_item(const json& draft, const std::string& key) {
  for (const auto& i : draft.value("items", json::array()))
    if (text_of(i, "key") == key) return true;
  return false;
}

Outcome<void> set(Session& session, const ConfigOptions& o, const CLI::App& cmd) {
  if (o.assignments.empty() && o.files.empty())
    return usage_error("nothing to set: give KEY=VALUE arguments or --from-file KEY=PATH");
  json items = json::array();
  std::set<std::string> seen;
  std::vector<size_t> typed_by_name;  // positions in `items` of keys named like files (without --type)
  auto add = [&](const std::string& key, std::string value) -> Outcome<void> {
    if (!seen.insert(key).second) return usage_error("\"" + key + "\" is set twice in one command");
    json item{{"key", key}, {"value", std::move(value)}};
    if (!o.type.empty()) item["type"] = o.type;
    if (cmd.count("--comment")) item["comment"] = o.comment;
    if (o.secret || o.not_secret) item["secret"] = o.secret;
    if (o.type.empty() && file_type_of(key)) typed_by_name.push_back(items.size());
    items.push_back(std::move(item));
    return {};
  };
  for (const auto& a : o.assignments) {
    auto kv = split_assignment(a, "KEY=VALUE");
    if (!kv) return tl::unexpected(kv.error());
    if (auto added = add(kv->first, kv->second); !added) return added;
  }
  for (const auto& f : o.files) {
    auto kv = split_assignment(f, "KEY=PATH");
    if (!kv) return tl::unexpected(kv.error());
    auto content = read_text(kv->second);
    if (!content) return tl::unexpected(content.error());
    if (!is_utf8(*content))
      return usage_error(kv->second +
                         " is not UTF-8 text; config items hold text (encode binary data first)");
    if (auto added = add(kv->first, std::move(*content)); !added) return added;
  }
  auto scope = session.in_project(o.project);
  if (!scope) return tl::unexpected(scope.error());
  if (!typed_by_name.empty()) {
    // An item that exists keeps its type; a new one named like a file gets the type its name suggests.
    auto draft = scope->api->get(config_path(*scope, o, "draft"));
    if (!draft) return tl::unexpected(draft.error());
    for (size_t n : typed_by_name) {
      const std::string key = items[n]["key"];
      if (auto type = file_type_of(key); type && !has_item(*draft, key)) items[n]["type"] = *type;
    }
  }
  auto draft = scope->api->patch(config_path(*scope, o, "draft/items"), json{{"set", items}});
  if (!draft) return tl::unexpected(draft.error());
  json keys = json::array();
  for (const auto& i : items) keys.push_back(i["key"]);
  report_draft(session, *draft, o, o.env, "Draft of " + where(o.app, o.env) + ": set " + joined(keys) + ".");
  return {};
}

Outcome<void> unset(Session& session, const ConfigOptions& o) {
  auto scope = session.in_project(o.project);
  if (!scope) return tl::unexpected(scope.error());
  // Keys the draft does not have are refused, so that a typo does not pass for a removal.
  auto current = scope->api->get(config_path(*scope, o, "draft"));
  if (!current) return tl::unexpected(current.error());
  std::string missing;
  for (const auto& key : o.keys)
    if (!has_item(*current, key)) missing += (missing.empty() ? "\"" : ", \"") + key + "\"";
  if (!missing.empty())
    return refused("the draft of " + where(o.app, o.env) + " has no item " + missing +
                   "; nothing was removed (`" + suggest("list", o, o.env) + " --draft` lists the items)");
  auto draft = scope->api->patch(config_path(*scope, o, "draft/items"), json{{"remove", o.keys}});
  if (!draft) return tl::unexpected(draft.error());
  report_draft(session, *draft, o, o.env,
               "Draft of " + where(o.app, o.env) + ": removed " + joined(json(o.keys)) + ".");
  return {};
}

// ---- import, export

// --format, else the file's extension (app.properties, .env or prod.env, app.yaml, app.json).
Outcome<std::string> import_format(const ConfigOptions& o) {
  if (!o.format.empty()) return o.format;
  const std::string_view name = o.file;
  const size_t dot = name.rfind('.');
  const std::string_view ext = dot == std::string_view::npos ? "" : name.substr(dot + 1);
  if (ext == "properties" || ext == "env" || ext == "yaml" || ext == "json") return std::string(ext);
  if (ext == "yml") return std::string("yaml");
  return usage_error("cannot tell the format of " + (o.file == "-" ? std::string("standard input") : o.file) +
                     " from its name: pass --format properties, env, yaml or json");
}

Outcome<void> import_file(Session& session, const ConfigOptions& o) {
  auto format = import_format(o);
  if (!format) return tl::unexpected(format.error());
  auto text = read_text(o.file);
  if (!text) return tl::unexpected(text.error());
  if (!is_utf8(*text)) return usage_error(o.file + " is not UTF-8 text");
  auto scope = session.in_project(o.project);
  if (!scope) return tl::unexpected(scope.error());
  json body{{"format", *format}, {"text", std::move(*text)}, {"mode", o.replace ? "replace" : "merge"}};
  auto draft = scope->api->post(config_path(*scope, o, "import"), body);
  if (!draft) return tl::unexpected(draft.error());
  const std::string source = o.file == "-" ? "standard input" : o.file;
  report_draft(session, *draft, o, o.env,
               "Draft of " + where(o.app, o.env) + ": imported " + source + " (" + *format + ", " +
                   (o.replace ? "replacing the other values" : "merged") + ").");
  return {};
}

Outcome<void> export_items(Session& session, const ConfigOptions& o) {
  auto scope = session.in_project(o.project);
  if (!scope) return tl::unexpected(scope.error());
  std::string query = reveal_query(o);
  // Without --format, -o json|yaml picks the format.
  const std::string format =
      !o.format.empty() || !session.json_output() ? o.format : session.options().output;
  if (!format.empty()) add_query(query, "format", format);
  if (!o.version.empty()) add_query(query, "version", o.version);
  auto text = scope->api->get_text(config_path(*scope, o, "export") + query);
  if (!text) return tl::unexpected(text.error());
  std::cout << *text;
  return {};
}

// ---- diff, publish

Outcome<void> diff(Session& session, const ConfigOptions& o) {
  auto scope = session.in_project(o.project);
  if (!scope) return tl::unexpected(scope.error());
  std::string query;
  if (!o.from.empty()) add_query(query, "from", o.from);
  if (!o.to.empty()) add_query(query, "to", o.to);
  auto d = scope->api->get(config_path(*scope, o, "diff") + query);
  if (!d) return tl::unexpected(d.error());
  if (session.json_output()) {
    print_json(*d);
    return {};
  }
  const std::string span =
      snapshot_name(d->value("from", json())) + " to " + snapshot_name(d->value("to", json()));
  const json changes = d->value("changes", json::array());
  if (changes.empty()) {
    say("No changes from " + span + " of " + where(o.app, o.env) + ".");
    return {};
  }
  say(plural(changes.size(), "change") + " from " + span + " of " + where(o.app, o.env) + ":");
  print_changes(changes);
  return {};
}

Outcome<void> publish(Session& session, const ConfigOptions& o, const CLI::App& cmd) {
  std::chrono::seconds timeout{0};
  if (o.wait) {
    auto parsed = parse_duration(o.timeout);
    if (!parsed || parsed->count() == 0)
      return usage_error("--timeout \"" + o.timeout + "\" must be a duration such as 300s, 5m or 1h");
    timeout = *parsed;
  }
  auto scope = session.in_project(o.project);
  if (!scope) return tl::unexpected(scope.error());
  json body{{"message", o.message}};
  // Sent only when asked for, so that a server without the field still takes a plain publish.
  if (cmd.count("--apply")) body["apply"] = o.apply;
  auto v = scope->api->post(config_path(*scope, o, "publish"), body);
  if (!v) return tl::unexpected(v.error());
  const std::string version = text_of(*v, "version");
  const std::string apply = v->contains("apply") ? text_of(*v, "apply") : o.apply;
  const json release = v->value("release", json());
  if (!session.json_output()) {
    const json changes = v->value("changes", json::array());
    say("Published config version " + version + " of " + where(o.app, o.env) + " (" +
        plural(changes.size(), "change") + "):");
    print_changes(changes);
    if (release.is_object()) {
      say("Release " + text_of(release, "revision") + " rolls it out: " + text_of(release, "status") + ".");
    } else if (apply == "hot") {
      say("Config clients get it now; running instances at their next release.");
    } else if (!v->contains("releaseError")) {
      say("The next deploy of " + where(o.app, o.env) + " uses it.");
    }
  }
  // The version is published even when the release that was to roll it out could not start: say so, and
  // fail, since what was asked for did not all happen.
  if (const json error = v->value("releaseError", json()); error.is_object()) {
    if (session.json_output()) print_json(*v);
    return refused("config version " + version +
                   " is published, but no release rolls it out: " + text_of(error, "message"));
  }
  if (!o.wait || !release.is_object()) {
    if (o.wait) std::cerr << "nothing to wait for: the publish started no release\n";
    if (session.json_output()) print_json(*v);
    return {};
  }
  const std::string revision = text_of(release, "revision");
  auto done = wait_for_release(*scope->api,
                               paths::app_env(scope->project, o.app, o.env, "releases/" + revision), timeout);
  if (!done) return tl::unexpected(done.error());
  if (session.json_output()) {
    (*v)["release"] = *done;
    print_json(*v);
  } else {
    say("Release " + revision + " succeeded: " + readiness(*done) + " ready.");
  }
  return {};
}

// ---- copy, search

Outcome<void> copy(Session& session, const ConfigOptions& o) {
  auto scope = session.in_project(o.project);
  if (!scope) return tl::unexpected(scope.error());
  ConfigOptions source = o;
  source.env = o.from;
  json body{{"environment", o.to}};
  if (!o.version.empty()) body["from"] = o.version;  // "draft" or a number, as text: the server reads both
  auto draft = scope->api->post(config_path(*scope, source, "copy-to"), body);
  if (!draft) return tl::unexpected(draft.error());
  const json copied = draft->value("copiedFrom", json::object());
  report_draft(session, *draft, o, o.to,
               "Draft of " + where(o.app, o.to) + ": copied from " + o.from + " (" +
                   snapshot_name(copied.value("version", json())) + ").");
  return {};
}

Outcome<void> search(Session& session, const ConfigOptions& o) {
  auto scope = session.in_project(o.project);
  if (!scope) return tl::unexpected(scope.error());
  std::string query;
  add_query(query, "q", o.text);
  auto hits = scope->api->list(paths::project(scope->project) + "/config/search" + query, o.limit);
  if (!hits) return tl::unexpected(hits.error());
  if (session.json_output()) {
    print_json(*hits);
    return {};
  }
  if (hits->empty()) {
    say("No config item in project \"" + scope->project + "\" matches \"" + o.text + "\".");
    return {};
  }
  Table table({"APP", "ENV", "KEY", "MATCHED", "VALUE", "COMMENT"});
  for (const auto& h : *hits)
    table.add_row({text_of(h, "app"), text_of(h, "environment"), text_of(h, "key"),
                   joined(h.value("matched", json::array()), ","),
                   preview(text_of(h, "value"), kValueColumns), text_of(h, "comment")});
  table.print(std::cout);
  return {};
}

// ---- access keys of the Apollo-compatible API

Outcome<void> create_access_key(Session& session, const ConfigOptions& o) {
  auto scope = session.in_project(o.project);
  if (!scope) return tl::unexpected(scope.error());
  auto key = scope->api->post(config_path(*scope, o, "access-keys"), json::object());
  if (!key) return tl::unexpected(key.error());
  if (session.json_output()) {
    print_json(*key);
    return {};
  }
  // The secret goes to standard output alone, so that `$(wharf config access-key create ...)` captures it.
  std::cerr << "Access key " << text_of(*key, "id") << " of " << where(o.app, o.env)
            << " created; its secret is shown only now. Give it to the Apollo client as "
               "apollo.access-key.secret, with the meta server "
            << scope->api->server().text << "/apollo/" << scope->project << "/" << o.env << "\n";
  std::cout << text_of(*key, "secret") << "\n";
  return {};
}

Outcome<void> list_access_keys(Session& session, const ConfigOptions& o) {
  auto scope = session.in_project(o.project);
  if (!scope) return tl::unexpected(scope.error());
  auto keys = scope->api->get(config_path(*scope, o, "access-keys"));
  if (!keys) return tl::unexpected(keys.error());
  const json items = keys->value("items", json::array());
  if (session.json_output()) {
    print_json(items);
    return {};
  }
  if (items.empty()) {
    say("No access key of " + where(o.app, o.env) + "; `" + suggest("access-key create", o, o.env) +
        "` makes one.");
    return {};
  }
  Table table({"ID", "CREATED BY", "CREATED"});
  for (const auto& k : items)
    table.add_row({text_of(k, "id"), text_of(k, "createdBy"), short_time(text_of(k, "createdAt"))});
  table.print(std::cout);
  return {};
}

Outcome<void> revoke_access_key(Session& session, const ConfigOptions& o) {
  auto scope = session.in_project(o.project);
  if (!scope) return tl::unexpected(scope.error());
  auto done = scope->api->del(config_path(*scope, o, "access-keys/" + url_escape(o.key_id)));
  if (!done) return tl::unexpected(done.error());
  if (!session.json_output()) say("Access key " + o.key_id + " of " + where(o.app, o.env) + " revoked.");
  return {};
}

// ---- declarations

// A subcommand about one app in one environment: APP, -e, -p.
CLI::App* app_env_command(CLI::App& group, const char* name, const char* help, ConfigOptions& o) {
  auto* cmd = group.add_subcommand(name, help);
  cmd->add_option("app", o.app, "App name")->required();
  add_env_option(cmd, o.env);
  add_project_option(cmd, o.project);
  return cmd;
}

void add_reveal_flag(CLI::App* cmd, ConfigOptions& o) {
  cmd->add_flag("--reveal", o.reveal,
                "Show secret values (needs the config.reveal permission; every reveal is audited)");
}

}  // namespace

void add_config_verbs(CLI::App& app, VerbRegistry& verbs) {
  auto* group = app.add_subcommand(
      "config", "Edit, publish and inspect an app's configuration in an environment (the config centre)");
  group->require_subcommand(1);
  auto o = std::make_shared<ConfigOptions>();

  auto* l = app_env_command(
      *group, "list", "List the items of the latest config version (or of the draft, or of --version N)", *o);
  auto* draft_flag = l->add_flag("--draft", o->draft, "The draft: what `publish` would publish");
  l->add_option("--version", o->version, "This published version")->excludes(draft_flag);
  add_reveal_flag(l, *o);
  verbs.add(
      l, [o](Session& s) { return list(s, *o); }, YamlOutput::kYes);

  auto* st = app_env_command(*group, "set", "Add or change items of the draft (one batch)", *o);
  st->add_option("items", o->assignments, "KEY=VALUE pairs");
  st->add_option(
        "--from-file", o->files,
        "KEY=PATH: the item's value is the file's content ('-' reads standard input, so that a secret "
        "stays out of the command line); repeat for more")
      ->allow_extra_args(false);
  st->add_option("--type", o->type,
                 "Type of every item given: string, int, bool, json, yaml, properties, text (default: as "
                 "before; a new item named like a file gets that file's type: .yaml, .json, .properties, and "
                 "text for .conf, .txt, .xml, ...; other new items are strings)");
  st->add_option("--comment", o->comment, "Comment on every item given ('' clears it)");
  auto* secret_flag = st->add_flag("--secret", o->secret, "Make the items secret: encrypted, shown masked");
  st->add_flag("--no-secret", o->not_secret, "Make secret items plain again (give their values)")
      ->excludes(secret_flag);
  verbs.add(
      st, [o, st](Session& s) { return set(s, *o, *st); }, YamlOutput::kYes);

  auto* un = app_env_command(*group, "unset", "Remove items from the draft", *o);
  un->add_option("keys", o->keys, "Keys to remove")->required();
  verbs.add(
      un, [o](Session& s) { return unset(s, *o); }, YamlOutput::kYes);

  auto* im =
      app_env_command(*group, "import", "Import a .properties, .env, YAML or JSON file into the draft", *o);
  im->add_option("file", o->file, "The file ('-' reads standard input)")->required();
  im->add_option("--format", o->format, "properties, env, yaml or json (default: from the file's extension)")
      ->check(CLI::IsMember({"properties", "env", "yaml", "json"}));
  im->add_flag("--replace", o->replace,
               "Remove the values the file does not name (file items stay); default: merge into the draft");
  verbs.add(
      im, [o](Session& s) { return import_file(s, *o); }, YamlOutput::kYes);

  auto* ex =
      app_env_command(*group, "export", "Print a config version's values as a file (files excluded)", *o);
  ex->add_option("--version", o->version, "Version number, or draft (default: the latest version)");
  ex->add_option("--format", o->format,
                 "properties (default), env, yaml or json (default with -o json|yaml: that)")
      ->check(CLI::IsMember({"properties", "env", "yaml", "json"}));
  add_reveal_flag(ex, *o);
  verbs.add(
      ex, [o](Session& s) { return export_items(s, *o); }, YamlOutput::kYes);

  auto* di = app_env_command(*group, "diff",
                             "Show what changed between two versions, or a version and the draft", *o);
  di->add_option("--from", o->from, "Version number or draft (default: the version the draft started from)");
  di->add_option("--to", o->to, "Version number or draft (default: draft)");
  verbs.add(
      di, [o](Session& s) { return diff(s, *o); }, YamlOutput::kYes);

  auto* pu = app_env_command(*group, "publish", "Publish the draft as the next config version", *o);
  pu->add_option("-m,--message", o->message, "What changed and why: recorded in the history")->required();
  pu->add_option("--apply", o->apply,
                 "What running instances do now: none (the next deploy uses it; the default), restart (a "
                 "rolling restart) or hot (a hot update)")
      ->check(CLI::IsMember({"none", "restart", "hot"}));
  auto* wait = pu->add_flag("--wait", o->wait,
                            "When the publish starts a release (--apply), wait until it succeeds (exit 0) or "
                            "fails (exit 1)");
  pu->add_option("--timeout", o->timeout, "With --wait: give up after this long (exit 3)")
      ->needs(wait)
      ->capture_default_str();
  verbs.add(
      pu, [o, pu](Session& s) { return publish(s, *o, *pu); }, YamlOutput::kYes);

  auto* ve = app_env_command(*group, "versions", "List the published config versions, newest first", *o);
  add_limit_option(ve, o->limit);
  verbs.add(
      ve, [o](Session& s) { return versions(s, *o); }, YamlOutput::kYes);

  auto* sh =
      app_env_command(*group, "show", "Show a config version: who published it, when, why, its items", *o);
  sh->add_option("--version", o->version, "Version number (default: the latest)");
  add_reveal_flag(sh, *o);
  verbs.add(
      sh, [o](Session& s) { return show(s, *o); }, YamlOutput::kYes);

  auto* co = group->add_subcommand(
      "copy", "Copy an environment's config into another environment's draft, and show what that changes");
  co->add_option("app", o->app, "App name")->required();
  co->add_option("--from", o->from, "Environment to copy from")->required();
  co->add_option("--to", o->to, "Environment whose draft receives the copy")->required();
  co->add_option("--version", o->version, "Version of the source to copy, or draft (default: its latest)");
  add_project_option(co, o->project);
  verbs.add(
      co, [o](Session& s) { return copy(s, *o); }, YamlOutput::kYes);

  auto* se = group->add_subcommand(
      "search", "Search a project's config drafts by key, value (secrets excepted) and comment");
  se->add_option("text", o->text, "Text to look for (case-insensitive)")->required();
  add_project_option(se, o->project);
  add_limit_option(se, o->limit);
  verbs.add(
      se, [o](Session& s) { return search(s, *o); }, YamlOutput::kYes);
  auto* ak = group->add_subcommand(
      "access-key", "Access keys with which Apollo clients read the config (the Apollo-compatible API)");
  ak->require_subcommand(1);
  auto* akc = app_env_command(
      *ak, "create", "Create an access key and print its secret (shown once; needs config.reveal)", *o);
  verbs.add(
      akc, [o](Session& s) { return create_access_key(s, *o); }, YamlOutput::kYes);
  auto* akl = app_env_command(*ak, "list", "List the access keys (never their secrets)", *o);
  verbs.add(
      akl, [o](Session& s) { return list_access_keys(s, *o); }, YamlOutput::kYes);
  auto* akr = app_env_command(*ak, "revoke", "Revoke an access key: its clients are refused at once", *o);
  akr->add_option("id", o->key_id, "The key's id (from `list`)")->required();
  verbs.add(
      akr, [o](Session& s) { return revoke_access_key(s, *o); }, YamlOutput::kYes);

  // Set last, so that the subcommands keep the root's footer (the exit codes).
  group->footer(
      "Edits go to the environment's draft; `publish` makes the draft the next config version, which the "
      "next deploy uses (`wharf deploy --config-version N` picks another one, `wharf rollback` restores a "
      "release's).\n\n"
      "Example:\n"
      "  wharf config set web -e prod DB_URL=postgres://db/shop\n"
      "  wharf config set web -e prod POOL=10 --type int --comment \"connections\"\n"
      "  printf %s \"$PW\" | wharf config set web -e prod --secret --from-file DB_PASSWORD=-\n"
      "  wharf config diff web -e prod\n"
      "  wharf config publish web -e prod -m \"bigger pool\" --apply restart --wait");
}

}  // namespace wharf::cli
