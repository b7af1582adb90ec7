// Harbor webhook bodies (Default and CloudEvents payloads) come from the network: any bytes must
// parse or fail cleanly, and every event returned must carry valid names and digests. The first
// byte chooses whether the webhook is bound to a registry name.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "intake_push_fuzz.h"
#include "server/webhooks/harbor.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool bound = (data[0] & 1) != 0;
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  const auto parsed = bulwark::server::webhooks::parseHarborWebhook(body, bound ? "local" : "");
  if (parsed) bulwark::fuzz::checkPushEvents(*parsed);
  return 0;
}
