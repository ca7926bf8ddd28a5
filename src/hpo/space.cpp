// Search spaces and configurations to and from JSON, and the checks that name the bad field.
#include "magmadnn/hpo/space.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "io/json_depth.h"
#include "magmadnn/core/error.h"

namespace magmadnn::hpo {

using nlohmann::json;

namespace {

json parse(std::string_view text, const std::string& what) {
    return io::detail::parse_json(text, what);
}

json value_to_json(const Value& v) {
    return std::visit([](const auto& x) { return json(x); }, v);
}

// A JSON number or string as a Value; nothing for other JSON types.
std::optional<Value> value_from_json(const json& j) {
    if (j.is_number_integer()) return Value(j.get<std::int64_t>());
    if (j.is_number()) return Value(j.get<double>());
    if (j.is_string()) return Value(j.get<std::string>());
    return std::nullopt;
}

void check_finite(const Param& p, const char* field, double v) {
    if (!std::isfinite(v)) {
        throw ValueError(
            fmt::format("parameter '{}': '{}' is {}; give a finite number", p.name, field, v));
    }
}

void check(const Param& p) {
    if (p.name.empty()) throw ValueError("a parameter has an empty name; name it");
    if (p.type == ParamType::Choice) {
        if (p.values.empty()) {
            throw ValueError(
                fmt::format("parameter '{}': 'values' is empty; list at least one choice", p.name));
        }
        for (const Value& v : p.values) {
            if (std::holds_alternative<double>(v)) check_finite(p, "values", std::get<double>(v));
        }
        return;
    }
    check_finite(p, "low", p.low);
    check_finite(p, "high", p.high);
    const bool is_int = p.type == ParamType::Int;
    if (is_int && (p.low != std::floor(p.low) || p.high != std::floor(p.high))) {
        throw ValueError(
            fmt::format("parameter '{}': int bounds low {} and high {} must be integers", p.name,
                        p.low, p.high));
    }
    if (is_int ? p.low > p.high : p.low >= p.high) {
        throw ValueError(
            fmt::format("parameter '{}': the range is empty (low {} {} high {}); give low {} high",
                        p.name, p.low, is_int ? ">" : ">=", p.high, is_int ? "<=" : "<"));
    }
    const bool log = p.type == ParamType::LogUniform || (is_int && p.log);
    if (log && p.low <= 0) {
        throw ValueError(
            fmt::format("parameter '{}': a log range must lie above zero, but low is {}; give "
                        "low > 0 or drop the log scale",
                        p.name, p.low));
    }
    for (const Value& v : p.values) {
        if (std::holds_alternative<std::string>(v) ||
            (is_int && !std::holds_alternative<std::int64_t>(v))) {
            throw ValueError(
                fmt::format("parameter '{}': grid point {} is not {}; list {} inside [{}, {}]",
                            p.name, to_string(v), is_int ? "an integer" : "a number",
                            is_int ? "integers" : "numbers", p.low, p.high));
        }
        const double d = as_double(v);
        check_finite(p, "grid", d);
        if (d < p.low || d > p.high) {
            throw ValueError(
                fmt::format("parameter '{}': grid point {} lies outside [{}, {}]; move it inside "
                            "or widen the range",
                            p.name, to_string(v), p.low, p.high));
        }
    }
}

const std::map<std::string, ParamType, std::less<>> kTypes = {{"uniform", ParamType::Uniform},
                                                              {"loguniform", ParamType::LogUniform},
                                                              {"int", ParamType::Int},
                                                              {"choice", ParamType::Choice}};

std::vector<std::string> allowed_keys(ParamType t) {
    switch (t) {
        case ParamType::Choice:
            return {"type", "values"};
        case ParamType::Int:
            return {"type", "low", "high", "log", "grid"};
        default:
            return {"type", "low", "high", "grid"};
    }
}

Param param_from_json(const std::string& name, const json& j, const std::string& where) {
    const std::string at = fmt::format("{}: parameter '{}'", where, name);
    if (!j.is_object() || !j.contains("type") || !j.at("type").is_string()) {
        throw FormatError(fmt::format(
            "{}: expected an object with a \"type\" (uniform, loguniform, int or choice), got {}",
            at, j.dump().substr(0, 80)));
    }
    const auto type_name = j.at("type").get<std::string>();
    const auto type = kTypes.find(type_name);
    if (type == kTypes.end()) {
        throw FormatError(fmt::format(
            "{}: unknown type '{}'; expected uniform, loguniform, int or choice", at, type_name));
    }
    Param p{name, type->second};
    const auto keys = allowed_keys(p.type);
    for (const auto& [key, _] : j.items()) {
        if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
            throw FormatError(fmt::format("{}: unknown key '{}'; a {} parameter takes {}", at, key,
                                          type_name, fmt::join(keys, ", ")));
        }
    }
    const auto number = [&](const char* key) {
        if (!j.contains(key)) {
            throw FormatError(fmt::format("{}: '{}' is missing; a {} parameter needs low and high",
                                          at, key, type_name));
        }
        if (!j.at(key).is_number()) {
            throw FormatError(fmt::format("{}: '{}' is {}, expected a number", at, key,
                                          j.at(key).dump().substr(0, 80)));
        }
        return j.at(key).get<double>();
    };
    const auto list = [&](const char* key) {
        std::vector<Value> out;
        if (!j.at(key).is_array()) {
            throw FormatError(fmt::format("{}: '{}' is {}, expected an array", at, key,
                                          j.at(key).dump().substr(0, 80)));
        }
        for (const json& v : j.at(key)) {
            auto value = value_from_json(v);
            if (!value) {
                throw FormatError(fmt::format("{}: '{}' holds {}, expected numbers or strings", at,
                                              key, v.dump().substr(0, 80)));
            }
            out.push_back(std::move(*value));
        }
        return out;
    };
    if (p.type == ParamType::Choice) {
        if (!j.contains("values")) {
            throw FormatError(fmt::format("{}: 'values' is missing; list the choices", at));
        }
        p.values = list("values");
        return p;
    }
    p.low = number("low");
    p.high = number("high");
    if (j.contains("log")) {
        if (!j.at("log").is_boolean()) {
            throw FormatError(fmt::format("{}: 'log' is {}, expected true or false", at,
                                          j.at("log").dump().substr(0, 80)));
        }
        p.log = j.at("log").get<bool>();
    }
    if (j.contains("grid")) {
        p.values = list("grid");
        if (p.values.empty()) {
            throw FormatError(fmt::format("{}: 'grid' is empty; list at least one point", at));
        }
        if (p.type != ParamType::Int) {  // a real parameter's grid point 0 is the real 0
            for (Value& v : p.values) {
                if (const auto* i = std::get_if<std::int64_t>(&v)) v = static_cast<double>(*i);
            }
        }
    }
    return p;
}

}  // namespace

std::string params_to_json(const Params& params) {
    json j = json::object();
    for (const auto& [name, v] : params) j[name] = value_to_json(v);
    return j.dump();
}

Params params_from_json(std::string_view text, std::string_view where) {
    const std::string what = fmt::format("{}: the configuration", where);
    const json j = parse(text, what);
    if (!j.is_object()) {
        throw FormatError(fmt::format("{}: expected an object of parameter values, got {}", what,
                                      j.dump().substr(0, 80)));
    }
    Params out;
    for (const auto& [name, v] : j.items()) {
        auto value = value_from_json(v);
        if (!value) {
            throw FormatError(fmt::format("{}: parameter '{}' is {}, expected a number or a string",
                                          what, name, v.dump().substr(0, 80)));
        }
        out.emplace(name, std::move(*value));
    }
    return out;
}

std::string to_string(const Value& value) {
    if (const auto* s = std::get_if<std::string>(&value)) return *s;
    return value_to_json(value).dump();
}

double as_double(const Value& value) {
    if (const auto* i = std::get_if<std::int64_t>(&value)) return static_cast<double>(*i);
    if (const auto* d = std::get_if<double>(&value)) return *d;
    throw ValueError(
        fmt::format("hpo: '{}' is a string, not a number", std::get<std::string>(value)));
}

const char* to_string(ParamType type) {
    switch (type) {
        case ParamType::Uniform:
            return "uniform";
        case ParamType::LogUniform:
            return "loguniform";
        case ParamType::Int:
            return "int";
        case ParamType::Choice:
            return "choice";
    }
    return "?";
}

SearchSpace::SearchSpace(std::vector<Param> params) : params_(std::move(params)) {
    check_all("search space");
}

void SearchSpace::check_all(std::string_view what) {
    std::sort(params_.begin(), params_.end(),
              [](const Param& a, const Param& b) { return a.name < b.name; });
    try {
        for (std::size_t i = 0; i < params_.size(); ++i) {
            check(params_[i]);
            if (i > 0 && params_[i].name == params_[i - 1].name) {
                throw ValueError(
                    fmt::format("parameter '{}' is given twice; keep one", params_[i].name));
            }
        }
    } catch (const ValueError& e) {
        throw ValueError(fmt::format("{}: {}", what, e.what()));
    }
}

SearchSpace SearchSpace::from_json(std::string_view text, std::string_view where) {
    const std::string what = fmt::format("{}: the search space", where);
    const json j = parse(text, what);
    if (!j.is_object() || j.empty()) {
        throw FormatError(
            fmt::format("{}: expected an object of at least one parameter, {{\"lr\": {{\"type\": "
                        "\"loguniform\", \"low\": 1e-4, \"high\": 1}}}}, got {}",
                        what, j.dump().substr(0, 80)));
    }
    SearchSpace out;
    for (const auto& [name, p] : j.items()) out.params_.push_back(param_from_json(name, p, what));
    out.check_all(what);
    return out;
}

std::string SearchSpace::to_json() const {
    json out = json::object();
    for (const Param& p : params_) {
        json j{{"type", to_string(p.type)}};
        std::vector<json> values;
        for (const Value& v : p.values) values.push_back(value_to_json(v));
        if (p.type == ParamType::Choice) {
            j["values"] = values;
        } else {
            const bool is_int = p.type == ParamType::Int;
            j["low"] = is_int ? json(static_cast<std::int64_t>(p.low)) : json(p.low);
            j["high"] = is_int ? json(static_cast<std::int64_t>(p.high)) : json(p.high);
            if (is_int && p.log) j["log"] = true;
            if (!values.empty()) j["grid"] = values;
        }
        out[p.name] = j;
    }
    return out.dump();
}

const Param& SearchSpace::at(std::string_view name) const {
    for (const Param& p : params_) {
        if (p.name == name) return p;
    }
    throw ValueError(fmt::format("search space: no parameter '{}'", name));
}

}  // namespace magmadnn::hpo
