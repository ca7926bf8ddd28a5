// Writes the studies that report_render_test.py opens in a browser:
//   hpo_report_fixture DIR
// DIR/study.db and DIR/report.html (the synthetic ASHA run of report_study.h), DIR/empty.db and
// DIR/empty.html (the same study before its first trial), then, as one JSON line on stdout, the
// points each chart of report.html must draw.
#include <exception>
#include <filesystem>
#include <iostream>
#include <string>

#include "magmadnn/hpo/report.h"
#include "report_study.h"

using namespace magmadnn::hpo;

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: hpo_report_fixture DIR (an existing directory)\n";
        return 2;
    }
    try {
        const std::string dir = argv[1];
        const testing::SyntheticCounts counts = testing::write_synthetic_study(dir + "/study.db");
        write_study_report(Storage::open_read_only(dir + "/study.db"), dir + "/report.html");

        std::filesystem::remove(dir + "/empty.db");
        const auto config = StudyConfig::from_json(testing::kSyntheticStudy, "synthetic study");
        write_study_report(Storage::open(dir + "/empty.db", config.identity_json(), false),
                           dir + "/empty.html");

        std::cout << "{\"objective-over-time\": " << counts.rung_results
                  << ", \"learning-curves\": " << counts.epoch_reports;
        for (const Param& p : config.space.params()) {
            std::cout << ", \"param-" << p.name << "\": " << counts.with_value;
        }
        std::cout << "}\n";
    } catch (const std::exception& e) {
        std::cerr << "hpo_report_fixture: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
