// Study files: what they hold, each bad field named, a job's command line, the study's identity
// and the best configuration's file.
#include "magmadnn/hpo/study.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "magmadnn/core/error.h"

using namespace magmadnn;
using nlohmann::json;

namespace {

json base() {
    return json::parse(R"({
        "name": "mlp-fashion",
        "trial": {"command": "train",
                  "args": {"model": "mlp", "data": "fashion-mnist", "validation_split": 0.1,
                           "train-rows": 6000, "standardize": true, "drop-last": false}},
        "space": {"lr": {"type": "loguniform", "low": 0.001, "high": 0.5},
                  "batch_size": {"type": "choice", "values": [32, 64]},
                  "optimizer": {"type": "choice", "values": ["sgd", "adam"]}},
        "objective": {"metric": "val_accuracy", "direction": "maximize"},
        "scheduler": {"kind": "asha", "max_epochs": 9, "min_epochs": 1, "trials": 30},
        "workers": 2, "seed": 5})");
}

hpo::StudyConfig parse(const json& j) { return hpo::StudyConfig::from_json(j.dump(), "s.json"); }

template <typename E>
std::string error_of(const json& j) {
    try {
        parse(j);
    } catch (const E& e) {
        return e.what();
    }
    ADD_FAILURE() << "no error for " << j.dump();
    return {};
}

TEST(Study, ReadsEveryField) {
    const hpo::StudyConfig s = parse(base());
    EXPECT_EQ(s.name, "mlp-fashion");
    EXPECT_TRUE(s.builtin_train);
    const std::vector<hpo::TrainArg> args = {{"data", "fashion-mnist"},
                                             {"model", "mlp"},
                                             {"standardize", std::nullopt},
                                             {"train-rows", "6000"},
                                             {"validation-split", "0.1"}};
    EXPECT_EQ(s.train_args, args);  // false flags left out, '_' read as '-'
    EXPECT_EQ(s.space.params().size(), 3u);
    EXPECT_EQ(s.metric, "val_accuracy");
    EXPECT_EQ(s.scheduler.kind, hpo::SchedulerKind::Asha);
    EXPECT_EQ(s.scheduler.direction, hpo::Direction::Maximize);
    EXPECT_EQ(s.scheduler.max_resource, 9);
    EXPECT_EQ(s.scheduler.trials, 30);
    EXPECT_EQ(s.scheduler.seed, 5u);
    EXPECT_EQ(s.workers, 2);
    EXPECT_EQ(s.scheduler.sampler, hpo::SamplerKind::Random);
    json j = base();
    j["scheduler"]["sampler"] = "tpe";
    EXPECT_EQ(parse(j).scheduler.sampler, hpo::SamplerKind::Tpe);
    EXPECT_TRUE(hpo::StudyConfig::identity_difference(parse(j).identity_json(), s.identity_json()));
    j["scheduler"]["sampler"] = "cmaes";
    EXPECT_NE(error_of<ValueError>(j).find("unknown sampler 'cmaes'"), std::string::npos);
}

TEST(Study, DirectionFollowsTheMetricUnlessGiven) {
    json j = base();
    j["objective"] = {{"metric", "val_loss"}};
    EXPECT_EQ(parse(j).scheduler.direction, hpo::Direction::Minimize);
    j["objective"] = {{"metric", "val_accuracy"}};
    EXPECT_EQ(parse(j).scheduler.direction, hpo::Direction::Maximize);
    j.erase("objective");
    EXPECT_EQ(parse(j).metric, "val_accuracy");
}

TEST(Study, BadFieldsAreNamed) {
    json j = base();
    j["space"]["units"] = {{"type", "int"}, {"low", 8}, {"high", 64}};
    EXPECT_NE(error_of<ValueError>(j).find("parameter 'units' of 'space' is not an option of "
                                           "magmadnn train"),
              std::string::npos);
    j = base();
    j["space"]["lr"] = {{"type", "uniform"}, {"low", 0.5}, {"high", 0.5}};
    EXPECT_NE(error_of<ValueError>(j).find("lr"), std::string::npos);
    j = base();
    j["space"]["lr"] = {{"type", "loguniform"}, {"low", -1}, {"high", 1}};
    EXPECT_NE(error_of<ValueError>(j).find("lr"), std::string::npos);
    j = base();
    j["scheduler"]["max_epochs"] = 0;
    EXPECT_NE(error_of<ValueError>(j).find("'scheduler.max_epochs' is 0; a trial trains at least "
                                           "1 epoch"),
              std::string::npos);
    j = base();
    j["scheduler"]["min_epochs"] = 10;
    EXPECT_NE(error_of<ValueError>(j).find("'scheduler.min_epochs' 10 exceeds"), std::string::npos);
    j = base();
    j["trial"]["args"]["epochs"] = 3;
    EXPECT_NE(error_of<ValueError>(j).find("'trial.args.epochs': the study sets --epochs"),
              std::string::npos);
    j = base();
    j["trial"]["args"]["lr"] = 0.1;
    EXPECT_NE(error_of<ValueError>(j).find("'trial.args.lr' is fixed, but 'space' also searches"),
              std::string::npos);
    j = base();
    j["trial"]["args"].erase("validation_split");
    EXPECT_NE(error_of<ValueError>(j).find("needs a validation split"), std::string::npos);
    j = base();
    j["trial"]["args"]["validation_split"] = "lots";
    EXPECT_NE(error_of<ValueError>(j).find("'trial.args.validation-split' is 'lots'"),
              std::string::npos);
    j = base();
    j["workers"] = 0;
    EXPECT_NE(error_of<ValueError>(j).find("'workers' is 0"), std::string::npos);
    j = base();
    j["schedule"] = j["scheduler"];
    EXPECT_NE(error_of<FormatError>(j).find("unknown field 'schedule'"), std::string::npos);
    j = base();
    j["scheduler"]["kind"] = "bayes";
    EXPECT_NE(error_of<ValueError>(j).find("bayes"), std::string::npos);
    j = base();
    j.erase("name");
    EXPECT_NE(error_of<FormatError>(j).find("'name' is missing"), std::string::npos);
    j = base();
    j["scheduler"]["kind"] = "grid";  // lr is continuous without a grid
    EXPECT_NE(error_of<ValueError>(j).find("lr"), std::string::npos);
}

TEST(Study, ACommandMustPassEveryParameterAndTheEpochs) {
    json j = base();
    j["trial"] = {{"command",
                   {"prog", "--lr", "{lr}", "--bs", "{batch_size}", "--opt", "{optimizer}",
                    "--epochs", "{epochs}"}}};
    const hpo::StudyConfig s = parse(j);
    EXPECT_FALSE(s.builtin_train);
    j["trial"]["command"][2] = "0.1";
    EXPECT_NE(error_of<ValueError>(j).find("parameter 'lr' of 'space' is never passed"),
              std::string::npos);
    j["trial"]["command"][2] = "{lrr}";
    EXPECT_NE(error_of<ValueError>(j).find("names {lrr}"), std::string::npos);
    j["trial"]["command"][2] = "{lr}";
    j["trial"]["command"][8] = "9";
    EXPECT_NE(error_of<ValueError>(j).find("never passes {epochs}"), std::string::npos);
}

TEST(Study, JobCommandLines) {
    const hpo::StudyConfig s = parse(base());
    const hpo::Job job{
        .trial = 4,
        .rung = 1,
        .start = 1,
        .resource = 3,
        .params = {
            {"lr", 0.25}, {"batch_size", std::int64_t{64}}, {"optimizer", std::string("adam")}}};
    const auto argv = hpo::trial_argv(
        s, job, {.program = "/bin/magmadnn", .checkpoint = "/t/trial-4", .threads = 2});
    const std::vector<std::string> expected = {"/bin/magmadnn",
                                               "train",
                                               "--json",
                                               "--epochs",
                                               "3",
                                               "--threads",
                                               "2",
                                               "--resume",
                                               "/t/trial-4/",
                                               "--keep-checkpoints",
                                               "1",
                                               "--seed",
                                               "5",
                                               "--data",
                                               "fashion-mnist",
                                               "--model",
                                               "mlp",
                                               "--standardize",
                                               "--train-rows",
                                               "6000",
                                               "--validation-split",
                                               "0.1",
                                               "--batch-size",
                                               "64",
                                               "--lr",
                                               "0.25",
                                               "--optimizer",
                                               "adam"};
    EXPECT_EQ(argv, expected);
    const auto logged = hpo::trial_argv(
        s, job, {.program = "m", .checkpoint = "/c", .threads = 1, .logdir = "/tb/trial-4"});
    EXPECT_EQ(std::vector<std::string>(logged.end() - 8, logged.end() - 6),
              (std::vector<std::string>{"--logdir", "/tb/trial-4"}));

    json j = base();
    j["trial"] = {{"command",
                   {"prog", "--lr={lr}", "{batch_size}", "{optimizer}", "{epochs}", "{start}",
                    "{trial}", "{checkpoint}", "{threads}", "{seed}"}}};
    const auto custom =
        hpo::trial_argv(parse(j), job, {.program = "", .checkpoint = "/c", .threads = 2});
    const std::vector<std::string> want = {"prog", "--lr=0.25", "64", "adam", "3",
                                           "1",    "4",         "/c", "2",    "5"};
    EXPECT_EQ(custom, want);
}

TEST(Study, IdentityNamesTheFirstDifference) {
    const std::string a = parse(base()).identity_json();
    EXPECT_FALSE(hpo::StudyConfig::identity_difference(a, a));
    json j = base();
    j["workers"] = 1;  // not part of the identity
    j["storage"] = "elsewhere.db";
    EXPECT_FALSE(hpo::StudyConfig::identity_difference(a, parse(j).identity_json()));
    j["scheduler"]["max_epochs"] = 27;
    const auto d = hpo::StudyConfig::identity_difference(parse(j).identity_json(), a);
    ASSERT_TRUE(d);
    EXPECT_EQ(*d, "scheduler.max_epochs: 27 here, 9 there");
    j = base();
    j["space"]["lr"]["high"] = 1;
    const auto d2 = hpo::StudyConfig::identity_difference(parse(j).identity_json(), a);
    ASSERT_TRUE(d2);
    EXPECT_EQ(*d2, "space.lr.high: 1.0 here, 0.5 there");
}

TEST(Study, ResultFileHoldsTheTrainOptions) {
    const hpo::StudyConfig s = parse(base());
    const hpo::TrialResult best{.trial = 3,
                                .params = {{"lr", 0.0125},
                                           {"batch_size", std::int64_t{32}},
                                           {"optimizer", std::string("sgd")}},
                                .resource = 9,
                                .value = 0.875};
    const json r = json::parse(hpo::study_result_json(s, best, 2));
    EXPECT_EQ(r["study"], "mlp-fashion");
    EXPECT_EQ(r["trial"], 3);
    EXPECT_EQ(r["value"], 0.875);
    const json train = r["train"];
    EXPECT_EQ(train["lr"], 0.0125);
    EXPECT_EQ(train["batch-size"], 32);
    EXPECT_EQ(train["optimizer"], "sgd");
    EXPECT_EQ(train["epochs"], 9);
    EXPECT_EQ(train["seed"], 5);
    EXPECT_EQ(train["threads"], 2);
    EXPECT_EQ(train["standardize"], true);
    EXPECT_EQ(train["validation-split"], "0.1");
    EXPECT_EQ(train["model"], "mlp");
}

}  // namespace
