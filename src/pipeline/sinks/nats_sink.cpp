// nats://H:P/STREAM/SUBJECT: publishes each JSON alert to NATS JetStream (libnats js_Publish,
// acknowledged by the server), creating STREAM with SUBJECT when it does not exist. The
// connection opens on the first alert and again after it is lost.
#include <nats/nats.h>

#include <fmt/format.h>

#include "pipeline/sinks/kinds.h"

namespace bulwark::pipeline::sinks {

namespace {

constexpr std::int64_t kTimeoutMs = 5000;

std::string natsError(natsStatus status, jsErrCode code = static_cast<jsErrCode>(0)) {
  const char* last = nats_GetLastError(nullptr);
  std::string text = last != nullptr && *last != '\0' ? last : natsStatus_GetText(status);
  if (code != 0) text += fmt::format(" (JetStream error {})", static_cast<int>(code));
  return text;
}

class NatsSink final : public Sink {
 public:
  explicit NatsSink(const SinkSpec& spec)
      : url_(fmt::format(
            "nats://{}:{}",
            spec.host.find(':') != std::string::npos ? "[" + spec.host + "]" : spec.host,
            spec.port)),
        stream_(spec.stream),
        subject_(spec.subject) {}
  ~NatsSink() override { disconnect(); }
  NatsSink(const NatsSink&) = delete;
  NatsSink& operator=(const NatsSink&) = delete;

  Delivery write(const SinkAlert& alert, std::string& error) override {
    if (js_ == nullptr) {
      if (auto connected = connect(); !connected) {
        error = connected.error().message;
        disconnect();
        return Delivery::Failed;
      }
    }
    jsPubOptions options;
    jsPubOptions_Init(&options);
    options.MaxWait = kTimeoutMs;
    jsPubAck* ack = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    const natsStatus status = js_Publish(&ack, js_, subject_.c_str(), alert.json.data(),
                                         static_cast<int>(alert.json.size()), &options, &code);
    jsPubAck_Destroy(ack);
    if (status != NATS_OK) {
      error = fmt::format("{} {}: publish: {}", url_, subject_, natsError(status, code));
      if (natsConnection_IsClosed(connection_)) disconnect();
      return Delivery::Failed;
    }
    return Delivery::Sent;
  }

 private:
  core::Status connect() {
    natsOptions* options = nullptr;
    natsStatus status = natsOptions_Create(&options);
    if (status == NATS_OK) status = natsOptions_SetURL(options, url_.c_str());
    if (status == NATS_OK) status = natsOptions_SetTimeout(options, kTimeoutMs);
    if (status == NATS_OK) status = natsOptions_SetName(options, "bulwark detect");
    if (status == NATS_OK) status = natsConnection_Connect(&connection_, options);
    natsOptions_Destroy(options);
    if (status != NATS_OK) {
      return core::fail(core::ErrorCode::Network, "{}: {}", url_, natsError(status));
    }
    jsOptions js_options;
    jsOptions_Init(&js_options);
    js_options.Wait = kTimeoutMs;
    status = natsConnection_JetStream(&js_, connection_, &js_options);
    if (status != NATS_OK) {
      return core::fail(core::ErrorCode::Network, "{}: JetStream: {}", url_, natsError(status));
    }
    jsStreamInfo* info = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    status = js_GetStreamInfo(&info, js_, stream_.c_str(), nullptr, &code);
    jsStreamInfo_Destroy(info);
    info = nullptr;
    if (status == NATS_NOT_FOUND) {
      jsStreamConfig config;
      jsStreamConfig_Init(&config);
      const char* subjects[] = {subject_.c_str()};
      config.Name = stream_.c_str();
      config.Subjects = subjects;
      config.SubjectsLen = 1;
      config.Storage = js_FileStorage;
      status = js_AddStream(&info, js_, &config, nullptr, &code);
      jsStreamInfo_Destroy(info);
    }
    if (status != NATS_OK) {
      return core::fail(core::ErrorCode::Network, "{}: stream {}: {}", url_, stream_,
                        natsError(status, code));
    }
    return {};
  }

  void disconnect() {
    if (js_ != nullptr) jsCtx_Destroy(js_);
    js_ = nullptr;
    if (connection_ != nullptr) natsConnection_Destroy(connection_);
    connection_ = nullptr;
  }

  std::string url_;
  std::string stream_;
  std::string subject_;
  natsConnection* connection_ = nullptr;
  jsCtx* js_ = nullptr;
};

}  // namespace

std::unique_ptr<Sink> makeNatsSink(const SinkSpec& spec) {
  return std::make_unique<NatsSink>(spec);
}

}  // namespace bulwark::pipeline::sinks
