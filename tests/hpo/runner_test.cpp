// Studies run end to end with worker processes on the synthetic trial (synthetic_trial.cpp,
// whose objective and learning curves are known): the best configuration found, what the
// storage holds, failures, and resuming after the coordinator is SIGKILLed.
#include "magmadnn/hpo/runner.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "magmadnn/core/error.h"
#include "magmadnn/hpo/sampler.h"

using namespace magmadnn;
namespace fs = std::filesystem;

namespace {

double value_at(double x, double y, int epoch) {
    const double q = 1 - (x - 0.3) * (x - 0.3) - (y - 0.6) * (y - 0.6);
    return q - 0.5 * std::exp(-epoch / 3.0);
}

class StudyRunner : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               fmt::format("magmadnn-hpo-{}-{}", getpid(),
                           ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    // A study of the synthetic trial over x, y in [0, 1]; `extra` adds trial arguments.
    hpo::StudyConfig study(const std::string& scheduler, int max_epochs, int trials, int workers,
                           const std::string& extra = "") const {
        const std::string text = fmt::format(
            R"({{"name": "synthetic",
                "trial": {{"command": ["{}", "--x", "{{x}}", "--y", "{{y}}", "--epochs", "{{epochs}}",
                                        "--start", "{{start}}", "--checkpoint", "{{checkpoint}}"{}]}},
                "space": {{"x": {{"type": "uniform", "low": 0, "high": 1}},
                           "y": {{"type": "uniform", "low": 0, "high": 1}}}},
                "objective": {{"metric": "val_accuracy"}},
                "scheduler": {{"kind": "{}", "max_epochs": {}, "min_epochs": 1, "trials": {}}},
                "workers": {}, "seed": 7}})",
            SYNTHETIC_TRIAL, extra, scheduler, max_epochs, trials, workers);
        return hpo::StudyConfig::from_json(text, "synthetic.json");
    }

    hpo::RunOptions options(const std::string& name, bool resume = false) const {
        hpo::RunOptions o;
        o.storage = (dir_ / (name + ".db")).string();
        o.resume = resume;
        o.threads = 1;
        o.heartbeat_seconds = 0.05;
        return o;
    }

    // The sampled trial with the highest q among the first n.
    static std::int64_t best_of(const hpo::StudyConfig& s, std::int64_t n) {
        const hpo::RandomSampler sampler(s.space, s.scheduler.seed);
        std::int64_t best = 0;
        double top = -1e300;
        for (std::int64_t k = 0; k < n; ++k) {
            const hpo::Params p = sampler.sample(k);
            const double v = value_at(std::get<double>(p.at("x")), std::get<double>(p.at("y")), 1);
            if (v > top) top = v, best = k;
        }
        return best;
    }

    fs::path dir_;
};

double param(const hpo::Params& p, const char* name) { return std::get<double>(p.at(name)); }

TEST_F(StudyRunner, AshaWithTwoWorkersFindsTheBestSampledConfiguration) {
    const auto s = study("asha", 9, 16, 2, R"(, "--sleep-ms", "5")");
    std::vector<hpo::JobOutcome> outcomes;
    auto o = options("asha");
    o.on_job = [&](const hpo::JobOutcome& j) { outcomes.push_back(j); };
    const hpo::StudySummary summary = hpo::run_study(s, o);
    ASSERT_TRUE(summary.best.has_value());
    EXPECT_EQ(summary.best->trial, best_of(s, 16));
    EXPECT_EQ(summary.best->resource, 9);
    EXPECT_NEAR(summary.best->value,
                value_at(param(summary.best->params, "x"), param(summary.best->params, "y"), 9),
                1e-12);
    EXPECT_EQ(summary.trials, 16);
    EXPECT_EQ(summary.failed, 0);
    EXPECT_EQ(summary.complete + summary.pruned, 16);
    EXPECT_GE(summary.complete, 1);
    EXPECT_EQ(static_cast<std::int64_t>(outcomes.size()), summary.jobs);

    const hpo::Storage storage = hpo::Storage::open_read_only(o.storage);
    // every epoch of every trial reported once, each value the curve's
    std::map<std::int64_t, int> deepest;
    for (const hpo::RungResult& r : storage.rungs()) {
        deepest[r.trial] = std::max(deepest[r.trial], r.resource);
    }
    std::int64_t epochs = 0;
    for (const hpo::TrialRecord& t : storage.trials()) {
        EXPECT_TRUE(t.status == hpo::TrialStatus::Complete || t.status == hpo::TrialStatus::Pruned)
            << t.trial << " " << hpo::to_string(t.status);
        EXPECT_EQ(t.resource, deepest[t.trial]) << t.trial;
        EXPECT_EQ(t.status == hpo::TrialStatus::Complete, t.resource == 9) << t.trial;
        ASSERT_TRUE(t.value.has_value());
        EXPECT_NEAR(*t.value, value_at(param(t.params, "x"), param(t.params, "y"), t.resource),
                    1e-12);
        epochs += t.resource;
    }
    EXPECT_EQ(static_cast<std::int64_t>(storage.reports().size()), epochs);
    EXPECT_EQ(summary.epochs_trained, epochs);
    const std::vector<hpo::TrialRecord> trials = storage.trials();
    for (const hpo::EpochReport& r : storage.reports()) {
        const auto& p = trials[static_cast<std::size_t>(r.trial)].params;
        EXPECT_NEAR(r.value, value_at(param(p, "x"), param(p, "y"), r.epoch), 1e-12);
    }
    // a promoted job continued its trial's checkpoint: fewer epochs trained than restarting
    EXPECT_LT(epochs, 16 * 9);
}

TEST_F(StudyRunner, CrashedTrialsAreRecordedAndTheStudyGoesOn) {
    const auto s = study("random", 2, 12, 2, R"(, "--crash-above", "0.7")");
    auto o = options("crash");
    const hpo::StudySummary summary = hpo::run_study(s, o);
    const hpo::RandomSampler sampler(s.space, s.scheduler.seed);
    std::int64_t crashing = 0;
    for (std::int64_t k = 0; k < 12; ++k) crashing += param(sampler.sample(k), "x") > 0.7;
    ASSERT_GT(crashing, 0);
    ASSERT_LT(crashing, 12);
    EXPECT_EQ(summary.failed, crashing);
    EXPECT_EQ(summary.complete, 12 - crashing);
    for (const hpo::TrialRecord& t : hpo::Storage::open_read_only(o.storage).trials()) {
        if (param(t.params, "x") > 0.7) {
            EXPECT_EQ(t.status, hpo::TrialStatus::Fail);
            EXPECT_NE(t.message.find("exit status 3"), std::string::npos) << t.message;
            EXPECT_NE(t.message.find("above the crash line"), std::string::npos) << t.message;
        } else {
            EXPECT_EQ(t.status, hpo::TrialStatus::Complete) << t.message;
        }
    }
    ASSERT_TRUE(summary.best.has_value());
    EXPECT_LE(param(summary.best->params, "x"), 0.7);
}

TEST_F(StudyRunner, DivergedTrialIsStoppedAtOnce) {
    const auto s = study("random", 6, 8, 2, R"(, "--nan-below", "0.4", "--sleep-ms", "20")");
    auto o = options("nan");
    const hpo::StudySummary summary = hpo::run_study(s, o);
    const hpo::Storage storage = hpo::Storage::open_read_only(o.storage);
    std::int64_t diverging = 0;
    for (const hpo::TrialRecord& t : storage.trials()) {
        if (param(t.params, "x") < 0.4) {
            ++diverging;
            EXPECT_EQ(t.status, hpo::TrialStatus::Fail);
            EXPECT_NE(t.message.find("diverged: val_accuracy is nan at epoch 2"), std::string::npos)
                << t.message;
        }
    }
    ASSERT_GT(diverging, 0);
    EXPECT_EQ(summary.failed, diverging);
    // stopped at epoch 2: no report after it
    const std::vector<hpo::TrialRecord> trials = storage.trials();
    for (const hpo::EpochReport& r : storage.reports()) {
        if (param(trials[static_cast<std::size_t>(r.trial)].params, "x") < 0.4) {
            EXPECT_LE(r.epoch, 2);
        }
    }
}

TEST_F(StudyRunner, TrialKilledFromOutsideRunsAgainFromItsCheckpoint) {
    const std::string marker = (dir_ / "died").string();
    const auto s = study("random", 4, 3, 1, fmt::format(R"(, "--die-once", "{}")", marker));
    auto o = options("killed");
    std::vector<std::string> notes;
    o.on_note = [&](const std::string& n) { notes.push_back(n); };
    const hpo::StudySummary summary = hpo::run_study(s, o);
    EXPECT_TRUE(fs::exists(marker));
    EXPECT_EQ(summary.complete, 3);
    EXPECT_EQ(summary.failed, 0);
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_NE(notes[0].find("killed by signal 9 (SIGKILL)"), std::string::npos) << notes[0];
    const auto trials = hpo::Storage::open_read_only(o.storage).trials();
    EXPECT_EQ(trials[0].attempts, 2);
    EXPECT_NEAR(*trials[0].value,
                value_at(param(trials[0].params, "x"), param(trials[0].params, "y"), 4), 1e-12);
}

TEST_F(StudyRunner, StorageOfAnotherStudyOrAStartedOneIsRefused) {
    auto o = options("shared");
    hpo::run_study(study("random", 1, 2, 1), o);
    try {
        hpo::run_study(study("random", 2, 2, 1), o);
        FAIL() << "another study's storage was accepted";
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("scheduler.max_epochs: 2 here, 1 there"),
                  std::string::npos)
            << e.what();
    }
    try {
        hpo::run_study(study("random", 1, 2, 1), o);
        FAIL() << "a started study ran again without resume";
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("pass --resume"), std::string::npos) << e.what();
    }
    o.resume = true;  // a finished study resumed: nothing left to run
    const hpo::StudySummary again = hpo::run_study(study("random", 1, 2, 1), o);
    EXPECT_EQ(again.jobs, 0);
    EXPECT_EQ(again.complete, 2);
}

// The coordinator runs in a forked child that is SIGKILLed once the storage holds `after`
// events and a job is running; the study is then resumed in this process (or killed again).
void kill_coordinator_after(const hpo::StudyConfig& s, const hpo::RunOptions& o,
                            std::int64_t after) {
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        try {
            hpo::run_study(s, o);
        } catch (...) {
            _exit(1);
        }
        _exit(0);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (;;) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        std::int64_t events = 0;
        bool running = false;  // a job to be caught by the kill
        if (fs::exists(o.storage)) {
            try {
                const hpo::Storage storage = hpo::Storage::open_read_only(o.storage);
                events = static_cast<std::int64_t>(storage.events().size());
                for (const hpo::TrialRecord& t : storage.trials()) {
                    running = running || t.status == hpo::TrialStatus::Running;
                }
            } catch (const Error&) {  // not yet created
            }
        }
        int status = 0;
        if ((events >= after && running) || waitpid(child, &status, WNOHANG) == child ||
            std::chrono::steady_clock::now() > deadline) {
            break;
        }
    }
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
}

std::map<std::int64_t, std::pair<int, double>> complete_trials(const std::string& storage) {
    std::map<std::int64_t, std::pair<int, double>> out;
    for (const hpo::TrialRecord& t : hpo::Storage::open_read_only(storage).trials()) {
        if (t.status == hpo::TrialStatus::Complete) out[t.trial] = {t.resource, *t.value};
    }
    return out;
}

void expect_resumes_like_an_uninterrupted_run(const hpo::StudyConfig& s, hpo::RunOptions whole,
                                              hpo::RunOptions killed,
                                              const std::vector<std::int64_t>& kill_points) {
    const hpo::StudySummary reference = hpo::run_study(s, whole);
    for (std::size_t i = 0; i < kill_points.size(); ++i) {
        killed.resume = i > 0;
        kill_coordinator_after(s, killed, kill_points[i]);
    }
    killed.resume = true;
    std::int64_t requeued = 0;
    killed.on_note = [&](const std::string& n) { requeued += n.find("run again") != n.npos; };
    const hpo::StudySummary resumed = hpo::run_study(s, killed);
    EXPECT_GT(requeued, 0) << "no kill caught a job running";
    const auto a = complete_trials(whole.storage), b = complete_trials(killed.storage);
    ASSERT_FALSE(a.empty());
    EXPECT_EQ(a, b);
    for (const hpo::TrialRecord& t : hpo::Storage::open_read_only(killed.storage).trials()) {
        EXPECT_NE(t.status, hpo::TrialStatus::Fail) << "trial " << t.trial << ": " << t.message;
    }
    ASSERT_TRUE(reference.best && resumed.best);
    EXPECT_EQ(reference.best->trial, resumed.best->trial);
    EXPECT_EQ(reference.best->value, resumed.best->value);
    // rung results recorded before the kills are kept: every trial's rungs as in the reference
    std::set<std::tuple<std::int64_t, int, double>> ra, rb;
    for (const auto& r : hpo::Storage::open_read_only(whole.storage).rungs()) {
        ra.insert({r.trial, r.rung, r.value});
    }
    for (const auto& r : hpo::Storage::open_read_only(killed.storage).rungs()) {
        rb.insert({r.trial, r.rung, r.value});
    }
    EXPECT_EQ(ra, rb);
}

TEST_F(StudyRunner, HyperbandResumedAfterCoordinatorKillsEndsAsAnUninterruptedRun) {
    const auto s = study("hyperband", 9, 20, 2, R"(, "--sleep-ms", "15")");
    expect_resumes_like_an_uninterrupted_run(s, options("whole"), options("killed"), {6, 25, 50});
}

TEST_F(StudyRunner, AshaOnOneWorkerResumedAfterCoordinatorKillsEndsAsAnUninterruptedRun) {
    // one worker: ASHA's decisions depend on the order results arrive, which is then fixed
    const auto s = study("asha", 9, 12, 1, R"(, "--sleep-ms", "15")");
    expect_resumes_like_an_uninterrupted_run(s, options("whole"), options("killed"), {5, 17, 30});
}

}  // namespace
