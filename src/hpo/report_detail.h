#pragma once
// The report page's pieces shared by its files: the study as read from the storage, how a
// point's outcome is drawn, small text helpers, and the charts (report_charts.cpp).

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "hpo/svg_plot.h"
#include "magmadnn/hpo/space.h"
#include "magmadnn/hpo/storage.h"

namespace magmadnn::hpo::report_detail {

using nlohmann::json;

// An epoch report may hold NaN (stored as NULL) or an infinity; such values are not drawn.
inline bool usable(double v) { return std::isfinite(v); }

// What a point stands for: its trial's status, or a rung result the trial went past.
enum class Outcome { Complete, Promoted, Paused, Pruned, Failed, Running };
inline constexpr Outcome kOutcomes[] = {Outcome::Complete, Outcome::Promoted, Outcome::Paused,
                                        Outcome::Pruned,   Outcome::Failed,   Outcome::Running};
const char* label_of(Outcome o);
svg::Style style_of(Outcome o);
Outcome outcome_of(TrialStatus s);

// A JSON field as text: strings as they are, other values as JSON, absent as "".
std::string text_at(const json& j, std::initializer_list<const char*> keys);
std::string plural(std::size_t n, const char* one, const char* many);
std::string utc(double unix_seconds);
struct TimeUnit {
    double seconds;
    const char* name;
};
TimeUnit time_unit(double span);
std::string duration(double seconds);
// name=value, ...; reals to 6 digits (the best trial's table holds them exactly)
std::string params_text(const Params& params);

// Everything the page shows, read once. by_id points into trials: moved, never copied.
struct Study {
    Study() = default;
    Study(const Study&) = delete;
    Study(Study&&) = default;

    std::string path;
    json identity;  // null when the storage's identity is not JSON
    std::string name, metric;
    bool maximize = true;
    std::vector<TrialRecord> trials;
    std::vector<EpochReport> reports;
    std::vector<RungResult> rungs;
    std::map<std::int64_t, const TrialRecord*> by_id;
    std::vector<Param> space;  // from the identity, or guessed from the trials' params
    double start = 0;          // the first trial's start; 0: none started
    std::optional<RungResult> best;

    bool better(double a, double b) const { return maximize ? a > b : a < b; }
};

Study read_study(const Storage& storage);
std::string note(const std::string& text);
std::string figure(const std::string& title, const svg::Plot& plot,
                   const std::vector<std::string>& notes);

// (1) the objective over time, (2) the learning curves, (3) one parameter against the objective
std::string objective_over_time(const Study& s);
std::string learning_curves(const Study& s);
std::string parameter_scatter(const Study& s, const Param& p);

}  // namespace magmadnn::hpo::report_detail
