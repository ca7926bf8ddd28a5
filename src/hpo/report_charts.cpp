// The report page's charts: the objective over time, the learning curves and one scatter per
// parameter, each an SVG plot with the notes on what it leaves out.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "hpo/report_detail.h"

namespace magmadnn::hpo::report_detail {

using svg::escape;
using svg::format_number;

// (1) Every rung result (or a trial's result without one) at its time, and the best so far.
std::string objective_over_time(const Study& s) {
    std::map<std::pair<std::int64_t, int>, double> report_time;  // (trial, epoch)
    for (const EpochReport& r : s.reports) report_time[{r.trial, r.epoch}] = r.time;
    struct Result {
        double time;
        double value;
        int resource;
        Outcome outcome;
        std::string title;
    };
    std::vector<Result> results;
    std::map<std::int64_t, int> top_rung;
    for (const RungResult& r : s.rungs) {
        top_rung[r.trial] = std::max(top_rung[r.trial], r.rung);
    }
    std::size_t skipped = 0;
    const auto add = [&](const TrialRecord* t, std::int64_t trial, int rung, int resource,
                         double value, bool promoted) {
        if (!usable(value)) {
            ++skipped;
            return;
        }
        double time = 0;
        if (const auto it = report_time.find({trial, resource}); it != report_time.end()) {
            time = it->second;
        } else if (t != nullptr) {
            time = t->finished > 0 ? t->finished : t->started;
        }
        const Outcome o = promoted || t == nullptr ? Outcome::Promoted : outcome_of(t->status);
        results.push_back({std::max(0.0, time - s.start), value, resource, o,
                           fmt::format("trial {}, rung {} ({} epochs): {} ({})", trial, rung,
                                       resource, format_number(value), label_of(o))});
    };
    for (const RungResult& r : s.rungs) {
        const auto it = s.by_id.find(r.trial);
        const TrialRecord* t = it == s.by_id.end() ? nullptr : it->second;
        const bool promoted = r.rung < top_rung[r.trial] || (t != nullptr && r.rung < t->rung);
        add(t, r.trial, r.rung, r.resource, r.value, promoted);
    }
    std::size_t failed_without_value = 0;
    for (const TrialRecord& t : s.trials) {
        if (t.value && !top_rung.contains(t.trial)) {
            add(&t, t.trial, t.rung, t.resource, *t.value, false);
        }
        if (!t.value && t.status == TrialStatus::Fail) ++failed_without_value;
    }

    double t_max = 0, v_lo = HUGE_VAL, v_hi = -HUGE_VAL;
    for (const Result& r : results) {
        t_max = std::max(t_max, r.time);
        v_lo = std::min(v_lo, r.value);
        v_hi = std::max(v_hi, r.value);
    }
    const TimeUnit unit = time_unit(t_max);
    const bool empty = results.empty();
    svg::Plot plot("objective-over-time", svg::Scale::linear(0, empty ? 1 : t_max / unit.seconds),
                   empty ? svg::Scale::linear(0, 1) : svg::Scale::linear(v_lo, v_hi), 760, 340);
    plot.set_labels(fmt::format("time since the study started ({})", unit.name), s.metric);
    if (empty) plot.set_message("no results yet");
    for (const Outcome o : kOutcomes) {
        std::vector<svg::Mark> marks;
        for (const Result& r : results) {
            if (r.outcome == o) marks.push_back({r.time / unit.seconds, r.value, r.title});
        }
        if (marks.empty()) continue;
        plot.add_points(marks, style_of(o));
        plot.add_legend(label_of(o), style_of(o));
    }
    // the best so far as Scheduler::best ranks it (the most epochs, then the value), as a step
    // line to the last result
    std::vector<const Result*> order;
    for (const Result& r : results) order.push_back(&r);
    std::stable_sort(order.begin(), order.end(),
                     [](const Result* a, const Result* b) { return a->time < b->time; });
    std::vector<svg::Mark> steps;
    const Result* best = nullptr;
    for (const Result* r : order) {
        if (best == nullptr || r->resource > best->resource ||
            (r->resource == best->resource && s.better(r->value, best->value))) {
            best = r;
        }
        steps.push_back({r->time / unit.seconds, best->value, {}});
    }
    if (!steps.empty()) {
        steps.push_back({t_max / unit.seconds, steps.back().y, {}});
        const svg::Style line{.color = "#222", .width = 1.8};
        plot.add_line(steps, line, true, "best so far: the most epochs, then the best value");
        plot.add_legend("best so far", line, true);
    }
    std::vector<std::string> notes;
    if (skipped > 0) {
        notes.push_back(fmt::format("{} not finite (NaN or infinity) and left out.",
                                    plural(skipped, "result is", "results are")));
    }
    if (failed_without_value > 0) {
        notes.push_back(fmt::format("{} without a value, not drawn.",
                                    plural(failed_without_value, "failed trial", "failed trials")));
    }
    return figure(
        "Objective over time: one point per rung result, coloured by what became of the trial",
        plot, notes);
}

// (2) Each trial's epoch reports; the best trial drawn last and thicker.
std::string learning_curves(const Study& s) {
    std::map<std::int64_t, std::vector<const EpochReport*>> curves;
    std::size_t skipped = 0;
    double e_lo = HUGE_VAL, e_hi = -HUGE_VAL, v_lo = HUGE_VAL, v_hi = -HUGE_VAL;
    for (const EpochReport& r : s.reports) {
        if (!usable(r.value)) {
            ++skipped;
            continue;
        }
        curves[r.trial].push_back(&r);
        e_lo = std::min(e_lo, static_cast<double>(r.epoch));
        e_hi = std::max(e_hi, static_cast<double>(r.epoch));
        v_lo = std::min(v_lo, r.value);
        v_hi = std::max(v_hi, r.value);
    }
    const bool empty = curves.empty();
    svg::Plot plot(
        "learning-curves",
        empty ? svg::Scale::linear(0, 1, 5, true) : svg::Scale::linear(e_lo, e_hi, 6, true),
        empty ? svg::Scale::linear(0, 1) : svg::Scale::linear(v_lo, v_hi), 760, 340);
    plot.set_labels("epoch", s.metric);
    if (empty) plot.set_message("no epoch reports yet");
    const std::optional<std::int64_t> best =
        s.best ? std::optional<std::int64_t>(s.best->trial) : std::nullopt;
    std::vector<bool> shown(std::size(kOutcomes), false);
    const auto draw = [&](std::int64_t trial, std::vector<const EpochReport*>& curve) {
        std::sort(curve.begin(), curve.end(),
                  [](const EpochReport* a, const EpochReport* b) { return a->epoch < b->epoch; });
        const auto it = s.by_id.find(trial);
        const Outcome o = it == s.by_id.end() ? Outcome::Running : outcome_of(it->second->status);
        svg::Style style = style_of(o);
        style.marker = svg::Marker::Circle;
        style.radius = 2;
        style.width = 1.2;
        style.opacity = 0.6;
        if (trial == best) {
            style = {.color = "#111", .radius = 2.8, .width = 2.6};
        } else {
            shown[static_cast<std::size_t>(o)] = true;
        }
        std::vector<svg::Mark> marks;
        for (const EpochReport* r : curve) {
            marks.push_back(
                {static_cast<double>(r->epoch), r->value,
                 fmt::format("trial {}, epoch {}: {}", trial, r->epoch, format_number(r->value))});
        }
        plot.add_line(marks, style, false, fmt::format("trial {}", trial));
        plot.add_points(marks, style);
    };
    for (auto& [trial, curve] : curves) {
        if (trial != best) draw(trial, curve);
    }
    if (best && curves.contains(*best)) draw(*best, curves[*best]);
    for (const Outcome o : kOutcomes) {
        if (shown[static_cast<std::size_t>(o)]) plot.add_legend(label_of(o), style_of(o), true);
    }
    if (best && curves.contains(*best)) {
        plot.add_legend(fmt::format("best: trial {}", *best), {.color = "#111", .width = 2.6},
                        true);
    }
    std::vector<std::string> notes;
    if (skipped > 0) {
        notes.push_back(fmt::format("{} not finite (NaN or infinity) and left out.",
                                    plural(skipped, "epoch report is", "epoch reports are")));
    }
    return figure("Learning curves: each trial's per-epoch reports", plot, notes);
}

// (3) A parameter against each trial's latest result.
std::string parameter_scatter(const Study& s, const Param& p) {
    const bool categorical = p.type == ParamType::Choice;
    const bool log = p.type == ParamType::LogUniform || (p.type == ParamType::Int && p.log);
    std::vector<std::string> categories;
    for (const Value& v : p.values) categories.push_back(to_string(v));
    struct Point {
        double x, y;
        Outcome outcome;
        std::string title;
    };
    std::vector<Point> points;
    std::size_t skipped = 0, missing = 0;
    double x_lo = categorical ? 0 : p.low, x_hi = categorical ? 0 : p.high;
    double v_lo = HUGE_VAL, v_hi = -HUGE_VAL;
    for (const TrialRecord& t : s.trials) {
        if (!t.value) continue;
        if (!usable(*t.value)) {
            ++skipped;
            continue;
        }
        const auto it = t.params.find(p.name);
        double x = 0;
        if (it == t.params.end()) {
            ++missing;
            continue;
        }
        if (categorical) {
            const std::string c = to_string(it->second);
            auto at = std::find(categories.begin(), categories.end(), c);
            if (at == categories.end()) at = categories.insert(categories.end(), c);
            // a fixed spread inside the band, by trial id, so equal points stay apart
            const double jitter =
                static_cast<double>((static_cast<std::uint64_t>(t.trial) * 2654435761u) % 1000) /
                    1000.0 -
                0.5;
            x = static_cast<double>(at - categories.begin()) + jitter * 0.5;
        } else {
            if (std::holds_alternative<std::string>(it->second)) {
                ++missing;
                continue;
            }
            x = as_double(it->second);
            if (!std::isfinite(x) || (log && x <= 0)) {
                ++missing;
                continue;
            }
            x_lo = std::min(x_lo, x);
            x_hi = std::max(x_hi, x);
        }
        v_lo = std::min(v_lo, *t.value);
        v_hi = std::max(v_hi, *t.value);
        const Outcome o = outcome_of(t.status);
        points.push_back(
            {x, *t.value, o,
             fmt::format("trial {}: {}={}, {} after {} epochs ({})", t.trial, p.name,
                         to_string(it->second), format_number(*t.value), t.resource, label_of(o))});
    }
    if (categorical && categories.empty()) categories.push_back("(none)");
    if (!categorical && !(x_lo <= x_hi)) x_lo = x_hi = 1;  // a guessed parameter without values
    svg::Scale xs = categorical ? svg::Scale::categorical(categories)
                    : log       ? svg::Scale::log(x_lo, x_hi)
                                : svg::Scale::linear(x_lo, x_hi, 5, p.type == ParamType::Int);
    const bool empty = points.empty();
    svg::Plot plot("param-" + p.name, std::move(xs),
                   empty ? svg::Scale::linear(0, 1) : svg::Scale::linear(v_lo, v_hi));
    plot.set_data("param", p.name);
    plot.set_data("scale", categorical ? "categorical" : log ? "log" : "linear");
    plot.set_labels(fmt::format("{}{}", p.name, log ? " (log scale)" : ""), s.metric);
    if (empty) plot.set_message("no results yet");
    for (const Outcome o : kOutcomes) {
        std::vector<svg::Mark> marks;
        for (const Point& pt : points) {
            if (pt.outcome == o) marks.push_back({pt.x, pt.y, pt.title});
        }
        if (marks.empty()) continue;
        svg::Style style = style_of(o);
        style.opacity = 0.85;
        plot.add_points(marks, style);
        plot.add_legend(label_of(o), style_of(o));
    }
    std::vector<std::string> notes;
    if (skipped > 0) {
        notes.push_back(fmt::format("{} not finite (NaN or infinity) and left out.",
                                    plural(skipped, "value is", "values are")));
    }
    if (missing > 0) {
        notes.push_back(fmt::format("{} no usable value of {}.",
                                    plural(missing, "trial has", "trials have"), p.name));
    }
    return figure(
        fmt::format("{} ({}) against each trial's latest result", p.name, to_string(p.type)), plot,
        notes);
}

}  // namespace magmadnn::hpo::report_detail
