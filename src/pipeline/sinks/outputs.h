// The `-o` sinks of one `bulwark detect` run: opens them, hands each alert to all of them (one
// copy, shared) and reports their counts at exit.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "pipeline/detect.h"
#include "pipeline/sinks/sink.h"

namespace bulwark::pipeline::sinks {

// What the sinks need of an engine alert. `json` is Falco's JSON alert (alert.fields filled:
// DetectOptions::output_fields); `line` is the alert as `format` prints it.
SinkAlert toSinkAlert(const Alert& alert, AlertFormat format, bool iso8601,
                      const std::string& hostname, bool with_json);

class Outputs {
 public:
  // Every spec parsed and its sink made (a file that cannot be opened is an error here); no
  // specs: stdout.
  static core::Result<std::unique_ptr<Outputs>> open(const std::vector<std::string>& specs,
                                                     const SinkContext& context,
                                                     bool wait_when_full);

  // Some sink sends the JSON alert or reads the output fields (all but stdout and file).
  bool needsJson() const { return needs_json_; }
  // Queues the alert for every sink; never blocks unless wait_when_full.
  void deliver(const std::shared_ptr<const SinkAlert>& alert);
  // Drains the queues (at most kSinkDrainBound in all) and stops the threads.
  void finish();
  // One line per sink for stderr: "output NAME: N sent, D dropped (queue full), …".
  std::vector<std::string> statsLines() const;

 private:
  std::vector<std::unique_ptr<SinkRunner>> runners_;
  bool needs_json_ = false;
};

}  // namespace bulwark::pipeline::sinks
