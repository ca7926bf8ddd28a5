// The study report page: the storage's records as a summary, the charts (report_charts.cpp)
// and a table.
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

#include "hpo/report_detail.h"
#include "hpo/svg_plot.h"
#include "magmadnn/core/error.h"
#include "magmadnn/hpo/space.h"
#include "magmadnn/io/atomic_file.h"

namespace magmadnn::hpo {

namespace report_detail {

using svg::escape;
using svg::format_number;

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

TimeUnit time_unit(double span) {
    if (span > 7200) return {3600, "h"};
    if (span > 120) return {60, "min"};
    return {1, "s"};
}
std::string duration(double seconds) {
    const TimeUnit u = time_unit(seconds);
    return fmt::format("{} {}", format_number(seconds / u.seconds, 3), u.name);
}

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
}  // namespace report_detail

using namespace report_detail;

namespace {

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
