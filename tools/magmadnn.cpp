// The magmadnn command line.
#include "magmadnn.h"

#include <fmt/format.h>

#include <cstdio>
#include <string>

#include "commands.h"

namespace {

// A command group such as `bench` given without one of its commands: CLI11 only says "A
// subcommand is required", so list what the group offers.
bool explain_missing_subcommand(const CLI::App& app, const CLI::ParseError& e) {
    if (dynamic_cast<const CLI::RequiredError*>(&e) == nullptr) return false;
    const CLI::App* group = &app;
    std::string path = "magmadnn";
    while (!group->get_subcommands().empty()) {
        group = group->get_subcommands().front();
        path += " " + group->get_name();
    }
    if (group == &app || group->get_require_subcommand_min() == 0) return false;
    std::string list;
    for (const CLI::App* sub : group->get_subcommands([](const CLI::App*) { return true; })) {
        list += fmt::format("  {:<10} {}\n", sub->get_name(), sub->get_description());
    }
    std::fprintf(stderr, "%s: name one of:\n%sRun '%s --help' for the options.\n", path.c_str(),
                 list.c_str(), path.c_str());
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"magmadnn: deep learning and dense linear algebra"};
    app.require_subcommand(1);
    magmadnn::cli::add_info_command(app);
    magmadnn::cli::add_train_command(app);
    magmadnn::cli::add_evaluate_command(app);
    magmadnn::cli::add_predict_command(app);
    magmadnn::cli::add_tune_command(app);
    magmadnn::cli::add_export_command(app);
    magmadnn::cli::add_import_command(app);
    magmadnn::cli::add_bench_command(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (explain_missing_subcommand(app, e)) return e.get_exit_code();
        return app.exit(e);
    } catch (const magmadnn::Error& e) {
        std::fprintf(stderr, "magmadnn: error: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "magmadnn: unexpected error: %s\n", e.what());
        return 1;
    }
    return 0;
}
