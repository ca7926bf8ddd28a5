#include "magmadnn/io/atomic_file.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>
#include <filesystem>

#include "data/temp_dir.h"
#include "magmadnn/core/error.h"
#include "magmadnn/io/safetensors.h"

using namespace magmadnn;
using magmadnn::test::TempDir;

namespace {

std::span<const std::byte> bytes_of(const std::string& s) {
    return std::as_bytes(std::span<const char>(s));
}

// The names in the directory: after any write, only the target may be there (no temporaries).
std::vector<std::string> listing(const TempDir& dir) {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
        names.push_back(e.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace

TEST(AtomicFile, WritesAndReplaces) {
    TempDir dir;
    const std::string path = dir.file("out.bin");
    io::write_file_atomic(path, bytes_of("first"));
    EXPECT_EQ(test::read_text(path), "first");
    io::write_file_atomic(path, bytes_of("second, longer"));
    EXPECT_EQ(test::read_text(path), "second, longer");
    EXPECT_EQ(listing(dir), (std::vector<std::string>{"out.bin"}));
}

TEST(AtomicFile, StreamedInPieces) {
    TempDir dir;
    io::AtomicFileWriter w(dir.file("s.bin"));
    EXPECT_NE(w.temp_path().find("s.bin.tmp."), std::string::npos);
    w.write(bytes_of("ab"));
    w.write(bytes_of("cd"));
    EXPECT_FALSE(std::filesystem::exists(dir.file("s.bin")));  // nothing visible before commit
    w.commit();
    EXPECT_EQ(test::read_text(dir.file("s.bin")), "abcd");
}

TEST(AtomicFile, MissingParentDirectoryIsAnIOErrorNamingThePath) {
    TempDir dir;
    const std::string path = dir.file("no/such/dir/out.bin");
    try {
        io::write_file_atomic(path, bytes_of("x"));
        FAIL() << "expected IOError";
    } catch (const IOError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find(path), std::string::npos) << msg;
        EXPECT_NE(msg.find("No such file or directory"), std::string::npos) << msg;
    }
    EXPECT_TRUE(listing(dir).empty());
}

TEST(AtomicFile, AbandonedWriteKeepsTheOldFile) {
    TempDir dir;
    const std::string path = dir.write("model.bin", "old model");
    {
        io::AtomicFileWriter w(path);
        w.write(bytes_of("half of a new mod"));
    }  // destroyed without commit, as when an exception interrupts a save
    EXPECT_EQ(test::read_text(path), "old model");
    EXPECT_EQ(listing(dir), (std::vector<std::string>{"model.bin"}));
}

TEST(AtomicFile, FailedWriteKeepsTheOldFile) {
    TempDir dir;
    const std::string path = dir.write("model.bin", "old model");
    // A file-size limit makes write(2) fail with EFBIG part way (works as root, unlike chmod).
    rlimit old{};
    ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
    const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit small = old;
    small.rlim_cur = 4096;
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
    std::string error;
    try {
        io::write_file_atomic(path, bytes_of(std::string(100000, 'x')));
    } catch (const IOError& e) {
        error = e.what();
    }
    ::setrlimit(RLIMIT_FSIZE, &old);
    std::signal(SIGXFSZ, old_handler);
    EXPECT_NE(error.find(path), std::string::npos) << error;
    EXPECT_NE(error.find("File too large"), std::string::npos) << error;
    EXPECT_EQ(test::read_text(path), "old model");
    EXPECT_EQ(listing(dir), (std::vector<std::string>{"model.bin"}));
}

TEST(AtomicFile, RenameOntoADirectoryFailsCleanly) {
    TempDir dir;
    std::filesystem::create_directory(dir.path() / "target");
    dir.write("target/keep", "kept");
    EXPECT_THROW(io::write_file_atomic(dir.file("target"), bytes_of("x")), IOError);
    EXPECT_EQ(test::read_text(dir.file("target/keep")), "kept");
    EXPECT_EQ(listing(dir), (std::vector<std::string>{"target"}));
}

TEST(AtomicFile, FailedSafetensorsSaveKeepsTheOldFile) {
    TempDir dir;
    const std::string path = dir.file("w.safetensors");
    io::SafetensorsWriter first;
    first.add("w", Tensor<float>::from_vector({1, 2, 3}, {3}));
    first.write(path);
    const std::string before = test::read_text(path);

    rlimit old{};
    ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
    const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit small = old;
    small.rlim_cur = 1024;
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
    io::SafetensorsWriter big;
    big.add("w", Tensor<float>({100000}));
    EXPECT_THROW(big.write(path), IOError);
    ::setrlimit(RLIMIT_FSIZE, &old);
    std::signal(SIGXFSZ, old_handler);

    EXPECT_EQ(test::read_text(path), before);
    EXPECT_EQ(io::SafetensorsFile(path).get<float>("w").to_vector(), (std::vector<float>{1, 2, 3}));
    EXPECT_EQ(listing(dir), (std::vector<std::string>{"w.safetensors"}));
}
