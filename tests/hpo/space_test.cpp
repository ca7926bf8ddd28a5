// Search spaces from JSON, configurations round-tripped, and every bad input named.
#include "magmadnn/hpo/space.h"

#include <gtest/gtest.h>

#include <cmath>

#include "magmadnn/core/error.h"

using namespace magmadnn;
using hpo::ParamType;
using hpo::SearchSpace;

namespace {

const char* kSpace = R"({"lr": {"type": "loguniform", "low": 1e-4, "high": 1},
    "momentum": {"type": "uniform", "low": 0, "high": 0.99},
    "batch_size": {"type": "choice", "values": [32, 64, 128]},
    "hidden": {"type": "int", "low": 64, "high": 1024, "log": true},
    "optimizer": {"type": "choice", "values": ["sgd", "adam"]}})";

// The message of the error `f` throws as E, or a failure.
template <typename E, typename F>
std::string message_of(F&& f) {
    try {
        f();
    } catch (const E& e) {
        return e.what();
    }
    ADD_FAILURE() << "no error of the expected type";
    return {};
}

std::string space_error(const std::string& json) {
    try {
        SearchSpace::from_json(json, "study.json");
    } catch (const FormatError& e) {
        return std::string("FormatError: ") + e.what();
    } catch (const ValueError& e) {
        return std::string("ValueError: ") + e.what();
    }
    return "no error";
}

}  // namespace

TEST(HpoSpace, ParsesEveryTypeInNameOrder) {
    const auto space = SearchSpace::from_json(kSpace, "study.json");
    ASSERT_EQ(space.params().size(), 5u);
    std::vector<std::string> names;
    for (const auto& p : space.params()) names.push_back(p.name);
    EXPECT_EQ(names,
              (std::vector<std::string>{"batch_size", "hidden", "lr", "momentum", "optimizer"}));
    EXPECT_EQ(space.at("lr").type, ParamType::LogUniform);
    EXPECT_DOUBLE_EQ(space.at("lr").low, 1e-4);
    EXPECT_EQ(space.at("hidden").type, ParamType::Int);
    EXPECT_TRUE(space.at("hidden").log);
    EXPECT_EQ(space.at("batch_size").values,
              (std::vector<hpo::Value>{std::int64_t{32}, std::int64_t{64}, std::int64_t{128}}));
    EXPECT_EQ(space.at("optimizer").values,
              (std::vector<hpo::Value>{std::string("sgd"), std::string("adam")}));
    EXPECT_THROW(space.at("dropout"), ValueError);
    // to_json reads back to the same space
    const auto again = SearchSpace::from_json(space.to_json(), "again");
    EXPECT_EQ(again.to_json(), space.to_json());
}

TEST(HpoSpace, ParamsRoundTripExactly) {
    const hpo::Params p{{"lr", 0.1 + 0.2},
                        {"hidden", std::int64_t{256}},
                        {"optimizer", std::string("adam")},
                        {"tiny", 1e-300}};
    const auto text = hpo::params_to_json(p);
    EXPECT_EQ(hpo::params_from_json(text, "t"), p);
    EXPECT_EQ(hpo::to_string(hpo::Value(std::int64_t{64})), "64");
    EXPECT_EQ(hpo::to_string(hpo::Value(std::string("sgd"))), "sgd");
    EXPECT_THROW(hpo::as_double(hpo::Value(std::string("sgd"))), ValueError);
    EXPECT_NE(message_of<FormatError>([] {
                  hpo::params_from_json(R"({"a": [1]})", "best.json");
              }).find("best.json: the configuration: parameter 'a'"),
              std::string::npos);
    EXPECT_THROW(hpo::params_from_json("[1]", "x"), FormatError);
    EXPECT_THROW(hpo::params_from_json("{", "x"), FormatError);
}

TEST(HpoSpace, GridListsAreCheckedAgainstTheRange) {
    const auto space = SearchSpace::from_json(
        R"({"lr": {"type": "loguniform", "low": 1e-3, "high": 1, "grid": [0.001, 0.01, 0.1]},
            "n": {"type": "int", "low": 1, "high": 8, "grid": [2, 4]}})",
        "s");
    EXPECT_EQ(space.at("lr").values.size(), 3u);
    EXPECT_EQ(space.at("n").values.size(), 2u);
}

// Each bad input: the error type, and what its message must name.
TEST(HpoSpace, EveryBadInputNamesTheParameterAndField) {
    const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
        {R"({"lr": {"type": "logunif", "low": 1, "high": 2}})",
         {"FormatError", "parameter 'lr'", "unknown type 'logunif'", "loguniform"}},
        {R"({"lr": {"type": "uniform", "high": 2}})",
         {"FormatError", "parameter 'lr'", "'low' is missing"}},
        {R"({"lr": {"type": "uniform", "low": 0}})",
         {"FormatError", "parameter 'lr'", "'high' is missing"}},
        {R"({"lr": {"type": "uniform", "low": 2, "high": 2}})",
         {"ValueError", "parameter 'lr'", "range is empty", "low 2 >= high 2"}},
        {R"({"n": {"type": "int", "low": 5, "high": 4}})",
         {"ValueError", "parameter 'n'", "range is empty", "low 5 > high 4", "low <= high"}},
        {R"({"n": {"type": "int", "low": 1.5, "high": 4}})",
         {"ValueError", "parameter 'n'", "must be integers"}},
        {R"({"lr": {"type": "loguniform", "low": 0, "high": 1}})",
         {"ValueError", "parameter 'lr'", "log range must lie above zero", "low is 0"}},
        {R"({"lr": {"type": "loguniform", "low": -1, "high": 1}})",
         {"ValueError", "parameter 'lr'", "low is -1"}},
        {R"({"n": {"type": "int", "low": 0, "high": 9, "log": true}})",
         {"ValueError", "parameter 'n'", "log range"}},
        {R"({"opt": {"type": "choice", "values": []}})",
         {"ValueError", "parameter 'opt'", "'values' is empty"}},
        {R"({"opt": {"type": "choice"}})",
         {"FormatError", "parameter 'opt'", "'values' is missing"}},
        {R"({"opt": {"type": "choice", "values": [[1]]}})",
         {"FormatError", "parameter 'opt'", "expected numbers or strings"}},
        {R"({"lr": {"type": "uniform", "low": 0, "high": 1e999}})",
         {"FormatError", "not valid JSON", "overflow", "1e999"}},
        {R"({"lr": {"type": "uniform", "low": "0", "high": 1}})",
         {"FormatError", "parameter 'lr'", "'low' is \"0\"", "expected a number"}},
        {R"({"lr": {"type": "uniform", "low": 0, "high": 1, "lo": 3}})",
         {"FormatError", "parameter 'lr'", "unknown key 'lo'", "type, low, high, grid"}},
        {R"({"opt": {"type": "choice", "values": [1], "grid": [1]}})",
         {"FormatError", "parameter 'opt'", "unknown key 'grid'"}},
        {R"({"n": {"type": "int", "low": 1, "high": 3, "log": 1}})",
         {"FormatError", "parameter 'n'", "'log'", "true or false"}},
        {R"({"lr": {"type": "uniform", "low": 0, "high": 1, "grid": [0.5, 2]}})",
         {"ValueError", "parameter 'lr'", "grid point 2.0 lies outside [0, 1]"}},
        {R"({"n": {"type": "int", "low": 1, "high": 3, "grid": [1.5]}})",
         {"ValueError", "parameter 'n'", "grid point 1.5 is not an integer"}},
        {R"({"lr": {"type": "uniform", "low": 0, "high": 1, "grid": []}})",
         {"FormatError", "parameter 'lr'", "'grid' is empty"}},
        {R"({"lr": 0.1})", {"FormatError", "parameter 'lr'", "expected an object with a \"type\""}},
        {R"({})", {"FormatError", "at least one parameter"}},
        {R"([1])", {"FormatError", "at least one parameter"}},
        {R"({"lr": )", {"FormatError", "not valid JSON"}},
    };
    for (const auto& [json, parts] : cases) {
        const std::string msg = space_error(json);
        EXPECT_NE(msg.find("study.json"), std::string::npos) << json << "\n" << msg;
        for (const auto& part : parts) {
            EXPECT_NE(msg.find(part), std::string::npos)
                << json << "\nmissing: " << part << "\nin: " << msg;
        }
    }
}

TEST(HpoSpace, ConstructedSpacesAreCheckedToo) {
    hpo::Param p{"x", ParamType::Uniform, 0, std::nan("")};
    EXPECT_NE(
        message_of<ValueError>([&] { SearchSpace({p}); }).find("parameter 'x': 'high' is nan"),
        std::string::npos);
    hpo::Param a{"x", ParamType::Uniform, 0, 1};
    EXPECT_NE(message_of<ValueError>([&] {
                  SearchSpace({a, a});
              }).find("'x' is given twice"),
              std::string::npos);
}
