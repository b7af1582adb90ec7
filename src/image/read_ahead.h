// A stream that reads its source on a thread of its own, a few chunks ahead of the consumer.
//
// A layer is read (pread from the page cache), hashed (its digest is verified) and inflated;
// on one thread these add up, while the inflater alone is the floor. With the reading and
// hashing of the compressed bytes moved to the read-ahead thread, the consumer's thread only
// inflates and walks the tar.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/result.h"
#include "image/stream.h"

namespace bulwark::image {

class ReadAheadStream final : public ByteStream {
 public:
  static constexpr std::size_t kChunkBytes = 1U << 20;
  static constexpr std::size_t kChunks = 4;  // bytes in flight: kChunks × kChunkBytes

  // Starts reading `source` at once. When no thread can be started, reads happen in the
  // consumer's thread instead, as if the stream were not wrapped.
  explicit ReadAheadStream(std::unique_ptr<ByteStream> source);
  ~ReadAheadStream() override;  // finish()
  ReadAheadStream(const ReadAheadStream&) = delete;
  ReadAheadStream& operator=(const ReadAheadStream&) = delete;

  // Bytes in order; the source's error after the bytes read before it.
  core::Result<std::size_t> read(char* buffer, std::size_t size) override;
  // Stops reading ahead and waits for the reader thread. Whatever it read went through the
  // source (and a digest inside it) already; bytes read ahead and not consumed are dropped, so
  // the source may be drained or verified directly afterwards. Later reads return 0.
  void finish();

 private:
  struct Chunk {
    std::vector<char> bytes;
    std::size_t size = 0;  // 0 with `end` set: the source ended (or failed)
    bool end = false;
  };
  void produce();

  std::unique_ptr<ByteStream> source_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Chunk> chunks_;
  std::size_t head_ = 0;    // next chunk the consumer reads
  std::size_t filled_ = 0;  // chunks ready for the consumer
  std::size_t offset_ = 0;  // bytes of chunks_[head_] consumed
  bool stopping_ = false;
  bool ended_ = false;     // the consumer met the end (or the error below)
  bool threaded_ = false;  // a reader thread was started
  std::optional<core::Error> error_;
  std::thread thread_;
};

}  // namespace bulwark::image
