// Registering a route module's member functions (api.cpp, alerts_api.cpp, posture_api.cpp): each
// module is one object shared by its route handlers, which keep it alive, and registers a static
// table of (method, pattern, access, member function).
#pragma once

#include <memory>
#include <stdexcept>
#include <string_view>
#include <utility>

#include <httplib.h>

#include "server/server.h"

namespace bulwark::server {

template <class Module>
class MemberRoutes {
 public:
  using Handler = void (Module::*)(const RequestContext&, httplib::Response&);

  MemberRoutes(Server& server, std::shared_ptr<Module> module)
      : server_(server), module_(std::move(module)) {}

  // Adds the route. The tables are static: a failure (a bad pattern, a duplicate route) is a
  // programming error the tests catch, thrown as std::logic_error.
  void add(std::string_view method, std::string_view pattern, Access access,
           Handler handler) const {
    auto added = server_.addRoute(
        method, pattern, access,
        [module = module_, handler](const RequestContext& context, httplib::Response& res) {
          ((*module).*handler)(context, res);
        });
    if (!added) throw std::logic_error(added.error().message);
  }

 private:
  Server& server_;
  std::shared_ptr<Module> module_;
};

}  // namespace bulwark::server
