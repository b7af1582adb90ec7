// Used only while src/image/registry/ is absent from a checkout.
#include "image/sources.h"

namespace bulwark::image {

core::Result<std::unique_ptr<Image>> openRegistry(std::string_view reference, model::Target,
                                                  const SourceOptions&) {
  return core::fail(core::ErrorCode::Usage, "{}: registry support is not built in", reference);
}

}  // namespace bulwark::image
