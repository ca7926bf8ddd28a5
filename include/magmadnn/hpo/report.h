#pragma once
// A study's report: one self-contained HTML page (inline SVG charts, no script, font or style
// from elsewhere) with the study's objective, scheduler and budget, its trials by status, the
// best trial, the objective over time with the best so far, the learning curves, the objective
// against each parameter and a table of every trial:
//
//   const auto storage = hpo::Storage::open_read_only("mlp-fashion.db");
//   hpo::write_study_report(storage, "mlp-fashion.html");
//
// The page reads what the storage holds at the call, so a running study can be reported too.

#include <string>

#include "magmadnn/hpo/storage.h"

namespace magmadnn::hpo {

std::string study_report_html(const Storage& storage);
// Written atomically: a temporary file beside `path`, fsynced, renamed over it. IOError naming
// the path when it cannot be written.
void write_study_report(const Storage& storage, const std::string& path);

}  // namespace magmadnn::hpo
