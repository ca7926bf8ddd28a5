// The SQLite storage of a study: schema, the coordinator's writes, and reading it back.
#include "magmadnn/hpo/storage.h"

#include <fmt/format.h>
#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>

#include "magmadnn/core/error.h"
#include "magmadnn/hpo/study.h"

namespace magmadnn::hpo {

namespace {

constexpr const char* kFormat = "magmadnn-study 1";

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS study(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events(seq INTEGER PRIMARY KEY, kind TEXT NOT NULL,
  trial INTEGER NOT NULL, rung INTEGER NOT NULL, value REAL NOT NULL);
CREATE TABLE IF NOT EXISTS trials(trial INTEGER PRIMARY KEY, params TEXT NOT NULL,
  status TEXT NOT NULL, rung INTEGER NOT NULL, resource INTEGER NOT NULL, value REAL,
  message TEXT NOT NULL DEFAULT '', attempts INTEGER NOT NULL DEFAULT 0,
  started REAL NOT NULL DEFAULT 0, finished REAL NOT NULL DEFAULT 0,
  heartbeat REAL NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS rungs(trial INTEGER NOT NULL, rung INTEGER NOT NULL,
  resource INTEGER NOT NULL, value REAL NOT NULL, PRIMARY KEY(trial, rung));
CREATE TABLE IF NOT EXISTS reports(trial INTEGER NOT NULL, epoch INTEGER NOT NULL,
  value REAL, time REAL NOT NULL, PRIMARY KEY(trial, epoch));
)sql";

constexpr const char* kEventKinds[] = {"start", "report", "fail", "requeue"};

// One prepared statement; binds by position from 1.
class Statement {
  public:
    Statement(sqlite3* db, const char* sql, const std::string& path) : db_(db), path_(path) {
        if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) fail("prepare");
    }
    ~Statement() { sqlite3_finalize(stmt_); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int i, std::int64_t v) {
        sqlite3_bind_int64(stmt_, i, v);
        return *this;
    }
    Statement& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
    Statement& bind(int i, double v) {
        sqlite3_bind_double(stmt_, i, v);
        return *this;
    }
    Statement& bind(int i, const std::string& v) {
        sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
        return *this;
    }
    Statement& bind_null(int i) {
        sqlite3_bind_null(stmt_, i);
        return *this;
    }
    // true while a row is there
    bool step() {
        const int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        fail("step");
    }
    void run() {
        while (step()) {
        }
    }
    std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
    double real(int col) const { return sqlite3_column_double(stmt_, col); }
    bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
    std::string text(int col) const {
        const auto* p = sqlite3_column_text(stmt_, col);
        return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p));
    }

  private:
    [[noreturn]] void fail(const char* what) const {
        throw IOError(
            fmt::format("study storage '{}': {} failed: {}", path_, what, sqlite3_errmsg(db_)));
    }
    sqlite3* db_;
    const std::string& path_;
    sqlite3_stmt* stmt_ = nullptr;
};

TrialStatus status_from(const std::string& s, const std::string& path) {
    for (const TrialStatus t : {TrialStatus::Running, TrialStatus::Paused, TrialStatus::Complete,
                                TrialStatus::Pruned, TrialStatus::Fail}) {
        if (s == to_string(t)) return t;
    }
    throw FormatError(fmt::format("study storage '{}': unknown trial status '{}'", path, s));
}

std::string host_name() {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0) return "?";
    return buf;
}

}  // namespace

const char* to_string(TrialStatus status) {
    switch (status) {
        case TrialStatus::Running:
            return "RUNNING";
        case TrialStatus::Paused:
            return "PAUSED";
        case TrialStatus::Complete:
            return "COMPLETE";
        case TrialStatus::Pruned:
            return "PRUNED";
        case TrialStatus::Fail:
            return "FAIL";
    }
    return "?";
}

void Storage::Closer::operator()(sqlite3* db) const { sqlite3_close(db); }

Storage::Storage(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}
Storage::Storage(Storage&&) noexcept = default;
Storage& Storage::operator=(Storage&&) noexcept = default;
Storage::~Storage() = default;

void Storage::transaction(const std::function<void()>& body) {
    exec("BEGIN IMMEDIATE");
    try {
        body();
        exec("COMMIT");
    } catch (...) {
        sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

void Storage::exec(const char* sql) const {
    char* message = nullptr;
    if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, &message) != SQLITE_OK) {
        std::string m = message != nullptr ? message : sqlite3_errmsg(db_.get());
        sqlite3_free(message);
        const int code = sqlite3_errcode(db_.get());
        if (code == SQLITE_NOTADB) {
            throw IOError(fmt::format(
                "study storage '{}' is not a SQLite file; give another --storage", path_));
        }
        throw IOError(fmt::format("study storage '{}': {}", path_, m));
    }
}

Storage Storage::open(const std::string& path, const std::string& identity, bool resume) {
    sqlite3* raw = nullptr;
    const int rc =
        sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    Storage s(path, raw);
    if (rc != SQLITE_OK) {
        throw IOError(fmt::format("cannot open the study storage '{}': {}", path,
                                  raw != nullptr ? sqlite3_errmsg(raw) : "out of memory"));
    }
    sqlite3_busy_timeout(raw, 10000);
    s.exec("PRAGMA journal_mode=WAL");
    s.exec("PRAGMA synchronous=NORMAL");
    s.transaction([&] {
        s.exec(kSchema);
        Statement get(raw, "SELECT key, value FROM study WHERE key IN ('format', 'identity')",
                      s.path_);
        std::string format, stored;
        while (get.step()) (get.text(0) == "format" ? format : stored) = get.text(1);
        if (format.empty()) {
            Statement put(raw, "INSERT INTO study(key, value) VALUES (?, ?)", s.path_);
            put.bind(1, std::string("format")).bind(2, std::string(kFormat)).run();
            Statement put2(raw, "INSERT INTO study(key, value) VALUES (?, ?)", s.path_);
            put2.bind(1, std::string("identity")).bind(2, identity).run();
        } else {
            if (format != kFormat) {
                throw FormatError(
                    fmt::format("study storage '{}' was written as '{}'; this version reads '{}'",
                                path, format, kFormat));
            }
            if (const auto d = StudyConfig::identity_difference(identity, stored)) {
                throw ValueError(fmt::format(
                    "study storage '{}' holds another study: {} (here: the study file, there: "
                    "the storage); give another --storage, or the study file it was made with",
                    path, *d));
            }
        }
        Statement count(raw, "SELECT COUNT(*) FROM events", s.path_);
        count.step();
        if (count.integer(0) > 0 && !resume) {
            throw ValueError(fmt::format(
                "study storage '{}' already holds this study's log ({} events); pass --resume to "
                "continue it, or give another --storage to start afresh",
                path, count.integer(0)));
        }
    });
    return s;
}

Storage Storage::open_read_only(const std::string& path) {
    if (access(path.c_str(), R_OK) != 0) {
        throw IOError(
            fmt::format("cannot read the study storage '{}': {}", path, std::strerror(errno)));
    }
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
    Storage s(path, raw);
    if (rc != SQLITE_OK) {
        throw IOError(fmt::format("cannot open the study storage '{}': {}", path,
                                  raw != nullptr ? sqlite3_errmsg(raw) : "out of memory"));
    }
    sqlite3_busy_timeout(raw, 10000);
    s.exec("SELECT 1 FROM sqlite_master LIMIT 1");
    Statement t(raw, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'study'", s.path_);
    t.step();
    if (t.integer(0) == 0) {
        throw IOError(fmt::format("'{}' is a SQLite file but holds no magmadnn study", path));
    }
    return s;
}

std::string Storage::identity() const {
    Statement get(db_.get(), "SELECT value FROM study WHERE key = 'identity'", path_);
    return get.step() ? get.text(0) : std::string();
}

void Storage::claim(double now, double stale_seconds) {
    transaction([&] {
        Statement get(db_.get(),
                      "SELECT key, value FROM study WHERE key IN ('pid', 'host', 'heartbeat')",
                      path_);
        std::string pid, host, beat;
        while (get.step()) {
            const std::string k = get.text(0);
            (k == "pid" ? pid : k == "host" ? host : beat) = get.text(1);
        }
        const std::string here = host_name();
        if (!pid.empty() && host == here && std::stoll(pid) != getpid()) {
            const double age = now - std::stod(beat);
            const bool alive = kill(static_cast<pid_t>(std::stoll(pid)), 0) == 0 || errno == EPERM;
            if (alive && age < stale_seconds) {
                throw ValueError(fmt::format(
                    "study storage '{}' is being run by another coordinator (pid {}, heartbeat "
                    "{:.1f} s ago); wait for it to end, or stop it",
                    path_, pid, age));
            }
        }
        const std::pair<std::string, std::string> rows[] = {{"pid", std::to_string(getpid())},
                                                            {"host", here},
                                                            {"heartbeat", fmt::format("{}", now)}};
        for (const auto& [k, v] : rows) {
            Statement put(db_.get(), "INSERT OR REPLACE INTO study(key, value) VALUES (?, ?)",
                          path_);
            put.bind(1, k).bind(2, v).run();
        }
    });
}

void Storage::beat(double now) {
    Statement a(db_.get(), "INSERT OR REPLACE INTO study(key, value) VALUES ('heartbeat', ?)",
                path_);
    a.bind(1, fmt::format("{}", now));
    Statement b(db_.get(), "UPDATE trials SET heartbeat = ? WHERE status = 'RUNNING'", path_);
    b.bind(1, now);
    transaction([&] {
        a.run();
        b.run();
    });
}

void Storage::append_events(const std::vector<Event>& events) {
    for (const Event& e : events) {
        Statement put(db_.get(),
                      "INSERT INTO events(seq, kind, trial, rung, value) VALUES "
                      "((SELECT COALESCE(MAX(seq), -1) + 1 FROM events), ?, ?, ?, ?)",
                      path_);
        put.bind(1, std::string(kEventKinds[static_cast<int>(e.kind)]))
            .bind(2, e.trial)
            .bind(3, e.rung)
            .bind(4, e.value)
            .run();
    }
}

void Storage::job_started(const Job& job, const std::vector<Event>& events, double now) {
    transaction([&] {
        append_events(events);
        Statement put(db_.get(),
                      "INSERT INTO trials(trial, params, status, rung, resource, attempts, "
                      "started, heartbeat) VALUES (?, ?, 'RUNNING', ?, ?, 1, ?, ?) "
                      "ON CONFLICT(trial) DO UPDATE SET status = 'RUNNING', rung = excluded.rung, "
                      "resource = excluded.resource, attempts = attempts + 1, "
                      "heartbeat = excluded.heartbeat",
                      path_);
        put.bind(1, job.trial)
            .bind(2, params_to_json(job.params))
            .bind(3, job.rung)
            .bind(4, job.resource)
            .bind(5, now)
            .bind(6, now)
            .run();
    });
}

void Storage::job_reported(const Job& job, double value, bool final_rung,
                           const std::vector<Event>& events, double now) {
    transaction([&] {
        append_events(events);
        Statement t(db_.get(),
                    "UPDATE trials SET status = ?, value = ?, finished = ?, heartbeat = ? "
                    "WHERE trial = ?",
                    path_);
        t.bind(1, std::string(final_rung ? "COMPLETE" : "PAUSED"))
            .bind(2, value)
            .bind(3, now)
            .bind(4, now)
            .bind(5, job.trial)
            .run();
        Statement r(db_.get(),
                    "INSERT OR REPLACE INTO rungs(trial, rung, resource, value) VALUES "
                    "(?, ?, ?, ?)",
                    path_);
        r.bind(1, job.trial).bind(2, job.rung).bind(3, job.resource).bind(4, value).run();
    });
}

void Storage::job_failed(const Job& job, TrialStatus status, const std::string& message,
                         const std::vector<Event>& events, double now) {
    transaction([&] {
        append_events(events);
        Statement t(db_.get(),
                    "UPDATE trials SET status = ?, message = ?, finished = ?, heartbeat = ? "
                    "WHERE trial = ?",
                    path_);
        t.bind(1, std::string(to_string(status)))
            .bind(2, message)
            .bind(3, now)
            .bind(4, now)
            .bind(5, job.trial)
            .run();
    });
}

void Storage::job_requeued(std::int64_t trial, const std::string& message,
                           const std::vector<Event>& events, double now) {
    transaction([&] {
        append_events(events);
        Statement t(db_.get(),
                    "UPDATE trials SET status = 'FAIL', message = ?, heartbeat = ? "
                    "WHERE trial = ?",
                    path_);
        t.bind(1, message).bind(2, now).bind(3, trial).run();
    });
}

void Storage::epoch_reported(std::int64_t trial, int epoch, double value, double now) {
    Statement r(db_.get(),
                "INSERT OR REPLACE INTO reports(trial, epoch, value, time) VALUES (?, ?, ?, ?)",
                path_);
    r.bind(1, trial).bind(2, epoch).bind(4, now);
    if (std::isnan(value)) {
        r.bind_null(3);  // SQLite stores a NaN as NULL anyway; say so
    } else {
        r.bind(3, value);  // infinities are REAL values
    }
    r.run();
}

void Storage::finish(double now) {
    Statement t(db_.get(),
                "UPDATE trials SET status = 'PRUNED', finished = ? WHERE status = 'PAUSED'", path_);
    t.bind(1, now).run();
}

std::vector<Event> Storage::events() const {
    Statement get(db_.get(), "SELECT kind, trial, rung, value FROM events ORDER BY seq", path_);
    std::vector<Event> out;
    while (get.step()) {
        const std::string kind = get.text(0);
        Event e;
        bool known = false;
        for (int k = 0; k < 4; ++k) {
            if (kind == kEventKinds[k]) {
                e.kind = static_cast<Event::Kind>(k);
                known = true;
            }
        }
        if (!known) {
            throw FormatError(
                fmt::format("study storage '{}': unknown event kind '{}'", path_, kind));
        }
        e.trial = get.integer(1);
        e.rung = static_cast<int>(get.integer(2));
        e.value = get.real(3);
        out.push_back(e);
    }
    return out;
}

std::vector<TrialRecord> Storage::trials() const {
    Statement get(db_.get(),
                  "SELECT trial, params, status, rung, resource, value, message, attempts, "
                  "started, finished, heartbeat FROM trials ORDER BY trial",
                  path_);
    std::vector<TrialRecord> out;
    while (get.step()) {
        TrialRecord r;
        r.trial = get.integer(0);
        r.params = params_from_json(get.text(1), path_);
        r.status = status_from(get.text(2), path_);
        r.rung = static_cast<int>(get.integer(3));
        r.resource = static_cast<int>(get.integer(4));
        if (!get.is_null(5)) r.value = get.real(5);
        r.message = get.text(6);
        r.attempts = static_cast<int>(get.integer(7));
        r.started = get.real(8);
        r.finished = get.real(9);
        r.heartbeat = get.real(10);
        out.push_back(std::move(r));
    }
    return out;
}

std::vector<EpochReport> Storage::reports() const {
    Statement get(db_.get(), "SELECT trial, epoch, value, time FROM reports ORDER BY time, trial",
                  path_);
    std::vector<EpochReport> out;
    while (get.step()) {
        out.push_back({get.integer(0), static_cast<int>(get.integer(1)),
                       get.is_null(2) ? std::nan("") : get.real(2), get.real(3)});
    }
    return out;
}

std::vector<RungResult> Storage::rungs() const {
    Statement get(db_.get(), "SELECT trial, rung, resource, value FROM rungs ORDER BY trial, rung",
                  path_);
    std::vector<RungResult> out;
    while (get.step()) {
        out.push_back({get.integer(0), static_cast<int>(get.integer(1)),
                       static_cast<int>(get.integer(2)), get.real(3)});
    }
    return out;
}

}  // namespace magmadnn::hpo
