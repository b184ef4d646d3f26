#include "api/handler_support.h"
#include "api/routes.h"
#include "image/image_reference.h"
#include "image/image_store.h"

namespace wharf::api {
namespace {

// "host[:port]" as image references name a registry; `invalid` otherwise.
Status check_registry(const std::string& registry) {
  auto ref = parse_image_reference(registry + "/x");
  if (!ref || ref->registry != registry)
    return fail(Error::invalid("registry", "\"" + registry + "\" is not a registry host[:port]"));
  return {};
}

Result<ImageStore*> image_store(ApiContext& ctx) {
  if (!ctx.images) return fail(Error::unavailable("this server has no image store"));
  return ctx.images;
}

HttpResponse names_response(const NamePage& page, const std::function<json(const std::string&)>& item) {
  json items = json::array();
  for (const auto& name : page.names) items.push_back(item(name));
  return HttpResponse::json(200, json{{"items", std::move(items)}, {"continue", page.continue_token}}.dump());
}

}  // namespace

void add_registry_routes(Router& router, ApiContext& ctx) {
  router.add({"GET", "/api/v1/registries/{registry}/repositories", "image.read",
              "List the repositories of a registry (its _catalog)",
              [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
                const auto& registry = req.param("registry");
                if (auto s = check_registry(registry); !s) return tl::unexpected(s.error());
                auto options = list_options(req);
                if (!options) return tl::unexpected(options.error());
                auto images = image_store(ctx);
                if (!images) return tl::unexpected(images.error());
                auto page = (*images)->list_repositories(registry, options->limit, options->continue_token);
                if (!page) return tl::unexpected(page.error());
                return names_response(*page, [&](const std::string& name) {
                  return json{{"name", name}, {"image", registry + "/" + name}};
                });
              }});
  router.add({"GET", "/api/v1/registries/{registry}/tags", "image.read",
              "List the tags of a repository (?repository=team/web)",
              [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
                const auto& registry = req.param("registry");
                if (auto s = check_registry(registry); !s) return tl::unexpected(s.error());
                auto repository = req.q("repository").value_or("");
                if (repository.empty())
                  return fail(Error::invalid("repository", "add ?repository=NAME, for example team/web"));
                auto options = list_options(req);
                if (!options) return tl::unexpected(options.error());
                auto images = image_store(ctx);
                if (!images) return tl::unexpected(images.error());
                auto page =
                    (*images)->list_tags(registry, repository, options->limit, options->continue_token);
                if (!page) return tl::unexpected(page.error());
                return names_response(*page, [&](const std::string& tag) {
                  return json{{"name", tag}, {"image", registry + "/" + repository + ":" + tag}};
                });
              }});
}

}  // namespace wharf::api
