// The study report page: the storage's records as a summary, four kinds of chart and a table.
#include "magmadnn/hpo/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>

#include "hpo/svg_plot.h"
#include "magmadnn/core/error.h"
#include "magmadnn/hpo/space.h"
#include "magmadnn/io/atomic_file.h"

namespace magmadnn::hpo {

namespace {

using nlohmann::json;
using svg::escape;
using svg::format_number;

// An epoch report may hold NaN (stored as NULL) or an infinity; such values are not drawn.
bool usable(double v) { return std::isfinite(v); }

// What a point stands for: its trial's status, or a rung result the trial went past.
enum class Outcome { Complete, Promoted, Paused, Pruned, Failed, Running };
constexpr Outcome kOutcomes[] = {Outcome::Complete, Outcome::Promoted, Outcome::Paused,
                                 Outcome::Pruned,   Outcome::Failed,   Outcome::Running};

struct Look {
    const char* label;
    const char* color;
    svg::Marker marker;
};
constexpr Look kLooks[] = {
    {"complete", "#2a9d3a", svg::Marker::Circle}, {"promoted", "#1f6fd1", svg::Marker::Triangle},
    {"paused", "#8a8a8a", svg::Marker::Square},   {"pruned", "#ef8a17", svg::Marker::Diamond},
    {"failed", "#d62728", svg::Marker::Cross},    {"running", "#9157c7", svg::Marker::Circle}};

const char* label_of(Outcome o) { return kLooks[static_cast<int>(o)].label; }
svg::Style style_of(Outcome o) {
    const Look& l = kLooks[static_cast<int>(o)];
    return {.color = l.color, .marker = l.marker};
}
Outcome outcome_of(TrialStatus s) {
    // in TrialStatus's order
    constexpr Outcome outcomes[] = {Outcome::Running, Outcome::Paused, Outcome::Complete,
                                    Outcome::Pruned, Outcome::Failed};
    return outcomes[static_cast<int>(s)];
}

// A JSON field as text: strings as they are, other values as JSON, absent as "".
std::string text_at(const json& j, std::initializer_list<const char*> keys) {
    const json* at = &j;
    for (const char* k : keys) {
        if (!at->is_object() || !at->contains(k)) return {};
        at = &(*at)[k];
    }
    if (at->is_null()) return {};
    return at->is_string() ? at->get<std::string>() : at->dump();
}

std::string plural(std::size_t n, const char* one, const char* many) {
    return fmt::format("{} {}", n, n == 1 ? one : many);
}

std::string utc(double unix_seconds) {
    const auto t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buf;
}

struct TimeUnit {
    double seconds;
    const char* name;
};
TimeUnit time_unit(double span) {
    if (span > 7200) return {3600, "h"};
    if (span > 120) return {60, "min"};
    return {1, "s"};
}
std::string duration(double seconds) {
    const TimeUnit u = time_unit(seconds);
    return fmt::format("{} {}", format_number(seconds / u.seconds, 3), u.name);
}

// name=value, ...; reals to 6 digits (the best trial's table holds them exactly)
std::string params_text(const Params& params) {
    std::string out;
    for (const auto& [name, value] : params) {
        out += fmt::format("{}{}={}", out.empty() ? "" : ", ", name,
                           std::holds_alternative<double>(value)
                               ? format_number(std::get<double>(value))
                               : to_string(value));
    }
    return out;
}

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

std::vector<Param> guessed_space(const std::vector<TrialRecord>& trials) {
    std::map<std::string, Param> params;
    for (const TrialRecord& t : trials) {
        for (const auto& [name, value] : t.params) {
            Param& p = params[name];
            if (p.name.empty()) {
                p = {.name = name, .type = ParamType::Int, .low = HUGE_VAL, .high = -HUGE_VAL};
            }
            if (std::holds_alternative<std::string>(value) || p.type == ParamType::Choice) {
                p.type = ParamType::Choice;
                if (std::find(p.values.begin(), p.values.end(), value) == p.values.end()) {
                    p.values.push_back(value);
                }
                continue;
            }
            if (std::holds_alternative<double>(value)) p.type = ParamType::Uniform;
            p.low = std::min(p.low, as_double(value));
            p.high = std::max(p.high, as_double(value));
        }
    }
    std::vector<Param> out;
    for (auto& [name, p] : params) out.push_back(std::move(p));
    return out;
}

Study read_study(const Storage& storage) {
    Study s;
    s.path = storage.path();
    s.identity = json::parse(storage.identity(), nullptr, false);
    if (s.identity.is_discarded()) s.identity = nullptr;
    s.name = text_at(s.identity, {"name"});
    s.metric = text_at(s.identity, {"objective", "metric"});
    s.maximize = text_at(s.identity, {"objective", "direction"}) != "minimize";
    s.trials = storage.trials();
    s.reports = storage.reports();
    s.rungs = storage.rungs();
    for (const TrialRecord& t : s.trials) {
        s.by_id[t.trial] = &t;
        if (t.started > 0 && (s.start == 0 || t.started < s.start)) s.start = t.started;
    }
    try {
        if (s.identity.is_object() && s.identity.contains("space")) {
            s.space = SearchSpace::from_json(s.identity["space"].dump(), s.path).params();
        } else {
            s.space = guessed_space(s.trials);
        }
    } catch (const Error&) {
        s.space = guessed_space(s.trials);
    }
    // as Scheduler::best: the best among the results at the most epochs any trial reached
    int top = -1;
    for (const RungResult& r : s.rungs) {
        if (usable(r.value)) top = std::max(top, r.resource);
    }
    for (const RungResult& r : s.rungs) {
        if (r.resource != top || !usable(r.value)) continue;
        if (!s.best || s.better(r.value, s.best->value) ||
            (r.value == s.best->value && r.trial < s.best->trial)) {
            s.best = r;
        }
    }
    return s;
}

std::string note(const std::string& text) {
    return fmt::format("<p class=\"note\">{}</p>\n", escape(text));
}

std::string figure(const std::string& title, const svg::Plot& plot,
                   const std::vector<std::string>& notes) {
    std::string out =
        fmt::format("<figure>\n<figcaption>{}</figcaption>\n{}\n", escape(title), plot.render());
    for (const std::string& n : notes) out += note(n);
    return out + "</figure>\n";
}

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

std::string scheduler_text(const json& id) {
    const std::string kind = text_at(id, {"scheduler", "kind"});
    if (kind.empty()) return "unknown";
    const std::string eta = text_at(id, {"scheduler", "reduction_factor"});
    const std::string trials = text_at(id, {"scheduler", "trials"});
    return fmt::format("{}: {} to {} epochs per trial, reduction factor {}; budget {}", kind,
                       text_at(id, {"scheduler", "min_epochs"}),
                       text_at(id, {"scheduler", "max_epochs"}),
                       eta.empty() ? "the scheduler's default" : eta,
                       trials.empty() ? "the scheduler's default" : trials + " trials");
}

std::string command_text(const json& id) {
    const json* trial = id.is_object() && id.contains("trial") ? &id["trial"] : nullptr;
    if (trial == nullptr || !trial->contains("command")) return "unknown";
    const json& command = (*trial)["command"];
    std::string out;
    if (command.is_string()) {
        out = "magmadnn " + command.get<std::string>();
        if (trial->contains("args") && (*trial)["args"].is_array()) {
            for (const json& a : (*trial)["args"]) {
                if (!a.is_array() || a.empty()) continue;
                out += " --" + (a[0].is_string() ? a[0].get<std::string>() : a[0].dump());
                if (a.size() > 1)
                    out += " " + (a[1].is_string() ? a[1].get<std::string>() : a[1].dump());
            }
        }
        return out;
    }
    for (const json& a : command) {
        out += (out.empty() ? "" : " ") + (a.is_string() ? a.get<std::string>() : a.dump());
    }
    return out;
}

std::string summary(const Study& s) {
    const json& id = s.identity;
    std::string out = "<section id=\"summary\">\n<dl>\n";
    const auto row = [&](const char* term, const std::string& value) {
        out += fmt::format("<dt>{}</dt><dd>{}</dd>\n", term, escape(value));
    };
    row("Objective", s.metric.empty()
                         ? "unknown"
                         : fmt::format("{}, {}", s.metric, s.maximize ? "maximize" : "minimize"));
    row("Scheduler", scheduler_text(id));
    row("Trial", command_text(id));
    row("Seed", text_at(id, {"seed"}));
    row("Storage", s.path);
    double last = 0;
    for (const TrialRecord& t : s.trials) last = std::max(last, t.finished);
    row("Started", s.start > 0 ? fmt::format("{}; {} to the last result", utc(s.start),
                                             duration(std::max(0.0, last - s.start)))
                               : "not yet");
    out += "</dl>\n<ul class=\"counts\">\n";
    for (const TrialStatus st : {TrialStatus::Complete, TrialStatus::Paused, TrialStatus::Pruned,
                                 TrialStatus::Fail, TrialStatus::Running}) {
        const auto n = std::count_if(s.trials.begin(), s.trials.end(),
                                     [&](const TrialRecord& t) { return t.status == st; });
        out += fmt::format(
            "<li data-status=\"{}\" data-count=\"{}\"><span class=\"swatch\" "
            "style=\"background:{}\"></span><b>{}</b> {}</li>\n",
            to_string(st), n, style_of(outcome_of(st)).color, n, label_of(outcome_of(st)));
    }
    out += fmt::format("<li data-status=\"ALL\" data-count=\"{0}\"><b>{0}</b> in all</li>\n",
                       s.trials.size());
    out += "</ul>\n";
    if (s.best) {
        const auto it = s.by_id.find(s.best->trial);
        out += fmt::format(
            "<div id=\"best\" data-trial=\"{}\"><h2>Best trial: {}</h2>\n<p>{} {} after {} "
            "epochs</p>\n<table class=\"params\">\n",
            s.best->trial, s.best->trial, escape(s.metric), escape(format_number(s.best->value)),
            s.best->resource);
        if (it != s.by_id.end()) {
            for (const auto& [name, value] : it->second->params) {
                out += fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", escape(name),
                                   escape(to_string(value)));
            }
        }
        out += "</table>\n</div>\n";
    } else {
        out += fmt::format("<div id=\"best\"><p>{}</p></div>\n",
                           s.trials.empty() ? "No trials yet." : "No trial has a result yet.");
    }
    return out + "</section>\n";
}

std::string trial_table(const Study& s) {
    const auto since = [&](double t) {
        return t > 0 ? escape("+" + duration(std::max(0.0, t - s.start))) : std::string();
    };
    std::string out =
        "<section id=\"trials\">\n<h2>Trials</h2>\n<table class=\"trials\">\n<thead><tr><th>Trial"
        "</th><th>Status</th><th>Value</th><th>Epochs</th><th>Attempts</th><th>Started</th>"
        "<th>Ended</th><th>Parameters</th><th>Message</th></tr></thead>\n<tbody>\n";
    for (const TrialRecord& t : s.trials) {
        const bool best = s.best && s.best->trial == t.trial;
        out += fmt::format(
            "<tr data-trial=\"{}\"{}><td>{}</td><td class=\"status {}\">{}</td><td>{}</td>"
            "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"message\">{}</td>"
            "</tr>\n",
            t.trial, best ? " class=\"best\"" : "", t.trial, label_of(outcome_of(t.status)),
            to_string(t.status), t.value ? escape(format_number(*t.value)) : "", t.resource,
            t.attempts, since(t.started), since(t.finished), escape(params_text(t.params)),
            escape(t.message));
    }
    return out + "</tbody>\n</table>\n</section>\n";
}

constexpr const char* kStyle = R"css(
body { font-family: system-ui, sans-serif; margin: 16px 24px; color: #222; background: #fff; }
h1 { font-size: 22px; margin: 0 0 8px; }
h2 { font-size: 16px; margin: 14px 0 6px; }
dl { display: grid; grid-template-columns: max-content auto; gap: 2px 12px; margin: 0; }
dt { font-weight: 600; }
dd { margin: 0; }
ul.counts { list-style: none; padding: 0; margin: 10px 0; display: flex; gap: 16px; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
table { border-collapse: collapse; font-size: 13px; }
td, th { border-bottom: 1px solid #ddd; padding: 2px 8px; text-align: left; vertical-align: top; }
tr.best td { background: #fff6d6; }
td.message { max-width: 420px; overflow-wrap: anywhere; }
#charts { display: flex; flex-wrap: wrap; gap: 12px 24px; }
figure { margin: 0; }
figcaption { font-weight: 600; font-size: 13px; margin: 6px 0; }
p.note { color: #8a4b00; font-size: 12px; margin: 2px 0; }
svg.plot { max-width: 100%; height: auto; }
)css";

// Measures what each chart drew (readers of the page's DOM, and its rendering test, see it).
constexpr const char* kScript = R"js(
(function () {
  let charts = 0;
  for (const svg of document.querySelectorAll('svg.plot')) {
    let drawn = 0;
    for (const p of svg.querySelectorAll('.pt')) {
      const b = p.getBBox();
      if (b.width > 0 && b.height > 0) drawn++;
    }
    const data = svg.querySelector('g.data').getBBox();
    const area = svg.querySelector('rect.area').getBoundingClientRect();
    svg.setAttribute('data-drawn', drawn);
    svg.setAttribute('data-bbox', [data.width, data.height].map(Math.round).join(' '));
    svg.setAttribute('data-area', [area.left + window.scrollX, area.top + window.scrollY,
                                   area.width, area.height].map(Math.round).join(' '));
    charts++;
  }
  document.body.setAttribute('data-charts-rendered', charts);
})();
)js";

}  // namespace

std::string study_report_html(const Storage& storage) {
    const Study s = read_study(storage);
    const std::string title = s.name.empty() ? "study" : s.name;
    std::string out = fmt::format(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
        "<title>{} - magmadnn study report</title>\n<style>{}</style>\n</head>\n"
        "<body data-report=\"magmadnn-study\">\n<h1>Study {}</h1>\n",
        escape(title), kStyle, escape(title));
    out += summary(s);
    out += "<section id=\"charts\">\n";
    out += objective_over_time(s);
    out += learning_curves(s);
    for (const Param& p : s.space) out += parameter_scatter(s, p);
    out += "</section>\n";
    out += trial_table(s);
    out += fmt::format("<script>{}</script>\n</body>\n</html>\n", kScript);
    return out;
}

void write_study_report(const Storage& storage, const std::string& path) {
    const std::string html = study_report_html(storage);
    io::write_file_atomic(path, std::as_bytes(std::span(html.data(), html.size())));
}

}  // namespace magmadnn::hpo
