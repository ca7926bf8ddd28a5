#pragma once
// TensorBoard event files: scalars and histograms, read by `tensorboard --logdir`.
//
//   io::EventFileWriter w("runs/exp1/train");      // creates the directory and a new file
//   w.add_scalar("epoch_loss", 0.42, 1);
//   w.flush();                                     // TensorBoard sees it from now on
//
// The file is DIR/events.out.tfevents.<seconds since 1970, 10 digits>.<host name> (".<n>"
// appended when that name is taken), a sequence of TFRecord-framed tensorboard.Event protocol
// buffers whose first event holds file_version "brain.Event:2" (third_party/tensorboard has the
// schema). It is an append-only log that TensorBoard reads while it grows, so it is not written
// atomically: events are buffered, appended by flush(), and close() (or the destructor) flushes
// and fsyncs, so a clean exit loses nothing.

#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace magmadnn::io {

class EventFileWriter {
  public:
    // Creates `dir` and its parents when missing and the event file in it, and writes the first
    // event. IOError naming the directory or file and the system's reason when it cannot.
    explicit EventFileWriter(const std::string& dir);
    // Closes the file; a failure then is reported on stderr (call close() to get it thrown).
    ~EventFileWriter();
    EventFileWriter(EventFileWriter&&) noexcept;
    EventFileWriter& operator=(EventFileWriter&&) noexcept;

    // `value` at `step` under `tag`, stamped with the current time (stored as float32, as
    // TensorBoard's simple_value).
    void add_scalar(const std::string& tag, double value, std::int64_t step);
    // The values' min, max, count, sum and sum of squares and 30 equal-width buckets between
    // min and max. Non-finite values are left out (and not counted).
    void add_histogram(const std::string& tag, std::span<const float> values, std::int64_t step);
    void add_histogram(const std::string& tag, std::span<const double> values, std::int64_t step);

    // Appends the events added so far to the file (IOError naming it on failure).
    void flush();
    // flush(), fsync and close; adding afterwards throws. Does nothing the second time.
    void close();

    const std::string& path() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace magmadnn::io
