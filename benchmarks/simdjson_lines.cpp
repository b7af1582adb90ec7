// The floor of the k8s audit detection benchmark (benchmarks/runtime_k8s_audit.sh): how many
// JSON lines per second simdjson itself parses out of a file — read whole, then parse_many
// (its fastest path for JSON lines), touching each document's "auditID" so that nothing is
// skipped. Prints "<documents> <seconds>".
#include <chrono>
#include <cstdio>
#include <string_view>

#include <simdjson.h>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: simdjson_lines FILE\n");
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  simdjson::padded_string text;
  if (simdjson::padded_string::load(argv[1]).get(text) != simdjson::SUCCESS) {
    std::fprintf(stderr, "simdjson_lines: cannot read %s\n", argv[1]);
    return 2;
  }
  simdjson::dom::parser parser;
  simdjson::dom::document_stream stream;
  if (parser.parse_many(text, 1 << 20).get(stream) != simdjson::SUCCESS) return 2;
  std::size_t documents = 0;
  std::size_t with_id = 0;
  for (auto document : stream) {
    simdjson::dom::element root;
    if (document.get(root) != simdjson::SUCCESS) continue;
    ++documents;
    std::string_view id;
    if (root["auditID"].get_string().get(id) == simdjson::SUCCESS && !id.empty()) ++with_id;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%zu %.6f\n", documents, seconds);
  return with_id == documents ? 0 : 1;
}
