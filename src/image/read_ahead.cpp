#include "image/read_ahead.h"

#include <algorithm>
#include <cstring>
#include <system_error>
#include <utility>

namespace bulwark::image {

ReadAheadStream::ReadAheadStream(std::unique_ptr<ByteStream> source)
    : source_(std::move(source)), chunks_(kChunks) {
  try {
    thread_ = std::thread([this] { produce(); });
    threaded_ = true;
  } catch (const std::system_error&) {
    // No thread to spare: read() reads the source itself.
  }
}

ReadAheadStream::~ReadAheadStream() { finish(); }

void ReadAheadStream::finish() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
    ended_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ReadAheadStream::produce() {
  std::unique_lock lock(mutex_);
  while (true) {
    changed_.wait(lock, [&] { return stopping_ || filled_ < kChunks; });
    if (stopping_) return;
    // The chunk after the filled ones is the producer's alone until filled_ counts it.
    Chunk& chunk = chunks_[(head_ + filled_) % kChunks];
    lock.unlock();
    if (chunk.bytes.empty()) chunk.bytes.resize(kChunkBytes);
    auto got = source_->read(chunk.bytes.data(), chunk.bytes.size());
    lock.lock();
    chunk.size = got ? *got : 0;
    chunk.end = !got || *got == 0;
    if (!got) error_ = got.error();
    ++filled_;
    changed_.notify_all();
    if (chunk.end) return;
  }
}

core::Result<std::size_t> ReadAheadStream::read(char* buffer, std::size_t size) {
  if (!threaded_) return source_->read(buffer, size);
  if (size == 0) return 0;
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return ended_ || filled_ > 0; });
  if (ended_) {
    if (error_) return tl::unexpected(*error_);
    return 0;
  }
  Chunk& chunk = chunks_[head_];
  if (chunk.end) {
    ended_ = true;
    if (error_) return tl::unexpected(*error_);
    return 0;
  }
  lock.unlock();  // the chunk stays the consumer's until filled_ drops
  const std::size_t count = std::min(size, chunk.size - offset_);
  std::memcpy(buffer, chunk.bytes.data() + offset_, count);
  offset_ += count;
  if (offset_ == chunk.size) {
    offset_ = 0;
    lock.lock();
    head_ = (head_ + 1) % kChunks;
    --filled_;
    changed_.notify_all();
  }
  return count;
}

}  // namespace bulwark::image
