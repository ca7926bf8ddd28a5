#pragma once
// A search space: named hyperparameters, each a range or a list of choices, read from the JSON a
// study file holds:
//
//   {"lr":         {"type": "loguniform", "low": 1e-4, "high": 1},
//    "momentum":   {"type": "uniform", "low": 0, "high": 0.99, "grid": [0, 0.9]},
//    "hidden":     {"type": "int", "low": 64, "high": 1024, "log": true},
//    "optimizer":  {"type": "choice", "values": ["sgd", "adam"]}}
//
// Parameters are kept in name order, which fixes the grid order and the JSON written back.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace magmadnn::hpo {

// One hyperparameter's value: an integer, a real number or a string.
using Value = std::variant<std::int64_t, double, std::string>;
// A configuration: parameter name -> value.
using Params = std::map<std::string, Value>;

// {"lr": 0.001, "optimizer": "sgd"}; params_from_json reads one back (FormatError naming
// `where` for anything but an object of numbers and strings). Doubles round-trip exactly.
std::string params_to_json(const Params& params);
Params params_from_json(std::string_view text, std::string_view where);
std::string to_string(const Value& value);  // 0.001, 64, sgd
double as_double(const Value& value);       // ValueError for a string

enum class ParamType { Uniform, LogUniform, Int, Choice };
const char* to_string(ParamType type);

struct Param {
    std::string name{};
    ParamType type = ParamType::Uniform;
    double low = 0;  // Uniform, LogUniform, Int (inclusive both ends for Int)
    double high = 0;
    bool log = false;             // Int: sample in log space
    std::vector<Value> values{};  // Choice: the choices; numeric: an optional grid for grid search
};

class SearchSpace {
  public:
    SearchSpace() = default;
    // Checks every parameter: ValueError naming it and the field for an empty range (low >= high;
    // low > high for int), a log range through or at zero, an empty choice list, non-finite
    // numbers, a non-integer int bound, or a grid point outside the range.
    explicit SearchSpace(std::vector<Param> params);

    // FormatError naming `where`, the parameter and the key for JSON of the wrong shape: not an
    // object, an unknown type, a missing low / high / values, an unknown key, a value of the
    // wrong JSON type; ValueError as above for values out of their domain.
    static SearchSpace from_json(std::string_view text, std::string_view where);
    std::string to_json() const;

    const std::vector<Param>& params() const { return params_; }  // in name order
    const Param& at(std::string_view name) const;                 // ValueError if absent

  private:
    void check_all(std::string_view what);  // sorts by name, then checks; errors start with what

    std::vector<Param> params_;
};

}  // namespace magmadnn::hpo
