// A study's SQLite storage: what is written reads back, a file of another study or not a study
// is refused, a live coordinator keeps others out.
#include "magmadnn/hpo/storage.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "magmadnn/core/error.h"
#include "magmadnn/hpo/study.h"

using namespace magmadnn;
namespace fs = std::filesystem;

namespace {

std::string identity(int max_epochs = 9) {
    return hpo::StudyConfig::from_json(
               R"({"name": "s", "trial": {"command": ["p", "{x}", "{epochs}"]},
                   "space": {"x": {"type": "uniform", "low": 0, "high": 1}},
                   "scheduler": {"kind": "random", "max_epochs": )" +
                   std::to_string(max_epochs) + R"(, "trials": 4},
                   "objective": {"metric": "val_loss"}})",
               "s.json")
        .identity_json();
}

class StorageTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("magmadnn-storage-" + std::to_string(getpid()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        path_ = (dir_ / "s.db").string();
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path dir_;
    std::string path_;
};

using Kind = hpo::Event::Kind;

TEST_F(StorageTest, WhatIsWrittenReadsBack) {
    const hpo::Job a{.trial = 0, .rung = 0, .resource = 3, .params = {{"x", 0.25}}};
    const hpo::Job b{.trial = 1, .rung = 0, .resource = 3, .params = {{"x", 0.75}}};
    {
        hpo::Storage s = hpo::Storage::open(path_, identity(), false);
        EXPECT_EQ(s.identity(), identity());
        s.claim(100, 30);
        s.job_started(a, {{Kind::Start, 0, 0, 0}}, 100);
        s.job_started(b, {{Kind::Start, 1, 0, 0}}, 101);
        s.epoch_reported(0, 1, 0.5, 102);
        s.epoch_reported(0, 2, 0.4, 103);
        s.epoch_reported(1, 1, std::nan(""), 103.5);
        s.job_reported(a, 0.4, false, {{Kind::Report, 0, 0, 0.4}}, 104);
        s.job_failed(b, hpo::TrialStatus::Fail, "exit status 3: boom", {{Kind::Fail, 1, 0, 0}},
                     105);
        s.beat(106);
    }
    const hpo::Storage s = hpo::Storage::open_read_only(path_);
    const std::vector<hpo::Event> events = {{Kind::Start, 0, 0, 0},
                                            {Kind::Start, 1, 0, 0},
                                            {Kind::Report, 0, 0, 0.4},
                                            {Kind::Fail, 1, 0, 0}};
    EXPECT_EQ(s.events(), events);
    const auto trials = s.trials();
    ASSERT_EQ(trials.size(), 2u);
    EXPECT_EQ(trials[0].params, a.params);
    EXPECT_EQ(trials[0].status, hpo::TrialStatus::Paused);
    EXPECT_EQ(trials[0].value, 0.4);
    EXPECT_EQ(trials[0].resource, 3);
    EXPECT_EQ(trials[0].attempts, 1);
    EXPECT_EQ(trials[0].started, 100);
    EXPECT_EQ(trials[0].finished, 104);
    EXPECT_EQ(trials[1].status, hpo::TrialStatus::Fail);
    EXPECT_EQ(trials[1].message, "exit status 3: boom");
    EXPECT_FALSE(trials[1].value.has_value());
    const auto reports = s.reports();
    ASSERT_EQ(reports.size(), 3u);
    EXPECT_EQ(reports[1].value, 0.4);
    EXPECT_EQ(reports[1].epoch, 2);
    EXPECT_EQ(reports[2].trial, 1);
    ASSERT_EQ(s.rungs().size(), 1u);
    EXPECT_EQ(s.rungs()[0].value, 0.4);
}

TEST_F(StorageTest, ARerunJobCountsItsAttemptsAndFinishPrunesThePaused) {
    const hpo::Job a{.trial = 0, .rung = 0, .resource = 1, .params = {{"x", 0.5}}};
    hpo::Storage s = hpo::Storage::open(path_, identity(), false);
    s.job_started(a, {{Kind::Start, 0, 0, 0}}, 1);
    s.job_requeued(0, "coordinator stopped", {{Kind::Requeue, 0, 0, 0}}, 2);
    EXPECT_EQ(s.trials()[0].status, hpo::TrialStatus::Fail);
    EXPECT_EQ(s.trials()[0].message, "coordinator stopped");
    s.job_started(a, {{Kind::Start, 0, 0, 0}}, 3);
    EXPECT_EQ(s.trials()[0].status, hpo::TrialStatus::Running);
    EXPECT_EQ(s.trials()[0].attempts, 2);
    s.job_reported(a, 0.7, false, {{Kind::Report, 0, 0, 0.7}}, 4);
    s.finish(5);
    EXPECT_EQ(s.trials()[0].status, hpo::TrialStatus::Pruned);
    EXPECT_EQ(s.events().size(), 4u);
}

TEST_F(StorageTest, AnotherStudyOrAStartedOneIsRefused) {
    {
        hpo::Storage s = hpo::Storage::open(path_, identity(), false);
        s.job_started({.trial = 0, .resource = 1, .params = {{"x", 0.5}}}, {{Kind::Start, 0, 0, 0}},
                      1);
    }
    try {
        hpo::Storage::open(path_, identity(27), true);
        FAIL();
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("holds another study: scheduler.max_epochs: 27 here, "
                                             "9 there"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_THROW(hpo::Storage::open(path_, identity(), false), ValueError);
    EXPECT_NO_THROW(hpo::Storage::open(path_, identity(), true));
}

TEST_F(StorageTest, NotAStudyIsAnIOError) {
    const std::string text = (dir_ / "notes.txt").string();
    std::ofstream(text) << "these are not the tables you are looking for\n";
    EXPECT_THROW(hpo::Storage::open(text, identity(), false), IOError);
    EXPECT_THROW(hpo::Storage::open_read_only(text), IOError);
    EXPECT_THROW(hpo::Storage::open_read_only((dir_ / "absent.db").string()), IOError);
    sqlite3* db = nullptr;  // SQLite, but another program's
    const std::string other = (dir_ / "other.db").string();
    ASSERT_EQ(sqlite3_open(other.c_str(), &db), SQLITE_OK);
    sqlite3_exec(db, "CREATE TABLE t(a)", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    try {
        hpo::Storage::open_read_only(other);
        FAIL();
    } catch (const IOError& e) {
        EXPECT_NE(std::string(e.what()).find("holds no magmadnn study"), std::string::npos);
    }
}

TEST_F(StorageTest, ALiveCoordinatorKeepsOthersOut) {
    hpo::Storage s = hpo::Storage::open(path_, identity(), false);
    s.claim(1000, 30);
    // another coordinator: this process's claim is seen as held by a live pid only when the pid
    // differs, so write the row as a live other process (the parent, alive) would
    {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
        const std::string sql =
            "UPDATE study SET value = '" + std::to_string(getppid()) + "' WHERE key = 'pid'";
        ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
        sqlite3_close(db);
    }
    try {
        s.claim(1010, 30);
        FAIL();
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("is being run by another coordinator"),
                  std::string::npos);
    }
    EXPECT_NO_THROW(s.claim(1040, 30));  // its heartbeat is 40 s old: stale
}

}  // namespace
