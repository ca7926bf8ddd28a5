// Study files: parsing and their checks, the identity a storage must share, each job's command
// line and the best configuration's result file.
#include "magmadnn/hpo/study.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <set>

#include "io/json_depth.h"
#include "magmadnn/core/error.h"

namespace magmadnn::hpo {

using nlohmann::json;

namespace {

// Set by the study, never by the file: each job's budget, threads and checkpoint.
const std::set<std::string> kOwnedTrainOptions = {
    "epochs", "threads", "checkpoint", "resume", "keep-checkpoints",
    "json",   "load",    "save",       "config", "logdir"};
const std::set<std::string> kPlaceholders = {"epochs",     "start",   "trial",
                                             "checkpoint", "threads", "seed"};

std::string dashed(std::string name) {
    std::replace(name.begin(), name.end(), '_', '-');
    return name;
}

json parse(std::string_view text, std::string_view where) {
    return io::detail::parse_json(text, std::string(where));
}

// Reads one JSON object's members, each at most once, and rejects the ones nobody took.
class Fields {
  public:
    Fields(const json& j, std::string where, std::string path)
        : j_(j), where_(std::move(where)), path_(std::move(path)) {
        if (!j_.is_object()) fail_type(path_.empty() ? "the study" : path_, "an object");
    }
    ~Fields() = default;
    Fields(const Fields&) = delete;
    Fields& operator=(const Fields&) = delete;

    const json* find(const char* key) {
        taken_.insert(key);
        const auto it = j_.find(key);
        return it == j_.end() ? nullptr : &*it;
    }
    const json& need(const char* key) {
        const json* v = find(key);
        if (v == nullptr) {
            throw FormatError(fmt::format("{}: '{}' is missing", where_, name(key)));
        }
        return *v;
    }
    std::string string(const char* key, const json& v) const {
        if (!v.is_string()) fail_type(name(key), "a string");
        return v.get<std::string>();
    }
    std::int64_t integer(const char* key, const json& v) const {
        if (!v.is_number_integer()) fail_type(name(key), "an integer");
        return v.get<std::int64_t>();
    }
    std::string name(const std::string& key) const {
        return path_.empty() ? key : path_ + "." + key;
    }
    void done() const {
        for (const auto& [key, value] : j_.items()) {
            if (taken_.count(key) == 0) {
                throw FormatError(fmt::format("{}: unknown field '{}'{}", where_, name(key),
                                              path_.empty()
                                                  ? "; the study's fields are name, trial, space, "
                                                    "objective, scheduler, workers, seed, storage"
                                                  : ""));
            }
        }
    }
    [[noreturn]] void fail_type(const std::string& field, const char* type) const {
        throw FormatError(fmt::format("{}: '{}' must be {}", where_, field, type));
    }

  private:
    const json& j_;
    std::string where_, path_;
    std::set<std::string> taken_;
};

std::string arg_value(const json& v, const std::string& field, std::string_view where) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number()) return v.dump();
    throw FormatError(
        fmt::format("{}: '{}' must be a number, a string or a boolean", where, field));
}

void read_trial(StudyConfig& s, const json& j, std::string_view where) {
    Fields f(j, std::string(where), "trial");
    const json& command = f.need("command");
    if (command.is_string()) {
        if (command.get<std::string>() != "train") {
            throw ValueError(fmt::format(
                "{}: 'trial.command' is '{}'; give \"train\" (magmadnn train) or a list: the "
                "program and its arguments",
                where, command.get<std::string>()));
        }
        s.builtin_train = true;
    } else if (command.is_array()) {
        s.builtin_train = false;
        for (const json& a : command) {
            if (!a.is_string()) f.fail_type("trial.command", "\"train\" or a list of strings");
            s.command.push_back(a.get<std::string>());
        }
        if (s.command.empty()) {
            throw ValueError(
                fmt::format("{}: 'trial.command' is an empty list; name the program", where));
        }
    } else {
        f.fail_type("trial.command", "\"train\" or a list of strings");
    }
    if (const json* args = f.find("args")) {
        if (!s.builtin_train) {
            throw FormatError(fmt::format(
                "{}: 'trial.args' is for the train command; put a program's arguments in its "
                "'trial.command' list",
                where));
        }
        if (!args->is_object()) f.fail_type("trial.args", "an object");
        for (const auto& [key, value] : args->items()) {
            const std::string field = "trial.args." + key;
            const std::string name = dashed(key);
            if (kOwnedTrainOptions.count(name) != 0) {
                throw ValueError(fmt::format(
                    "{}: '{}': the study sets --{} for each job; remove it (the budget is "
                    "'scheduler.max_epochs', threads come from 'workers')",
                    where, field, name));
            }
            if (value.is_boolean()) {
                if (value.get<bool>()) s.train_args.push_back({name, std::nullopt});
                continue;
            }
            s.train_args.push_back({name, arg_value(value, field, where)});
        }
    }
    f.done();
}

void read_objective(StudyConfig& s, const json* j, std::string_view where) {
    std::optional<std::string> direction;
    if (j != nullptr) {
        Fields f(*j, std::string(where), "objective");
        if (const json* m = f.find("metric")) s.metric = f.string("metric", *m);
        if (const json* d = f.find("direction")) direction = f.string("direction", *d);
        f.done();
    }
    if (s.metric.empty()) {
        throw ValueError(
            fmt::format("{}: 'objective.metric' is empty; name the metric the "
                        "trial reports, such as val_accuracy",
                        where));
    }
    if (!direction) {
        if (s.metric.find("accuracy") != std::string::npos) {
            direction = "maximize";
        } else if (s.metric.find("loss") != std::string::npos) {
            direction = "minimize";
        } else {
            throw ValueError(fmt::format(
                "{}: 'objective.direction' is missing for the metric '{}'; give \"maximize\" or "
                "\"minimize\"",
                where, s.metric));
        }
    }
    if (*direction == "maximize" || *direction == "max") {
        s.scheduler.direction = Direction::Maximize;
    } else if (*direction == "minimize" || *direction == "min") {
        s.scheduler.direction = Direction::Minimize;
    } else {
        throw ValueError(
            fmt::format("{}: 'objective.direction' is '{}'; give \"maximize\" or \"minimize\"",
                        where, *direction));
    }
}

void read_scheduler(StudyConfig& s, const json& j, std::string_view where) {
    Fields f(j, std::string(where), "scheduler");
    s.scheduler.kind = scheduler_kind(f.string("kind", f.need("kind")));
    auto epochs = [&](const char* key, const json& v) {
        const std::int64_t n = f.integer(key, v);
        if (n < 1) {
            throw ValueError(fmt::format(
                "{}: 'scheduler.{}' is {}; a trial trains at least 1 epoch", where, key, n));
        }
        if (n > 1'000'000) {
            throw ValueError(fmt::format("{}: 'scheduler.{}' is {} epochs; give at most 1000000",
                                         where, key, n));
        }
        return static_cast<int>(n);
    };
    s.scheduler.max_resource = epochs("max_epochs", f.need("max_epochs"));
    s.scheduler.min_resource = 1;
    if (const json* v = f.find("min_epochs")) s.scheduler.min_resource = epochs("min_epochs", *v);
    if (s.scheduler.min_resource > s.scheduler.max_resource) {
        throw ValueError(
            fmt::format("{}: 'scheduler.min_epochs' {} exceeds 'scheduler.max_epochs' {}", where,
                        s.scheduler.min_resource, s.scheduler.max_resource));
    }
    if (const json* v = f.find("reduction_factor")) {
        const std::int64_t eta = f.integer("reduction_factor", *v);
        if (eta < 2 || eta > 1000) {
            throw ValueError(fmt::format(
                "{}: 'scheduler.reduction_factor' is {}; give an integer from 2 to 1000", where,
                eta));
        }
        s.scheduler.reduction_factor = static_cast<int>(eta);
    }
    if (const json* v = f.find("sampler")) {
        s.scheduler.sampler = sampler_kind(f.string("sampler", *v));
    }
    if (const json* v = f.find("trials")) {
        const std::int64_t n = f.integer("trials", *v);
        if (n < 1) {
            throw ValueError(
                fmt::format("{}: 'scheduler.trials' is {}; give at least 1", where, n));
        }
        s.scheduler.trials = n;
    }
    f.done();
}

// Every {name} in a command argument must be a parameter or a placeholder, and every
// parameter must appear somewhere.
void check_command(const StudyConfig& s, std::string_view where) {
    std::set<std::string> used;
    for (const std::string& arg : s.command) {
        for (std::size_t open = arg.find('{'); open != std::string::npos;
             open = arg.find('{', open + 1)) {
            const std::size_t close = arg.find('}', open);
            if (close == std::string::npos) break;
            const std::string name = arg.substr(open + 1, close - open - 1);
            const bool is_param = std::any_of(s.space.params().begin(), s.space.params().end(),
                                              [&](const Param& p) { return p.name == name; });
            if (!is_param && kPlaceholders.count(name) == 0) {
                throw ValueError(fmt::format(
                    "{}: 'trial.command' argument '{}' names {{{}}}, which is neither a "
                    "parameter of 'space' nor one of {{epochs}} {{start}} {{trial}} "
                    "{{checkpoint}} {{threads}} {{seed}}",
                    where, arg, name));
            }
            used.insert(name);
        }
    }
    for (const Param& p : s.space.params()) {
        if (used.count(p.name) == 0) {
            throw ValueError(fmt::format(
                "{}: parameter '{}' of 'space' is never passed to the trial; put {{{}}} in an "
                "argument of 'trial.command'",
                where, p.name, p.name));
        }
    }
    if (used.count("epochs") == 0) {
        throw ValueError(fmt::format(
            "{}: 'trial.command' never passes {{epochs}}: a job must know how far to train",
            where));
    }
}

void check_train(const StudyConfig& s, std::string_view where) {
    const auto& tunable = tunable_train_options();
    for (const Param& p : s.space.params()) {
        if (std::find(tunable.begin(), tunable.end(), p.name) == tunable.end()) {
            throw ValueError(
                fmt::format("{}: parameter '{}' of 'space' is not an option of "
                            "magmadnn train; tunable: {}",
                            where, p.name, fmt::join(tunable, ", ")));
        }
        const std::string name = dashed(p.name);
        for (const TrainArg& a : s.train_args) {
            if (a.name == name) {
                throw ValueError(fmt::format(
                    "{}: 'trial.args.{}' is fixed, but 'space' also searches '{}'; keep one", where,
                    a.name, p.name));
            }
        }
    }
    if (s.metric.rfind("val_", 0) == 0) {
        const auto split =
            std::find_if(s.train_args.begin(), s.train_args.end(),
                         [](const TrainArg& a) { return a.name == "validation-split"; });
        double fraction = 0;
        if (split != s.train_args.end() && split->value) {
            const std::string& v = *split->value;
            const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), fraction);
            if (ec != std::errc() || end != v.data() + v.size() ||
                !(fraction > 0 && fraction < 1)) {
                throw ValueError(fmt::format(
                    "{}: 'trial.args.validation-split' is '{}'; give a fraction in (0, 1)", where,
                    v));
            }
        }
        if (!(fraction > 0)) {
            throw ValueError(fmt::format(
                "{}: the objective '{}' needs a validation split; add \"validation-split\": 0.1 "
                "to 'trial.args' (the test set is never the objective)",
                where, s.metric));
        }
    }
}

json identity(const StudyConfig& s) {
    json trial;
    if (s.builtin_train) {
        json args = json::array();
        for (const TrainArg& a : s.train_args) {
            args.push_back(a.value ? json::array({a.name, *a.value}) : json::array({a.name}));
        }
        trial = {{"command", "train"}, {"args", args}};
    } else {
        trial = {{"command", s.command}};
    }
    const SchedulerOptions& o = s.scheduler;
    json scheduler = {{"kind", to_string(o.kind)},
                      {"max_epochs", o.max_resource},
                      {"min_epochs", o.min_resource}};
    scheduler["reduction_factor"] = o.reduction_factor ? json(*o.reduction_factor) : json(nullptr);
    scheduler["trials"] = o.trials ? json(*o.trials) : json(nullptr);
    scheduler["sampler"] = to_string(o.sampler);
    return {{"name", s.name},
            {"trial", trial},
            {"space", json::parse(s.space.to_json())},
            {"objective",
             {{"metric", s.metric},
              {"direction", o.direction == Direction::Maximize ? "maximize" : "minimize"}}},
            {"scheduler", scheduler},
            {"seed", o.seed}};
}

std::optional<std::string> difference(const json& a, const json& b, const std::string& path) {
    if (a.is_object() && b.is_object()) {
        std::set<std::string> keys;
        for (const auto& [k, v] : a.items()) keys.insert(k);
        for (const auto& [k, v] : b.items()) keys.insert(k);
        for (const std::string& k : keys) {
            const std::string sub = path.empty() ? k : path + "." + k;
            if (!a.contains(k) || !b.contains(k)) {
                return fmt::format("{}: {} here, {} there", sub,
                                   a.contains(k) ? a[k].dump() : "absent",
                                   b.contains(k) ? b[k].dump() : "absent");
            }
            if (auto d = difference(a[k], b[k], sub)) return d;
        }
        return std::nullopt;
    }
    if (a == b) return std::nullopt;
    return fmt::format("{}: {} here, {} there", path, a.dump(), b.dump());
}

std::string substitute(const std::string& arg, const StudyConfig& s, const Job& job,
                       const TrialInvocation& how) {
    std::string out;
    std::size_t pos = 0;
    while (pos < arg.size()) {
        const std::size_t open = arg.find('{', pos);
        const std::size_t close = open == std::string::npos ? open : arg.find('}', open);
        if (close == std::string::npos) {
            out += arg.substr(pos);
            break;
        }
        out += arg.substr(pos, open - pos);
        const std::string name = arg.substr(open + 1, close - open - 1);
        if (const auto p = job.params.find(name); p != job.params.end()) {
            out += to_string(p->second);
        } else if (name == "epochs") {
            out += std::to_string(job.resource);
        } else if (name == "start") {
            out += std::to_string(job.start);
        } else if (name == "trial") {
            out += std::to_string(job.trial);
        } else if (name == "checkpoint") {
            out += how.checkpoint;
        } else if (name == "threads") {
            out += std::to_string(how.threads);
        } else if (name == "seed") {
            out += std::to_string(s.scheduler.seed);
        } else {
            out += arg.substr(open, close - open + 1);
        }
        pos = close + 1;
    }
    return out;
}

json value_json(const Value& v) {
    return std::visit([](const auto& x) { return json(x); }, v);
}

}  // namespace

const std::vector<std::string>& tunable_train_options() {
    static const std::vector<std::string> names = {"batch_size", "dropout",   "hidden",
                                                   "layers",     "lr",        "model",
                                                   "momentum",   "optimizer", "weight_decay"};
    return names;
}

StudyConfig StudyConfig::from_json(std::string_view text, std::string_view where) {
    const json j = parse(text, where);
    StudyConfig s;
    Fields f(j, std::string(where), "");
    s.name = f.string("name", f.need("name"));
    if (s.name.empty()) {
        throw ValueError(fmt::format("{}: 'name' is empty; name the study", where));
    }
    read_trial(s, f.need("trial"), where);
    s.space = SearchSpace::from_json(f.need("space").dump(), fmt::format("{}: 'space'", where));
    if (s.space.params().empty()) {
        throw ValueError(fmt::format("{}: 'space' is empty; give a parameter to search", where));
    }
    read_objective(s, f.find("objective"), where);
    read_scheduler(s, f.need("scheduler"), where);
    if (const json* w = f.find("workers")) {
        const std::int64_t n = f.integer("workers", *w);
        if (n < 1 || n > 4096) {
            throw ValueError(
                fmt::format("{}: 'workers' is {}; give 1 to 4096 processes", where, n));
        }
        s.workers = static_cast<int>(n);
    }
    if (const json* seed = f.find("seed")) {
        if (!seed->is_number_unsigned()) f.fail_type("seed", "a non-negative integer");
        s.scheduler.seed = seed->get<std::uint64_t>();
    }
    if (const json* st = f.find("storage")) s.storage = f.string("storage", *st);
    f.done();
    if (s.builtin_train) {
        check_train(s, where);
    } else {
        check_command(s, where);
    }
    // the scheduler's own checks (a grid that needs grids, a trial budget) before any job runs
    (void)make_scheduler(s.space, s.scheduler);
    return s;
}

std::string StudyConfig::identity_json() const { return identity(*this).dump(); }

std::optional<std::string> StudyConfig::identity_difference(std::string_view here,
                                                            std::string_view there) {
    return difference(parse(here, "the study"), parse(there, "the storage's study"), "");
}

std::vector<std::string> trial_argv(const StudyConfig& s, const Job& job,
                                    const TrialInvocation& how) {
    std::vector<std::string> argv;
    if (!s.builtin_train) {
        for (const std::string& arg : s.command) argv.push_back(substitute(arg, s, job, how));
        return argv;
    }
    argv = {how.program,
            "train",
            "--json",
            "--epochs",
            std::to_string(job.resource),
            "--threads",
            std::to_string(how.threads),
            "--resume",
            how.checkpoint + "/",
            "--keep-checkpoints",
            "1"};
    const bool seeded = std::any_of(s.train_args.begin(), s.train_args.end(),
                                    [](const TrainArg& a) { return a.name == "seed"; });
    if (!seeded) argv.insert(argv.end(), {"--seed", std::to_string(s.scheduler.seed)});
    for (const TrainArg& a : s.train_args) {
        argv.push_back("--" + a.name);
        if (a.value) argv.push_back(*a.value);
    }
    if (!how.logdir.empty()) argv.insert(argv.end(), {"--logdir", how.logdir});
    for (const auto& [name, value] : job.params) {
        argv.push_back("--" + dashed(name));
        argv.push_back(to_string(value));
    }
    return argv;
}

std::string study_result_json(const StudyConfig& s, const TrialResult& best, int threads) {
    json params = json::object();
    for (const auto& [name, value] : best.params) params[name] = value_json(value);
    json out = {
        {"study", s.name},
        {"metric", s.metric},
        {"direction", s.scheduler.direction == Direction::Maximize ? "maximize" : "minimize"},
        {"trial", best.trial},
        {"value", best.value},
        {"epochs", best.resource},
        {"params", params}};
    if (s.builtin_train) {
        json train = json::object();
        for (const TrainArg& a : s.train_args) {
            train[a.name] = a.value ? json(*a.value) : json(true);
        }
        if (!train.contains("seed")) train["seed"] = s.scheduler.seed;
        for (const auto& [name, value] : best.params) train[dashed(name)] = value_json(value);
        train["epochs"] = best.resource;
        if (threads > 0) train["threads"] = threads;
        out["train"] = train;
    } else {
        const Job job{.trial = best.trial, .resource = best.resource, .params = best.params};
        json command = json::array();
        for (const std::string& arg : s.command) {
            command.push_back(substitute(arg, s, job, {.checkpoint = "{checkpoint}"}));
        }
        out["command"] = command;
    }
    return out.dump(2) + "\n";
}

}  // namespace magmadnn::hpo
