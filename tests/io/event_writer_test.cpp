// io::EventFileWriter: the file's name, first event, scalars, histograms, flushing and errors.
#include "magmadnn/io/event_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <regex>
#include <vector>

#include "io/read_events.h"
#include "magmadnn/core/error.h"

namespace magmadnn::io {
namespace {

namespace fs = std::filesystem;

class EventWriterTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("magmadnn_events_" + std::to_string(::getpid()) + "_" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path dir_;
};

TEST_F(EventWriterTest, FirstEventNamesTheFormat) {
    EventFileWriter w((dir_ / "a" / "b").string());  // parents created
    const fs::path file = w.path();
    EXPECT_EQ(file.parent_path(), dir_ / "a" / "b");
    EXPECT_TRUE(std::regex_match(file.filename().string(),
                                 std::regex(R"(events\.out\.tfevents\.\d{10}\..+)")))
        << file;
    // written at once: TensorBoard sees the file before any scalar
    const auto events = test::read_events(file.string());
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].file_version(), "brain.Event:2");
    EXPECT_EQ(events[0].source_metadata().writer(), "magmadnn");
    EXPECT_GT(events[0].wall_time(), 1.6e9);
}

TEST_F(EventWriterTest, ScalarsReachTheFileOnFlush) {
    EventFileWriter w(dir_.string());
    w.add_scalar("epoch_loss", 0.5, 1);
    w.add_scalar("epoch_loss", 0.25, 2);
    w.add_scalar("lr", 1e-3, 2);
    EXPECT_EQ(test::read_events(w.path()).size(), 1u);  // buffered
    w.flush();
    const auto events = test::read_events(w.path());
    ASSERT_EQ(events.size(), 4u);
    const auto s = test::scalars(events);
    using P = std::vector<std::pair<std::int64_t, float>>;
    EXPECT_EQ(s.at("epoch_loss"), (P{{1, 0.5f}, {2, 0.25f}}));
    EXPECT_EQ(s.at("lr"), (P{{2, 1e-3f}}));
    for (std::size_t i = 1; i < events.size(); ++i) {
        EXPECT_GE(events[i].wall_time(), events[i - 1].wall_time());
    }
}

TEST_F(EventWriterTest, CloseFlushesAndLaterAddsThrow) {
    std::string path;
    {
        EventFileWriter w(dir_.string());
        path = w.path();
        w.add_scalar("x", 1, 1);
        w.close();
        w.close();  // nothing the second time
        EXPECT_THROW(w.add_scalar("x", 2, 2), IOError);
    }
    EXPECT_EQ(test::read_events(path).size(), 2u);
    {
        EventFileWriter w(dir_.string());  // the destructor flushes too
        path = w.path();
        w.add_scalar("y", 3, 7);
    }
    EXPECT_EQ(test::scalars(test::read_events(path)).at("y").at(0).first, 7);
}

TEST_F(EventWriterTest, TwoWritersInOneDirectoryGetTwoFiles) {
    EventFileWriter a(dir_.string()), b(dir_.string());
    EXPECT_NE(a.path(), b.path());
    EXPECT_EQ(test::event_files(dir_.string()).size(), 2u);
}

TEST_F(EventWriterTest, Histogram) {
    std::vector<float> values;
    for (int i = 0; i <= 100; ++i) values.push_back(float(i) / 100.0f);  // 0 .. 1
    values.push_back(std::numeric_limits<float>::quiet_NaN());           // left out
    EventFileWriter w(dir_.string());
    w.add_histogram("layers.1.weight", values, 3);
    const std::vector<double> one{2.5, 2.5};
    w.add_histogram("same", one, 4);
    w.close();
    const auto events = test::read_events(w.path());
    ASSERT_EQ(events.size(), 3u);
    const auto& v = events[1].summary().value(0);
    EXPECT_EQ(events[1].step(), 3);
    EXPECT_EQ(v.tag(), "layers.1.weight");
    ASSERT_TRUE(v.has_histo());
    const auto& h = v.histo();
    EXPECT_EQ(h.min(), 0.0);
    EXPECT_FLOAT_EQ(h.max(), 1.0);
    EXPECT_EQ(h.num(), 101.0);
    EXPECT_NEAR(h.sum(), 50.5, 1e-4);
    ASSERT_EQ(h.bucket_limit_size(), 30);
    ASSERT_EQ(h.bucket_size(), 30);
    double total = 0;
    for (int i = 0; i < 30; ++i) {
        total += h.bucket(i);
        if (i > 0) {
            EXPECT_GT(h.bucket_limit(i), h.bucket_limit(i - 1));
        }
    }
    EXPECT_EQ(total, 101.0);
    EXPECT_EQ(h.bucket_limit(29), h.max());
    EXPECT_EQ(h.bucket(0), 4.0);  // 0, 0.01, 0.02, 0.03 <= 1/30
    const auto& same = events[2].summary().value(0).histo();
    EXPECT_EQ(same.bucket_size(), 1);
    EXPECT_EQ(same.bucket(0), 2.0);
    EXPECT_EQ(same.sum_squares(), 12.5);
}

TEST_F(EventWriterTest, DirectoryThatCannotBeCreatedIsAnIOErrorNamingIt) {
    fs::create_directories(dir_);
    const fs::path file = dir_ / "plain-file";
    std::ofstream(file) << "x";
    const std::string bad = (file / "logs").string();
    try {
        EventFileWriter w(bad);
        FAIL() << "no error";
    } catch (const IOError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("'" + bad + "'"), std::string::npos) << msg;
        EXPECT_NE(msg.find("Not a directory"), std::string::npos) << msg;
    }
    try {
        EventFileWriter w(file.string());  // a file where the directory should be
        FAIL() << "no error";
    } catch (const IOError& e) {
        EXPECT_NE(std::string(e.what()).find(file.string()), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace magmadnn::io
