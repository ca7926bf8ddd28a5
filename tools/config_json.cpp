#include "config_json.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "magmadnn/core/error.h"

namespace magmadnn::cli {

namespace {

// One input: a string as it is, a boolean as true/false, a number as written (a whole float as
// an integer: 64.0 from a tuner is the integer option's 64).
std::string input_of(const nlohmann::json& v, const std::string& key) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    if (v.is_number_float()) {
        const double d = v.get<double>();
        if (d == std::floor(d) && std::abs(d) < 1e15) {
            return fmt::format("{}", static_cast<long long>(d));
        }
        return fmt::format("{}", d);
    }
    if (v.is_number()) return v.dump();
    throw CLI::ConfigError(fmt::format(
        "'{}': {} is not an option value (a number, string or boolean, or a list of them)", key,
        v.dump().substr(0, 80)));
}

}  // namespace

std::vector<CLI::ConfigItem> JsonConfig::from_config(std::istream& input) const {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(input);
    } catch (const nlohmann::json::parse_error& e) {
        const std::string what = e.what();  // "[json.exception.parse_error.101] parse error at"
        const auto bracket = what.find("] ");
        throw CLI::ConfigError("not valid JSON: " +
                               (bracket == std::string::npos ? what : what.substr(bracket + 2)));
    }
    if (!j.is_object()) {
        throw CLI::ConfigError(fmt::format(
            "holds {}, expected a JSON object of option names to values", j.type_name()));
    }
    const nlohmann::json* options = &j;
    std::string prefix;
    if (const auto it = j.find(section_); it != j.end()) {
        if (!it->is_object()) {
            throw CLI::ConfigError(
                fmt::format("'{}' is {}, expected an object of option names to values", section_,
                            it->dump().substr(0, 80)));
        }
        options = &*it;
        prefix = section_ + ".";
    }
    std::vector<CLI::ConfigItem> result;
    for (const auto& [key, value] : options->items()) {
        CLI::ConfigItem item;
        item.name = key;
        if (value.is_object()) {
            throw CLI::ConfigError(
                fmt::format("'{}{}' is an object, not an option value (only a top-level \"{}\" "
                            "object holds options)",
                            prefix, key, section_));
        }
        if (value.is_array()) {
            if (value.empty()) throw CLI::ConfigError(fmt::format("'{}': an empty list", key));
            for (const auto& v : value) item.inputs.push_back(input_of(v, key));
        } else {
            item.inputs.push_back(input_of(value, key));
        }
        result.push_back(std::move(item));
    }
    return result;
}

std::string JsonConfig::to_config(const CLI::App*, bool, bool, std::string) const {
    throw CLI::ConfigError("JSON config files are read, not written");
}

CLI::Option* add_json_config(CLI::App* cmd) {
    cmd->config_formatter(std::make_shared<JsonConfig>(cmd->get_name()));
    return cmd
        ->set_config("--config", "",
                     fmt::format("options from a JSON file, {{\"lr\": 0.01, \"batch-size\": 64, "
                                 "\"standardize\": true, ...}}, or such an object as its \"{}\" "
                                 "member; the command line wins",
                                 cmd->get_name()))
        ->type_name("FILE.json");
}

void apply_config(CLI::App& cmd) {
    CLI::Option* config = cmd.get_config_ptr();
    if (config == nullptr || config->count() == 0) return;
    const std::string file = config->as<std::string>();
    const std::string where = fmt::format("{} {}", config->get_name(), file);
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) throw IOError(where + ": no such file");
    if (std::filesystem::is_directory(file, ec)) {
        throw IOError(where + ": a directory, not a JSON file");
    }
    std::ifstream in(file);
    if (!in) throw IOError(where + ": cannot open the file");
    std::vector<CLI::ConfigItem> items;
    try {
        items = cmd.get_config_formatter()->from_config(in);
    } catch (const CLI::Error& e) {
        throw FormatError(fmt::format("{}: {}", where, e.what()));
    }
    std::set<const CLI::Option*> command_line;
    for (const CLI::Option* o : cmd.get_options()) {
        if (o->count() > 0) command_line.insert(o);
    }
    for (const CLI::ConfigItem& item : items) {
        std::string name = item.name;
        CLI::Option* op = cmd.get_option_no_throw("--" + name);
        if (op == nullptr) {  // batch_size for --batch-size
            std::replace(name.begin(), name.end(), '_', '-');
            op = cmd.get_option_no_throw("--" + name);
        }
        if (op == nullptr) {
            throw ValueError(fmt::format(
                "{}: unknown option '{}' (the keys are the long options of `magmadnn {} --help` "
                "without the dashes)",
                where, item.name, cmd.get_name()));
        }
        if (!op->get_configurable() || op == cmd.get_help_ptr() || op == cmd.get_help_all_ptr()) {
            throw ValueError(
                fmt::format("{}: '{}' cannot be set in a config file", where, item.name));
        }
        if (command_line.count(op) > 0) continue;
        if (op->count() > 0) {  // batch_size and batch-size
            throw ValueError(
                fmt::format("{}: '{}' sets {} a second time", where, item.name, op->get_name()));
        }
        try {
            if (op->get_expected_min() == 0) {
                const std::string value = cmd.get_config_formatter()->to_flag(item);
                if (value == "false") continue;
                op->add_result(op->get_flag_value(name, value));  // --no-shuffle: true sets false
            } else {
                op->add_result(item.inputs);
            }
            op->run_callback();  // its checks, then the value into its variable
        } catch (const CLI::Error& e) {
            throw ValueError(fmt::format("{}: '{}': {}", where, item.name, e.what()));
        }
    }
    // CLI11 checked the command line's exclusions before the file was read
    for (const CLI::Option* o : cmd.get_options()) {
        if (o->count() == 0) continue;
        for (const CLI::Option* other : o->get_excludes()) {
            if (other->count() > 0) {
                throw ValueError(
                    fmt::format("{}: {} excludes {}", where, o->get_name(), other->get_name()));
            }
        }
    }
}

}  // namespace magmadnn::cli
