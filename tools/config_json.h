#pragma once
// A subcommand's options from a JSON file: `magmadnn train --config FILE.json`.

#include <CLI/CLI.hpp>
#include <istream>
#include <string>
#include <vector>

namespace magmadnn::cli {

// Reads {"lr": 0.01, "batch_size": 64, "standardize": true, ...}: option names to values, or
// such an object as the member named `section` of a larger one (a tuning result: {"study": ...,
// "params": {...}, "train": {...}}), its other members then ignored. Each key becomes a
// ConfigItem as written (apply_config reads '_' as '-'); a number, string or boolean is its one
// input, an array of them its inputs. Anything else is a CLI::ConfigError naming the key.
class JsonConfig : public CLI::Config {
  public:
    explicit JsonConfig(std::string section) : section_(std::move(section)) {}
    std::vector<CLI::ConfigItem> from_config(std::istream& input) const override;
    // Read only: throws CLI::ConfigError.
    std::string to_config(const CLI::App* app, bool default_also, bool write_description,
                          std::string prefix) const override;

  private:
    std::string section_;
};

// Adds `--config FILE.json` to `cmd`: its config_formatter a JsonConfig for the member named as
// the command, set_config("--config"), which makes the option itself unconfigurable.
CLI::Option* add_json_config(CLI::App* cmd);

// Sets the options of `cmd` that its command line left unset from the file its --config names,
// if any; the first thing its callback does (CLI11 2.1 reads a config file for the top-level
// app only, so a subcommand applies its own). A flag's true sets it, false leaves it unset. Each
// value goes through the option's checks. A file that cannot be read is an IOError, one that is
// not such JSON a FormatError, and an unknown key, a key that cannot be configured (config,
// help), a bad value or options that exclude each other a ValueError; each message starts with
// "--config FILE: " and names the key.
void apply_config(CLI::App& cmd);

}  // namespace magmadnn::cli
