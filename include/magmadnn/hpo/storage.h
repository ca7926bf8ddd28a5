#pragma once
// A study's storage: one SQLite file (WAL mode) holding the study's identity, the scheduler's
// event log, every trial with its status, every rung result and every epoch's report. The
// coordinator is its one writer, so parallel workers never meet a locked database; each change
// is one transaction, so a kill -9 leaves the file as of the last finished call.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "magmadnn/hpo/scheduler.h"

struct sqlite3;

namespace magmadnn::hpo {

enum class TrialStatus { Running, Paused, Complete, Pruned, Fail };
const char* to_string(TrialStatus status);  // RUNNING, PAUSED, COMPLETE, PRUNED, FAIL

struct TrialRecord {
    std::int64_t trial = 0;
    Params params{};
    TrialStatus status = TrialStatus::Running;
    int rung = 0;                   // the latest job's
    int resource = 0;               // epochs it trains (running) or trained (otherwise) to
    std::optional<double> value{};  // its latest rung result
    std::string message{};          // why it failed, or was re-run
    int attempts = 0;               // jobs started, re-runs included
    double started = 0, finished = 0, heartbeat = 0;  // Unix seconds; 0: not yet
};

struct EpochReport {
    std::int64_t trial = 0;
    int epoch = 0;
    double value = 0;
    double time = 0;  // Unix seconds
};

struct RungResult {
    std::int64_t trial = 0;
    int rung = 0;
    int resource = 0;
    double value = 0;
};

class Storage {
  public:
    // Creates the file for the study `identity` (StudyConfig::identity_json), or opens one that
    // holds it. IOError naming the file when it cannot be opened or is not SQLite; ValueError
    // naming the first differing field for a file of another study, and for a file that already
    // holds trials unless `resume`.
    static Storage open(const std::string& path, const std::string& identity, bool resume);
    // The file as it is, for reading (a report); IOError when it is missing or not a study.
    static Storage open_read_only(const std::string& path);

    Storage(Storage&&) noexcept;
    Storage& operator=(Storage&&) noexcept;
    ~Storage();

    const std::string& path() const { return path_; }
    std::string identity() const;

    // The coordinator that runs the study: its pid, host and a heartbeat. claim() is
    // ValueError when another live coordinator on this host beat within `stale_seconds`.
    void claim(double now, double stale_seconds);
    void beat(double now);  // the coordinator's and every running trial's heartbeat

    // Each call appends `events` (the scheduler's new log entries) with the trial's change.
    void job_started(const Job& job, const std::vector<Event>& events, double now);
    void job_reported(const Job& job, double value, bool final_rung,
                      const std::vector<Event>& events, double now);
    void job_failed(const Job& job, TrialStatus status, const std::string& message,
                    const std::vector<Event>& events, double now);
    void job_requeued(std::int64_t trial, const std::string& message,
                      const std::vector<Event>& events, double now);
    void epoch_reported(std::int64_t trial, int epoch, double value, double now);
    // At the study's end: trials left PAUSED at a lower rung were not promoted.
    void finish(double now);

    std::vector<Event> events() const;
    std::vector<TrialRecord> trials() const;
    std::vector<EpochReport> reports() const;
    std::vector<RungResult> rungs() const;

  private:
    Storage(std::string path, sqlite3* db);
    void exec(const char* sql) const;
    // `body` in one write transaction, rolled back when it throws.
    void transaction(const std::function<void()>& body);
    void append_events(const std::vector<Event>& events);

    std::string path_;
    struct Closer {
        void operator()(sqlite3* db) const;
    };
    std::unique_ptr<sqlite3, Closer> db_;
};

}  // namespace magmadnn::hpo
