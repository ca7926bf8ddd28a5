// Atomic replacement with POSIX calls: write a temporary file beside the target, fsync it,
// rename(2) it over the target (atomic within a file system), fsync the directory so the rename
// itself is durable.

#include "magmadnn/io/atomic_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "magmadnn/core/error.h"

namespace magmadnn::io {

namespace {

std::atomic<unsigned> g_sequence{0};

[[noreturn]] void fail(const std::string& path, const std::string& step, int err,
                       const char* consequence) {
    throw IOError(fmt::format("cannot write '{}': {} failed: {}; {}", path, step,
                              std::strerror(err), consequence));
}

constexpr const char* kUntouched = "the previous file, if any, is untouched";

std::string parent_dir(const std::string& path) {
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    return parent.empty() ? std::string(".") : parent.string();
}

}  // namespace

AtomicFileWriter::AtomicFileWriter(std::string path) : path_(std::move(path)) {
    temp_path_ =
        fmt::format("{}.tmp.{}.{}", path_, static_cast<long>(::getpid()), g_sequence.fetch_add(1));
    fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd_ < 0) {
        const int err = errno;
        throw IOError(fmt::format(
            "cannot write '{}': creating the temporary file '{}' failed: {}; check that the "
            "directory '{}' exists and is writable",
            path_, temp_path_, std::strerror(err), parent_dir(path_)));
    }
}

AtomicFileWriter::~AtomicFileWriter() {
    if (!committed_) abandon();
}

void AtomicFileWriter::abandon() noexcept {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
    if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
}

void AtomicFileWriter::write(std::span<const std::byte> bytes) {
    if (fd_ < 0) {
        throw IOError(fmt::format("writing '{}': the file is already committed or failed", path_));
    }
    const std::byte* p = bytes.data();
    std::size_t left = bytes.size();
    while (left > 0) {
        const ssize_t n = ::write(fd_, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            abandon();
            fail(path_, fmt::format("writing the temporary file '{}'", temp_path_), err,
                 kUntouched);
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
}

void AtomicFileWriter::commit() {
    if (fd_ < 0) {
        throw IOError(
            fmt::format("committing '{}': the file is already committed or failed", path_));
    }
    if (::fsync(fd_) != 0) {
        const int err = errno;
        abandon();
        fail(path_, "fsync of the temporary file", err, kUntouched);
    }
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) {
        const int err = errno;
        abandon();
        fail(path_, "closing the temporary file", err, kUntouched);
    }
    if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
        const int err = errno;
        abandon();
        fail(path_, fmt::format("renaming '{}' over it", temp_path_), err, kUntouched);
    }
    committed_ = true;
    // Make the rename durable. A failure here leaves the new file in place, so it is reported
    // but the temporary is already gone.
    const std::string dir = parent_dir(path_);
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    constexpr const char* kWritten = "the new file is in place but may not survive a crash";
    if (dfd < 0) {
        const int open_err = errno;
        fail(path_, fmt::format("opening directory '{}' to fsync it", dir), open_err, kWritten);
    }
    const int rc = ::fsync(dfd);
    const int err = errno;
    ::close(dfd);
    if (rc != 0 && err != EINVAL)
        fail(path_, fmt::format("fsync of directory '{}'", dir), err, kWritten);
}

void write_file_atomic(const std::string& path, std::span<const std::byte> bytes) {
    AtomicFileWriter writer(path);
    writer.write(bytes);
    writer.commit();
}

}  // namespace magmadnn::io
