// `magmadnn tune`: runs a hyperparameter study from a study file, or writes a study's report.
#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "commands.h"
#include "magmadnn/core/error.h"
#include "magmadnn/dist.h"
#include "magmadnn/hpo.h"
#include "magmadnn/io/atomic_file.h"

namespace magmadnn::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct TuneArgs {
    std::string study;
    std::string report;  // a storage to draw instead
    std::string output;  // the best configuration's JSON, or the report's HTML
    std::optional<std::string> scheduler, sampler;
    std::optional<std::int64_t> trials;
    std::optional<int> max_epochs, min_epochs, reduction_factor, workers;
    std::optional<std::uint64_t> seed;
    std::string storage;
    std::string logdir;
    int threads = 0;
    bool resume = false;
    bool json_lines = false;
};

std::string read_study_text(const std::string& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw IOError(fmt::format("--study '{}': no such file", path));
    std::ifstream in(path);
    if (!in) throw IOError(fmt::format("--study '{}': cannot open the file", path));
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// The study file with the command line's overrides written into it, so that every check and
// message is the file's.
std::string with_overrides(const std::string& text, const TuneArgs& a) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return text;  // from_json names what is wrong
    json& s = j["scheduler"];
    if (s.is_null()) s = json::object();
    if (!s.is_object()) return text;
    if (a.scheduler) s["kind"] = *a.scheduler;
    if (a.sampler) s["sampler"] = *a.sampler;
    if (a.trials) s["trials"] = *a.trials;
    if (a.max_epochs) s["max_epochs"] = *a.max_epochs;
    if (a.min_epochs) s["min_epochs"] = *a.min_epochs;
    if (a.reduction_factor) s["reduction_factor"] = *a.reduction_factor;
    if (a.workers) j["workers"] = *a.workers;
    if (a.seed) j["seed"] = *a.seed;
    return j.dump();
}

// --storage as given; the file's "storage" beside the study file; else <name>.db beside it.
std::string storage_path(const TuneArgs& a, const hpo::StudyConfig& study) {
    if (!a.storage.empty()) return a.storage;
    const fs::path dir = fs::path(a.study).parent_path();
    const fs::path file =
        study.storage.empty() ? fs::path(study.name + ".db") : fs::path(study.storage);
    return file.is_absolute() ? file.string() : (dir / file).string();
}

std::string default_output(const std::string& storage) {
    fs::path p(storage);
    if (p.extension() == ".db") p.replace_extension();
    return p.string() + ".best.json";
}

// This process's CPU time (not its trials'): the scheduling's cost.
double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

std::string value_text(std::optional<double> v) {
    return v && std::isfinite(*v) ? fmt::format("{:.6g}", *v) : std::string("-");
}

json best_json(const std::optional<hpo::TrialResult>& best) {
    if (!best) return nullptr;
    return {{"trial", best->trial},
            {"value", best->value},
            {"epochs", best->resource},
            {"params", json::parse(hpo::params_to_json(best->params))}};
}

void print_outcome(const hpo::StudyConfig& study, const hpo::JobOutcome& o, bool json_lines) {
    if (json_lines) {
        json j = {{"trial", o.job.trial},
                  {"rung", o.job.rung},
                  {"bracket", o.job.bracket},
                  {"epochs", o.job.resource},
                  {"status", hpo::to_string(o.status)},
                  {"value", o.value ? json(*o.value) : json(nullptr)},
                  {"seconds", o.seconds},
                  {"worker", o.worker},
                  {"params", json::parse(hpo::params_to_json(o.job.params))},
                  {"jobs_done", o.jobs_done},
                  {"trials_started", o.trials_started},
                  {"best", best_json(o.best)}};
        if (!o.message.empty()) j["message"] = o.message;
        fmt::print("{}\n", j.dump());
        std::fflush(stdout);
        return;
    }
    std::string params;
    for (const auto& [name, value] : o.job.params) {
        const std::string shown = std::holds_alternative<double>(value)
                                      ? fmt::format("{:.4g}", std::get<double>(value))
                                      : hpo::to_string(value);
        params += fmt::format("{}{}={}", params.empty() ? "" : " ", name, shown);
    }
    const std::string result = o.status == hpo::TrialStatus::Fail
                                   ? fmt::format("FAIL: {}", o.message)
                                   : fmt::format("{} {}", study.metric, value_text(o.value));
    const std::string best =
        o.best ? fmt::format("best {} (trial {})", value_text(o.best->value), o.best->trial)
               : std::string("no best yet");
    fmt::print("[{} jobs] trial {:>3} rung {} {:>3} epochs {:>7.1f} s  {}  {}  | {}\n", o.jobs_done,
               o.job.trial, o.job.rung, o.job.resource, o.seconds, result, best, params);
    std::fflush(stdout);
}

void write_best(const std::string& path, const std::string& text) {
    io::write_file_atomic(path, std::as_bytes(std::span(text.data(), text.size())));
}

void run_report(const TuneArgs& a) {
    const hpo::Storage storage = hpo::Storage::open_read_only(a.report);
    std::string out = a.output;
    if (out.empty()) {
        fs::path p(a.report);
        p.replace_extension(".html");
        out = p.string();
    }
    hpo::write_study_report(storage, out);
    fmt::print("report of '{}' written to {}\n", a.report, out);
}

void run_tune(const TuneArgs& a) {
    dist::Communicator& world = dist::Communicator::world();
    if (world.size() > 1 && world.rank() != 0) {
        hpo::serve_study_jobs(world);
        return;
    }
    // rank 0 (or a lone process): any error before the study runs lets the workers go
    struct StopWorkers {
        dist::Communicator& world;
        ~StopWorkers() {
            if (world.size() > 1) hpo::stop_study_workers(world);
        }
    } stop{world};
    if (!a.report.empty()) {
        if (!a.study.empty()) throw ValueError("give --study to run a study or --report, not both");
        run_report(a);
        return;
    }
    if (a.study.empty()) {
        throw ValueError("name a study file with --study (or a study's storage with --report)");
    }
    const hpo::StudyConfig study =
        hpo::StudyConfig::from_json(with_overrides(read_study_text(a.study), a), a.study);
    hpo::RunOptions o;
    o.storage = storage_path(a, study);
    o.resume = a.resume;
    o.threads = a.threads;
    o.logdir = a.logdir;
    o.mpi = world.size() > 1 ? &world : nullptr;
    char exe[4096] = {};
    const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) throw IOError("tune: cannot find the magmadnn program (/proc/self/exe)");
    o.program = std::string(exe, static_cast<std::size_t>(n));
    const std::string where = o.mpi != nullptr ? fmt::format("{} MPI ranks", world.size() - 1)
                                               : fmt::format("{} local worker{}", study.workers,
                                                             study.workers == 1 ? "" : "s");
    if (!a.json_lines) {
        fmt::print(
            "study '{}': {} scheduler, {} sampler, {} to {} epochs, {} parameters, {}; "
            "storage {}\n",
            study.name, hpo::to_string(study.scheduler.kind),
            hpo::to_string(study.scheduler.sampler), study.scheduler.min_resource,
            study.scheduler.max_resource, study.space.params().size(), where, o.storage);
        std::fflush(stdout);
    }
    o.on_job = [&](const hpo::JobOutcome& outcome) { print_outcome(study, outcome, a.json_lines); };
    o.on_note = [](const std::string& note) {
        std::fprintf(stderr, "magmadnn tune: %s\n", note.c_str());
    };
    const hpo::StudySummary s = hpo::run_study(study, o);
    const std::string output = a.output.empty() ? default_output(o.storage) : a.output;
    if (s.best) write_best(output, hpo::study_result_json(study, *s.best, s.threads));
    if (a.json_lines) {
        json j = {{"study", study.name},
                  {"storage", o.storage},
                  {"trials", s.trials},
                  {"complete", s.complete},
                  {"pruned", s.pruned},
                  {"failed", s.failed},
                  {"jobs", s.jobs},
                  {"requeued", s.requeued},
                  {"seconds", s.seconds},
                  {"best", best_json(s.best)},
                  {"epochs_trained", s.epochs_trained},
                  {"coordinator_cpu_seconds", cpu_seconds()}};
        if (s.best) j["best_file"] = output;
        fmt::print("{}\n", j.dump());
    } else {
        fmt::print(
            "{} trials: {} complete, {} stopped early, {} failed; {} jobs, {} epochs "
            "trained, {:.1f} s\n",
            s.trials, s.complete, s.pruned, s.failed, s.jobs, s.epochs_trained, s.seconds);
        if (s.best) {
            fmt::print(
                "best: trial {} {} {} after {} epochs: {}\nwritten to {} (magmadnn "
                "train --config {} reproduces it)\n",
                s.best->trial, study.metric, value_text(s.best->value), s.best->resource,
                hpo::params_to_json(s.best->params), output, output);
        } else {
            fmt::print("no trial finished: nothing to report as best\n");
        }
    }
    if (!s.best)
        throw ValueError(fmt::format("study '{}': every trial failed; see {}", study.name,
                                     o.storage + ".trials/*/stderr.log"));
}

}  // namespace

void add_tune_command(CLI::App& app) {
    auto a = std::make_shared<TuneArgs>();
    auto* cmd =
        app.add_subcommand("tune", "Search hyperparameters (a study file), or draw a study");
    cmd->add_option("--study", a->study,
                    "the study file (JSON: trial, space, objective, scheduler)")
        ->type_name("FILE.json");
    cmd->add_option("--report", a->report, "write the HTML report of this study storage instead")
        ->type_name("STUDY.db");
    cmd->add_option("-o,--output", a->output,
                    "the best configuration's JSON (default STORAGE.best.json), or with --report "
                    "the page (default STUDY.html)");
    cmd->add_option("--scheduler", a->scheduler, "grid, random, sha, hyperband or asha")
        ->check(CLI::IsMember({"grid", "random", "sha", "hyperband", "asha"}));
    cmd->add_option("--sampler", a->sampler,
                    "random, or tpe (learns from the results so far; not for grid)")
        ->check(CLI::IsMember({"random", "tpe"}));
    cmd->add_option("--trials", a->trials, "configurations to try at most")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--max-epochs", a->max_epochs, "R: epochs of a fully trained trial")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--min-epochs", a->min_epochs, "r: epochs at the lowest rung")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--reduction-factor", a->reduction_factor,
                    "eta: 1/eta of a rung is promoted (default 3 for hyperband, 4 for sha, asha)")
        ->check(CLI::Range(2, 1000));
    cmd->add_option("--workers", a->workers,
                    "trials at once, each a process with cores / workers threads (under mpirun: "
                    "the ranks but 0)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--threads", a->threads, "threads per trial (default: cores / workers)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--seed", a->seed, "the study's seed (sampler, and each trial's --seed)");
    cmd->add_option("--storage", a->storage,
                    "the study's SQLite file (default: the file's \"storage\", or NAME.db beside "
                    "the study file)");
    cmd->add_option("--logdir", a->logdir,
                    "TensorBoard logs of every trial, in DIR/trial-N (the train command only)")
        ->type_name("DIR");
    cmd->add_flag("--resume", a->resume,
                  "continue the study the storage holds (after a kill: running jobs run again)");
    cmd->add_flag("--json", a->json_lines, "a JSON line per finished job and one at the end");
    cmd->callback([a] { run_tune(*a); });
}

}  // namespace magmadnn::cli
