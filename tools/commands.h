#pragma once
// The subcommands of the magmadnn command line; each registers itself on the CLI11 app.

#include <CLI/CLI.hpp>

namespace magmadnn::cli {

void add_info_command(CLI::App& app);
void add_train_command(CLI::App& app);
void add_evaluate_command(CLI::App& app);
void add_predict_command(CLI::App& app);
void add_bench_command(CLI::App& app);
void add_tune_command(CLI::App& app);
void add_export_command(CLI::App& app);
void add_import_command(CLI::App& app);

}  // namespace magmadnn::cli
