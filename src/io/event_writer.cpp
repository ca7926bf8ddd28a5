// TensorBoard event files: tensorboard.Event protocol buffers (the generated classes of
// third_party/tensorboard) in TFRecord framing (tfrecord.h), appended with POSIX calls.

#include "magmadnn/io/event_writer.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

#include "magmadnn/core/error.h"
#include "tensorboard/compat/proto/event.pb.h"
#include "tfrecord.h"

namespace magmadnn::io {

namespace {

constexpr int kHistogramBuckets = 30;  // as TensorBoard's own histogram summaries

double wall_time() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string host_name() {
    char name[256] = {};
    if (::gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "localhost";
    return name;
}

// The histogram TensorBoard draws from: equal-width buckets between the finite values' min and
// max, bucket i counting (limit[i-1], limit[i]] (the first from min).
template <typename V>
void fill_histogram(tensorboard::HistogramProto& h, std::span<const V> values) {
    std::vector<double> v;
    v.reserve(values.size());
    for (const V x : values) {
        if (std::isfinite(double(x))) v.push_back(double(x));
    }
    if (v.empty()) return;  // nothing finite: an empty histogram
    const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    const double min = *lo, max = *hi;
    double sum = 0, squares = 0;
    for (const double x : v) {
        sum += x;
        squares += x * x;
    }
    h.set_min(min);
    h.set_max(max);
    h.set_num(double(v.size()));
    h.set_sum(sum);
    h.set_sum_squares(squares);
    if (!(max > min)) {  // one value: a single bucket ending at it
        h.add_bucket_limit(max);
        h.add_bucket(double(v.size()));
        return;
    }
    const double width = (max - min) / kHistogramBuckets;
    std::vector<double> counts(kHistogramBuckets, 0.0);
    for (const double x : v) {
        // (limit[i-1], limit[i]]: a value on a limit belongs to the bucket below it
        int i = static_cast<int>(std::ceil((x - min) / width)) - 1;
        counts[static_cast<std::size_t>(std::clamp(i, 0, kHistogramBuckets - 1))] += 1;
    }
    for (int i = 0; i < kHistogramBuckets; ++i) {
        h.add_bucket_limit(i + 1 == kHistogramBuckets ? max : min + width * (i + 1));
        h.add_bucket(counts[static_cast<std::size_t>(i)]);
    }
}

}  // namespace

struct EventFileWriter::Impl {
    std::string path;
    int fd = -1;
    std::string pending;  // framed records not yet written

    Impl() = default;
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;
    ~Impl() {
        if (fd >= 0) ::close(fd);  // a constructor that failed after opening the file
    }

    void add(const tensorboard::Event& event) {
        if (fd < 0) {
            throw IOError(fmt::format(
                "TensorBoard event file '{}': adding an event after close(); create a new "
                "EventFileWriter to log more",
                path));
        }
        std::string bytes;
        if (!event.SerializeToString(&bytes)) {
            throw FormatError(
                fmt::format("TensorBoard event file '{}': an event could not be serialized", path));
        }
        detail::append_record(pending, bytes);
    }

    void write_pending() {
        const char* p = pending.data();
        std::size_t left = pending.size();
        while (left > 0) {
            const ssize_t n = ::write(fd, p, left);
            if (n < 0) {
                if (errno == EINTR) continue;
                const int err = errno;
                // keep what was not written, so a later flush can try again
                pending.erase(0, pending.size() - left);
                throw IOError(fmt::format(
                    "cannot write the TensorBoard event file '{}': {}; free space on its file "
                    "system or give another log directory",
                    path, std::strerror(err)));
            }
            p += n;
            left -= static_cast<std::size_t>(n);
        }
        pending.clear();
    }
};

EventFileWriter::EventFileWriter(const std::string& dir) : impl_(std::make_unique<Impl>()) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec || !std::filesystem::is_directory(dir)) {
        throw IOError(fmt::format(
            "cannot create the TensorBoard log directory '{}': {}; give a directory that can be "
            "created and written",
            dir, ec ? ec.message() : std::string("a file of that name is in the way")));
    }
    const auto seconds = static_cast<long long>(wall_time());
    const std::string base = (std::filesystem::path(dir) /
                              fmt::format("events.out.tfevents.{:010d}.{}", seconds, host_name()))
                                 .string();
    // two writers in the same second and directory: the second one's name gets a suffix
    for (int n = 0; impl_->fd < 0; ++n) {
        impl_->path = n == 0 ? base : fmt::format("{}.{}", base, n);
        impl_->fd =
            ::open(impl_->path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0666);
        if (impl_->fd < 0 && errno != EEXIST) {
            const int err = errno;
            throw IOError(fmt::format(
                "cannot create the TensorBoard event file '{}' in the log directory '{}': {}; give "
                "a directory that can be written",
                impl_->path, dir, std::strerror(err)));
        }
    }
    tensorboard::Event first;
    first.set_wall_time(wall_time());
    first.set_step(0);
    first.set_file_version("brain.Event:2");
    first.mutable_source_metadata()->set_writer("magmadnn");
    impl_->add(first);
    flush();
}

EventFileWriter::~EventFileWriter() {
    if (!impl_) return;  // moved from
    try {
        close();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "magmadnn: %s\n", e.what());
    }
}

EventFileWriter::EventFileWriter(EventFileWriter&&) noexcept = default;
EventFileWriter& EventFileWriter::operator=(EventFileWriter&& other) noexcept {
    if (this != &other) {
        if (impl_) {
            try {
                close();
            } catch (const std::exception& e) {
                std::fprintf(stderr, "magmadnn: %s\n", e.what());
            }
        }
        impl_ = std::move(other.impl_);
    }
    return *this;
}

void EventFileWriter::add_scalar(const std::string& tag, double value, std::int64_t step) {
    tensorboard::Event event;
    event.set_wall_time(wall_time());
    event.set_step(step);
    auto* v = event.mutable_summary()->add_value();
    v->set_tag(tag);
    v->set_simple_value(static_cast<float>(value));
    impl_->add(event);
}

namespace {
template <typename V>
tensorboard::Event histogram_event(const std::string& tag, std::span<const V> values,
                                   std::int64_t step) {
    tensorboard::Event event;
    event.set_wall_time(wall_time());
    event.set_step(step);
    auto* v = event.mutable_summary()->add_value();
    v->set_tag(tag);
    fill_histogram(*v->mutable_histo(), values);
    return event;
}
}  // namespace

void EventFileWriter::add_histogram(const std::string& tag, std::span<const float> values,
                                    std::int64_t step) {
    impl_->add(histogram_event(tag, values, step));
}

void EventFileWriter::add_histogram(const std::string& tag, std::span<const double> values,
                                    std::int64_t step) {
    impl_->add(histogram_event(tag, values, step));
}

void EventFileWriter::flush() {
    if (impl_->fd >= 0) impl_->write_pending();
}

void EventFileWriter::close() {
    if (impl_->fd < 0) return;
    const int fd = impl_->fd;
    try {
        impl_->write_pending();
    } catch (...) {
        ::close(fd);
        impl_->fd = -1;
        throw;
    }
    impl_->fd = -1;
    const int synced = ::fsync(fd);
    const int sync_err = errno;
    const int closed = ::close(fd);
    const int close_err = errno;
    if (synced != 0 || closed != 0) {
        throw IOError(fmt::format("cannot write the TensorBoard event file '{}': {} failed: {}",
                                  impl_->path, synced != 0 ? "fsync" : "close",
                                  std::strerror(synced != 0 ? sync_err : close_err)));
    }
}

const std::string& EventFileWriter::path() const { return impl_->path; }

}  // namespace magmadnn::io
