#pragma once
// A study file: what a trial runs, the search space, the objective, the scheduler and the
// storage. `magmadnn tune --study study.json` reads one:
//
//   {"name": "mlp-fashion",
//    "trial": {"command": "train",
//              "args": {"model": "mlp", "data": "fashion-mnist", "validation-split": 0.1}},
//    "space": {"lr": {"type": "loguniform", "low": 1e-3, "high": 0.5}, ...},
//    "objective": {"metric": "val_accuracy", "direction": "maximize"},
//    "scheduler": {"kind": "asha", "max_epochs": 9, "min_epochs": 1, "trials": 30,
//                  "sampler": "tpe"},
//    "workers": 2, "seed": 0, "storage": "mlp-fashion.db"}
//
// "command": "train" runs `magmadnn train` with the fixed args and each parameter as its option
// (lr -> --lr, weight_decay -> --weight-decay). A list runs any program instead: its arguments
// may hold {param}, {epochs}, {start}, {trial}, {checkpoint}, {threads} and {seed}. A trial
// prints JSON lines; each one holding "epoch" and the objective's metric is a report.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "magmadnn/hpo/scheduler.h"
#include "magmadnn/hpo/space.h"

namespace magmadnn::hpo {

// A fixed argument of the built-in train command: --name value, or the flag --name.
struct TrainArg {
    std::string name{};  // the option without its dashes: validation-split
    std::optional<std::string> value{};
    bool operator==(const TrainArg&) const = default;
};

struct StudyConfig {
    std::string name{};
    bool builtin_train = true;
    std::vector<TrainArg> train_args{};  // builtin_train: in the file's order
    std::vector<std::string> command{};  // otherwise: the program and its argument templates
    SearchSpace space{};
    std::string metric = "val_accuracy";
    SchedulerOptions scheduler{};  // .direction from the objective
    int workers = 1;
    std::string storage{};  // the SQLite file; empty: <name>.db beside the study file

    // FormatError naming `where` and the field for JSON of the wrong shape (unknown keys
    // included); ValueError naming the field for bad values: an empty name, an unknown
    // parameter of the train command, a parameter a command never uses, a fixed argument the
    // study owns (epochs, threads, checkpoint, ...), a val_ objective without a validation
    // split, a budget under one epoch, workers < 1.
    static StudyConfig from_json(std::string_view text, std::string_view where);

    // The fields a study's storage must agree on to continue it (not workers or storage), as
    // canonical JSON: {"name", "trial", "space", "objective", "scheduler", "seed"}.
    std::string identity_json() const;
    // The first field where two identities differ, as "scheduler.max_epochs: 9 here, 27 there",
    // or nothing when they agree.
    static std::optional<std::string> identity_difference(std::string_view here,
                                                          std::string_view there);
};

// The train options a parameter of the built-in command may name (lr, momentum, ...).
const std::vector<std::string>& tunable_train_options();

// What a job runs. `program` is the magmadnn executable for the built-in command; `checkpoint`
// the trial's own directory (the train command resumes from it).
struct TrialInvocation {
    std::string program{};
    std::string checkpoint{};
    int threads = 1;
    std::string logdir{};  // the train command's TensorBoard directory for this trial, if any
};
std::vector<std::string> trial_argv(const StudyConfig& study, const Job& job,
                                    const TrialInvocation& how);

// The best configuration as JSON that `magmadnn train --config` reads back (its "train"
// object), or, for another command, with that command's arguments:
// {"study", "metric", "direction", "trial", "value", "epochs", "params", "train"|"command"}.
// `threads` > 0 goes into "train" too: the trial's bits depend on it.
std::string study_result_json(const StudyConfig& study, const TrialResult& best, int threads = 0);

}  // namespace magmadnn::hpo
