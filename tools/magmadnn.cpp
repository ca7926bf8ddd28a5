// The magmadnn command line.
#include "magmadnn.h"

#include <fmt/format.h>

#include <cstdio>

#include "commands.h"

int main(int argc, char** argv) {
    CLI::App app{"magmadnn: deep learning and dense linear algebra"};
    app.require_subcommand(1);
    magmadnn::cli::add_info_command(app);
    magmadnn::cli::add_train_command(app);
    magmadnn::cli::add_evaluate_command(app);
    magmadnn::cli::add_predict_command(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
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
