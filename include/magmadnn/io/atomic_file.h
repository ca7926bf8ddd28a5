#pragma once
// Files written atomically: the bytes go to "<path>.tmp.<pid>.<n>", which is fsynced, renamed
// over <path>, and the directory fsynced. A crash or an error at any point leaves either the old
// file or the new one, never a mix; a failed write removes the temporary file.

#include <cstddef>
#include <span>
#include <string>

namespace magmadnn::io {

// Streams a file's contents, then commit() puts it in place. Destroying an uncommitted writer
// (an exception while producing the contents) removes the temporary file and leaves <path> as
// it was. Every failure throws IOError naming the path and the system's reason.
class AtomicFileWriter {
  public:
    explicit AtomicFileWriter(std::string path);
    ~AtomicFileWriter();
    AtomicFileWriter(const AtomicFileWriter&) = delete;
    AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

    void write(std::span<const std::byte> bytes);
    void commit();  // fsync, rename over the target, fsync the directory

    const std::string& path() const { return path_; }
    const std::string& temp_path() const { return temp_path_; }

  private:
    void abandon() noexcept;

    std::string path_;
    std::string temp_path_;
    int fd_ = -1;
    bool committed_ = false;
};

// The whole file at once.
void write_file_atomic(const std::string& path, std::span<const std::byte> bytes);

}  // namespace magmadnn::io
